import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Environment } from './config';
import { assertPortFree } from './ports';
import { startEmbeddedPostgres } from './postgres';
import { startDevServer, type DevServer } from './temporal-server';
import { openDatabase, type Database } from '../models/db';
import { migrate } from '../models/migrate';
import { seedMasterData, type SeedData } from '../models/seed';

export interface Services {
  db: Database;
  temporalAddress: string;
  devServer?: DevServer;
  /** Stops what was started here, newest first. */
  stop(): Promise<void>;
}

/**
 * Connects to PostgreSQL and Temporal, starting an embedded PostgreSQL and a dev server for whichever
 * of DATABASE_URL and TEMPORAL_ADDRESS is unset, then migrates and seeds the database.
 */
export async function startServices(env: Environment, logger: Logger): Promise<Services> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup();
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      await assertPortFree(env.EMBEDDED_POSTGRES_PORT, 'embedded PostgreSQL', 'EMBEDDED_POSTGRES_PORT');
      const embedded = await startEmbeddedPostgres(
        { dataDir: path.join(env.DATA_DIR, 'postgres'), port: env.EMBEDDED_POSTGRES_PORT },
        logger,
      );
      cleanups.unshift(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const db = openDatabase(databaseUrl);
    cleanups.unshift(() => db.sequelize.close());
    await migrate(db.sequelize, (message) => logger.info(message));
    if (fs.existsSync(env.SEED_FILE)) {
      await seedMasterData(db, JSON.parse(fs.readFileSync(env.SEED_FILE, 'utf8')) as SeedData);
      logger.info({ seedFile: env.SEED_FILE }, 'master data seeded where missing');
    }

    let devServer: DevServer | undefined;
    if (!env.TEMPORAL_ADDRESS) {
      await assertPortFree(env.TEMPORAL_PORT, 'Temporal dev server', 'TEMPORAL_PORT');
      await assertPortFree(env.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
      devServer = await startDevServer(
        {
          dbFilename: path.join(env.DATA_DIR, 'temporal.db'),
          port: env.TEMPORAL_PORT,
          uiPort: env.TEMPORAL_UI_PORT,
          namespace: env.TEMPORAL_NAMESPACE,
          cliPath: env.TEMPORAL_CLI_PATH,
        },
        logger,
      );
      cleanups.unshift(() => devServer!.shutdown());
    }
    return { db, temporalAddress: env.TEMPORAL_ADDRESS ?? devServer!.address, devServer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
