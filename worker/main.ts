import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadEnvironment } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './postgres';
import { startDevServer, type DevServer } from './temporal-server';
import { createDealWorker } from './deal-worker';
import { assertPortFree } from './ports';
import { loadDealSettings } from './settings';
import { openDatabase } from '../models/db';
import { migrate } from '../models/migrate';
import { seedMasterData, type SeedData } from '../models/seed';
import { createMailer } from '../activities/mailer';
import { createApp } from '../api/app';

/**
 * `npm start`: starts PostgreSQL and Temporal when none is configured, migrates, then runs the worker
 * and the HTTP API in this one process until SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  const env = loadEnvironment();
  const logger = pino({ level: env.LOG_LEVEL });
  // The SDK would stop the worker on SIGINT and SIGTERM by itself; stop() below does it in order instead.
  Runtime.install({ shutdownSignals: [] });
  const cleanups: (() => Promise<void>)[] = [];

  await assertPortFree(env.PORT, 'API', 'PORT');
  let embeddedDb: EmbeddedDatabase | undefined;
  if (!env.DATABASE_URL) {
    await assertPortFree(env.EMBEDDED_POSTGRES_PORT, 'embedded PostgreSQL', 'EMBEDDED_POSTGRES_PORT');
    embeddedDb = await startEmbeddedPostgres({ dataDir: path.join(env.DATA_DIR, 'postgres'), port: env.EMBEDDED_POSTGRES_PORT }, logger);
    cleanups.unshift(() => embeddedDb!.stop());
  }
  const db = openDatabase(env.DATABASE_URL ?? embeddedDb!.url);
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
  const address = env.TEMPORAL_ADDRESS ?? devServer!.address;

  const { emailFrom, ...settings } = await loadDealSettings(db, env);
  const mailer = createMailer(
    {
      from: emailFrom,
      outboxDir: env.OUTBOX_DIR,
      smtp: env.SMTP_HOST
        ? { host: env.SMTP_HOST, port: env.SMTP_PORT, secure: env.SMTP_SECURE === 'true', user: env.SMTP_USER, password: env.SMTP_PASSWORD }
        : undefined,
    },
    logger,
  );
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createDealWorker({
    connection: workerConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    db,
    mailer,
    messageIdDomain: emailFrom.split('@')[1] ?? 'localhost',
  });
  const workerRun = worker.run();

  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
  const app = createApp({ client, db, taskQueue: env.TEMPORAL_TASK_QUEUE, settings, logger });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(env.PORT, env.HOST, () => resolve(listening));
  });

  const apiUrl = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
  logger.info({ api: apiUrl, temporalUi: devServer?.uiUrl, temporal: address }, 'ready');
  console.log(`\nAPI:         ${apiUrl}`);
  if (devServer?.uiUrl) console.log(`Temporal UI: ${devServer.uiUrl}`);
  console.log(`Emails:      ${env.SMTP_HOST ? `SMTP ${env.SMTP_HOST}:${env.SMTP_PORT}` : path.resolve(env.OUTBOX_DIR)}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    worker.shutdown();
    await workerRun;
    await clientConnection.close();
    await workerConnection.close();
    mailer.close();
    for (const cleanup of cleanups) await cleanup();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await workerRun;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
