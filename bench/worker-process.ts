import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';

const projectRoot = path.join(__dirname, '..');
/** Characters of the worker's output kept for error messages. */
const MAX_OUTPUT_CHARS = 20_000;

export interface DealWorkerProcess {
  pid: number;
  /** Resident memory of the process, from /proc, or undefined where /proc is missing. */
  rssBytes(): number | undefined;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the product's worker, `worker/main.ts` with ROLE=worker, as its own process on `taskQueue`,
 * as `npm start` would run a worker replica, and waits for its `ready` log line. It logs at the default
 * level, info. Emails go to a temporary outbox folder that stop() removes.
 */
export async function startDealWorkerProcess(options: {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  readyTimeoutMs?: number;
}): Promise<DealWorkerProcess> {
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'o2c-bench-worker-outbox-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('worker', 'main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ROLE: 'worker',
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      OUTBOX_DIR: outboxDir,
      PORTAL_SECRET: randomBytes(32).toString('base64url'),
      PUBLIC_URL: 'http://127.0.0.1:3000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker process was not ready after ${readyTimeoutMs} ms; its output:\n${output}`));
    }, readyTimeoutMs);
    child.stdout.on('data', () => {
      if (!output.includes('"msg":"ready"')) return;
      clearTimeout(timer);
      resolve();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the worker process exited before it was ready; its output:\n${output}`));
    });
  });

  return {
    pid: child.pid!,
    rssBytes: () => readRssBytes(child.pid!),
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}

function readRssBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
