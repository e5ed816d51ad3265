import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

const projectRoot = path.join(__dirname, '..', '..');
const entryPoint = path.join(__dirname, 'worker-process.ts');
const READY_LINE = 'worker ready';
/** Characters of output kept per child for error messages. Older output is dropped. */
const MAX_OUTPUT_CHARS = 20_000;

export interface WorkerProcessConfig {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  smtpPort: number;
  workflowBundle: string;
  messageIdDomain: string;
}

export interface WorkerProcess {
  pid: number;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits until the process has exited. Does nothing to a process that has already exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The last MAX_OUTPUT_CHARS characters of the process's stdout and stderr, for error messages. */
  output(): string;
}

/**
 * Starts test/support/worker-process.ts as a child Node process with tsx and waits until it prints that
 * its worker is polling. Fails with the child's output when it exits or is not ready within `readyTimeoutMs`.
 */
export async function startWorkerProcess(config: WorkerProcessConfig, readyTimeoutMs = 30_000): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entryPoint], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      TEMPORAL_ADDRESS: config.temporalAddress,
      TEMPORAL_TASK_QUEUE: config.taskQueue,
      SMTP_PORT: String(config.smtpPort),
      WORKFLOW_BUNDLE: config.workflowBundle,
      MESSAGE_ID_DOMAIN: config.messageIdDomain,
    },
    // stdin stays an open pipe, and the child exits when it closes, which happens when this process exits.
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker process ${child.pid} was not ready after ${readyTimeoutMs} ms; its output:\n${output}`));
    }, readyTimeoutMs);
    child.stdout!.on('data', () => {
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker process ${child.pid} exited before it was ready (code ${code}, signal ${signal}); its output:\n${output}`));
    });
  });

  return {
    pid: child.pid!,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => output,
  };
}
