import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from 'pino';

const projectRoot = path.join(__dirname, '..');
const installedCli = path.join(projectRoot, '.tools', 'bin', 'temporal');

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server. */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  cliPath?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  env: TestWorkflowEnvironment;
  shutdown(): Promise<void>;
}

type Executable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the CLI named by TEMPORAL_CLI_PATH or installed by scripts/install-temporal.sh, if any. */
export function findTemporalCli(cliPath?: string): string | undefined {
  if (cliPath) {
    if (!isExecutable(cliPath)) throw new Error(`TEMPORAL_CLI_PATH=${cliPath} is not an executable file`);
    return cliPath;
  }
  return isExecutable(installedCli) ? installedCli : undefined;
}

async function launch(executable: Executable, options: DevServerOptions): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace: options.namespace,
      extraArgs: ['--log-level', 'warn'],
    },
  });
}

/**
 * Starts a Temporal CLI dev server. With no CLI installed it first lets the SDK download one, which is
 * the normal route with internet access; when that download fails it builds the CLI through the Go
 * module proxy with scripts/install-temporal.sh and starts that.
 */
export async function startDevServer(options: DevServerOptions, logger: Pick<Logger, 'info' | 'warn'>): Promise<DevServer> {
  if (options.dbFilename) fs.mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  let cli = findTemporalCli(options.cliPath);
  let env: TestWorkflowEnvironment;
  if (cli) {
    env = await launch({ type: 'existing-path', path: cli }, options);
  } else {
    try {
      env = await launch({ type: 'cached-download' }, options);
    } catch (error) {
      logger.warn({ err: error }, 'the Temporal SDK could not download its dev server; building the CLI with Go instead');
      execFileSync('bash', [path.join(projectRoot, 'scripts', 'install-temporal.sh')], { stdio: 'inherit' });
      cli = installedCli;
      env = await launch({ type: 'existing-path', path: cli }, options);
    }
  }
  const address = env.connection.options.address;
  const uiUrl = options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined;
  logger.info({ address, uiUrl, cli: cli ?? 'SDK download' }, 'Temporal dev server started');
  return { address, uiUrl, env, shutdown: () => env.teardown() };
}
