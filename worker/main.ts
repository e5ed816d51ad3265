import path from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadEnvironment } from './config';
import { assertPortFree } from './ports';
import { startServices } from './services';
import { createDealWorker } from './deal-worker';
import { ensureSearchAttributes } from './search-attributes';
import { loadDealSettings } from './settings';
import { resolvePortalSecret } from './portal-secret';
import { createMailer } from '../activities/mailer';
import { createApp } from '../api/app';

/**
 * `npm start`: starts PostgreSQL and Temporal when none is configured, migrates, then runs the worker
 * and the HTTP API until SIGINT or SIGTERM. ROLE=api or ROLE=worker runs only one of the two, for
 * deployments that scale them apart.
 */
async function main(): Promise<void> {
  const env = loadEnvironment();
  const logger = pino({ level: env.LOG_LEVEL });
  // The SDK would stop the worker on SIGINT and SIGTERM by itself; stop() below does it in order instead.
  Runtime.install({ shutdownSignals: [] });
  const runApi = env.ROLE !== 'worker';
  const runWorker = env.ROLE !== 'api';

  if (runApi) await assertPortFree(env.PORT, 'API', 'PORT');
  const services = await startServices(env, logger);
  const { db, temporalAddress: address, devServer } = services;
  const { emailFrom, ...settings } = await loadDealSettings(db, env);
  const apiUrl = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
  const portal = { secret: resolvePortalSecret(env.PORTAL_SECRET, env.DATA_DIR, logger), publicUrl: env.PUBLIC_URL ?? apiUrl };
  const stops: (() => Promise<void>)[] = [];
  const operatorConnection = await Connection.connect({ address });
  await ensureSearchAttributes(operatorConnection, env.TEMPORAL_NAMESPACE, logger);
  await operatorConnection.close();

  let workerRun: Promise<void> | undefined;
  if (runWorker) {
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
    const connection = await NativeConnection.connect({ address });
    const worker: Worker = await createDealWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      db,
      mailer,
      messageIdDomain: emailFrom.split('@')[1] ?? 'localhost',
      portal,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    });
    workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun;
      await connection.close();
      mailer.close();
    });
  }

  if (runApi) {
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    const app = createApp({ client, db, taskQueue: env.TEMPORAL_TASK_QUEUE, settings, logger, portalSecret: portal.secret });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(env.PORT, env.HOST, () => resolve(listening));
    });
    stops.unshift(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    });
    console.log(`\nAPI:         ${apiUrl}`);
    logger.info({ api: apiUrl }, 'API listening');
  }
  if (devServer?.uiUrl) console.log(`Temporal UI: ${devServer.uiUrl}`);
  if (runWorker) console.log(`Emails:      ${env.SMTP_HOST ? `SMTP ${env.SMTP_HOST}:${env.SMTP_PORT}` : path.resolve(env.OUTBOX_DIR)}\n`);
  logger.info({ role: env.ROLE, temporal: address, temporalUi: devServer?.uiUrl }, 'ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const stopPart of stops) await stopPart();
    await services.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (workerRun) await workerRun;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
