import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { openDatabase, type Database } from '../../models/db';
import { createMailer } from '../../activities/mailer';
import { createActivities, type DealActivities } from '../../activities';
import { createDealWorker } from '../../worker/deal-worker';
import { createApp } from '../../api/app';
import { DealService, dealWorkflowId } from '../../api/deal-service';
import type { DealSettings } from '../../domain/deal-state';
import { createApiClient, type ApiClient } from '../../scripts/scenario';
import { createUsersWithKeys, type UserSpec } from '../../scripts/create-user';
import { readMailbox, type ReceivedMail } from './smtp-receiver';
import { emailsSettled } from './emails-settled';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from './time-skipping';
import { ensureSearchAttributes } from '../../worker/search-attributes';

export const MESSAGE_ID_DOMAIN = 'glocial-machineries.example';
export const TEST_PORTAL_SECRET = 'test-portal-secret-of-at-least-32-characters';

export const defaultTestSettings: DealSettings = {
  currency: 'USD',
  timeZone: 'America/New_York',
  salesManager: 'dana',
  followUpRemindBefore: 'PT2H',
  invoicingPolicy: 'ordered',
  dunning: { remindBeforeDays: 3, overdueDays: [7, 14, 30] },
};

export interface Harness {
  db: Database;
  client: Client;
  deals: DealService;
  api: ApiClient;
  baseUrl: string;
  taskQueue: string;
  settings: DealSettings;
  /** A fresh API key for every seeded user and for `admin`, a user with the admin role. */
  keys: Map<string, string>;
  /** An API client authenticated as the given user; `api` is the one for `admin`. */
  apiAs(user: string): ApiClient;
  /** Headers that authenticate a raw fetch as the given user, `admin` by default. */
  authHeaders(user?: string): Record<string, string>;
  /** The activities bound to this harness's database and SMTP receiver, for calling them directly. */
  activities: DealActivities;
  /** The time-skipping environment, when the harness was started with `timeSkipping`; `env.sleep()` advances time. */
  env?: TestWorkflowEnvironment;
  /** Emails delivered for one deal, oldest first, once the deal has no email left to send. */
  mailsFor(dealNumber: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** Keeps the SDK's per-worker INFO lines out of test output; the runtime can be installed once per process. */
function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  } catch {
    // Already installed by an earlier test file in this process.
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup starts the services`);
  return value;
}

/**
 * Gives one test file its own database (a copy of the seeded template), task queue, worker and API on
 * the shared PostgreSQL, Temporal and SMTP servers. Deal numbers start at a base taken from the clock,
 * so workflow ids of different files never collide on the shared Temporal server.
 */
export async function startHarness(
  options: { settings?: Partial<DealSettings>; timeSkipping?: boolean } = {},
): Promise<Harness> {
  installQuietRuntime();
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `o2c_test_${suffix}`;
  const adminUrl = required('TEST_DATABASE_ADMIN_URL');
  const admin = openDatabase(adminUrl);
  await admin.sequelize.query(`CREATE DATABASE ${databaseName} TEMPLATE o2c_template`);
  await admin.sequelize.close();

  const db = openDatabase(adminUrl.replace(/\/[^/]+$/, `/${databaseName}`));
  const dealNumberBase = (Date.now() % 1_000_000_000) + 1;
  const seededUsers = (await db.models.User.findAll()).map((user) => user.get({ plain: true }) as UserSpec);
  const keys = await createUsersWithKeys(db, [
    ...seededUsers,
    { key: 'admin', name: 'Ada Admin', email: 'admin@glocial-machineries.example', roles: ['admin'] },
  ]);
  const keyOf = (user: string) => {
    const apiKey = keys.get(user);
    if (!apiKey) throw new Error(`no API key for user ${user} in the test harness`);
    return apiKey;
  };
  await db.sequelize.query(`ALTER SEQUENCE deal_number_seq RESTART WITH ${dealNumberBase}`);

  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const settings = { ...defaultTestSettings, ...options.settings };
  const taskQueue = `test-${suffix}`;
  const mailer = createMailer({
    from: 'sales@glocial-machineries.example',
    outboxDir: '',
    smtp: { host: '127.0.0.1', port: Number(required('TEST_SMTP_PORT')), secure: false },
  });
  // With time skipping, the worker and client use Java's test server instead of the shared dev server.
  const env = options.timeSkipping ? await createTimeSkippingEnv() : undefined;
  if (env) await ensureSearchAttributes(env.connection as Connection, 'default');
  const address = required('TEST_TEMPORAL_ADDRESS');
  // The worker signs portal links before the API's port is known, so the URL is filled in after listen.
  const portal = { secret: TEST_PORTAL_SECRET, publicUrl: '' };
  const workerConnection = env ? env.nativeConnection : await NativeConnection.connect({ address });
  const worker: Worker = await createDealWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    db,
    mailer,
    messageIdDomain: MESSAGE_ID_DOMAIN,
    portal,
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  const workerRun = worker.run();

  const clientConnection = env ? undefined : await Connection.connect({ address });
  const client = env ? env.client : new Client({ connection: clientConnection!, namespace: 'default' });
  const app = createApp({ client, db, taskQueue, settings, logger, portalSecret: TEST_PORTAL_SECRET });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  portal.publicUrl = baseUrl;
  const mailDir = required('TEST_MAIL_DIR');

  return {
    db,
    client,
    deals: new DealService(client, db, taskQueue, settings),
    api: createApiClient(baseUrl, keyOf('admin')),
    keys,
    apiAs: (user) => createApiClient(baseUrl, keyOf(user)),
    authHeaders: (user = 'admin') => ({ authorization: `Bearer ${keyOf(user)}` }),
    baseUrl,
    taskQueue,
    settings,
    activities: createActivities({ db, mailer, messageIdDomain: MESSAGE_ID_DOMAIN, portal }),
    env,
    async mailsFor(dealNumber) {
      await emailsSettled(client, dealWorkflowId(dealNumber));
      const marker = `<deal-${dealNumber}.step-`;
      return (await readMailbox(mailDir)).filter((mail) => mail.messageId.startsWith(marker));
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker.shutdown();
      await workerRun;
      if (env) {
        await env.teardown();
      } else {
        await clientConnection!.close();
        await workerConnection.close();
      }
      mailer.close();
      await db.sequelize.close();
      const cleanup = openDatabase(adminUrl);
      await cleanup.sequelize.query(`DROP DATABASE ${databaseName} WITH (FORCE)`);
      await cleanup.sequelize.close();
    },
  };
}
