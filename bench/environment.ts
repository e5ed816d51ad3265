import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { QueryTypes } from 'sequelize';
import { asyncLocalStorage } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { loadEnvironment, type Environment } from '../worker/config';
import { startEmbeddedPostgres } from '../worker/postgres';
import { findTemporalCli, startDevServer, type DevServer } from '../worker/temporal-server';
import { createDealWorker } from '../worker/deal-worker';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { loadDealSettings } from '../worker/settings';
import { openDatabase, type Database } from '../models/db';
import { migrate } from '../models/migrate';
import { seedMasterData, type SeedData } from '../models/seed';
import { createMailer } from '../activities/mailer';
import { createApp } from '../api/app';
import { DealService } from '../api/deal-service';
import type { DealSettings } from '../domain/deal-state';
import { createUsersWithKeys } from '../scripts/create-user';

/**
 * Starts what the benchmark measures in one process, as `npm start` runs it. PostgreSQL is embedded or
 * a new database on DATABASE_URL's server, and Temporal is an in-memory dev server or TEMPORAL_ADDRESS.
 * The deal worker, a baseline worker and the HTTP API (on a free loopback port) run in this process.
 */

export interface Versions {
  temporalCli: string;
  temporalServer: string;
  sdk: string;
  postgres: string;
  node: string;
}

/**
 * Counts the SQL statements sent through the shared Sequelize instance, per activity type that sent
 * them. Statements sent outside an activity (API handlers, the benchmark) count as `api`.
 */
export class QueryCounter {
  total = 0;
  readonly bySource = new Map<string, number>();
  /** Statements kept while `capture` is set, for EXPLAIN. */
  captured: string[] | undefined;

  readonly log = (sql: string): void => {
    this.total += 1;
    const source = asyncLocalStorage.getStore()?.info.activityType ?? 'api';
    this.bySource.set(source, (this.bySource.get(source) ?? 0) + 1);
    if (this.captured && this.captured.length < 100) this.captured.push(sql.replace(/^Executing \([^)]*\): /, ''));
  };

  snapshot(): Map<string, number> {
    return new Map(this.bySource);
  }
}

export interface BenchEnvironment {
  env: Environment;
  db: Database;
  queries: QueryCounter;
  client: Client;
  deals: DealService;
  settings: DealSettings;
  namespace: string;
  taskQueue: string;
  dealWorker: Worker;
  baselineTaskQueue: string;
  baselineWorker: Worker;
  baseUrl: string;
  /** API keys of the seed file's users, by user key. */
  keys: Map<string, string>;
  /** Prefix of every workflow id this run creates besides the deals' own. */
  runId: string;
  /** Connection settings of PostgreSQL and Temporal, for a separate worker process. */
  databaseUrl: string;
  temporalAddress: string;
  versions: Versions;
  /** Origin of PostgreSQL and Temporal, for the report. */
  sources: { postgres: string; temporal: string };
  close(): Promise<void>;
}

/** Goods added to every product's stock, so no deal of the run is backordered. */
const STOCK_FOR_BENCH = 1_000_000;

/** Prints a progress line to stderr, so stdout carries only the report. */
export function progress(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Asks the kernel for a free loopback port. */
async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const MAX_PRINTED_SDK_WARNINGS = 50;

/**
 * Installs the SDK runtime with a logger that receives every entry at INFO and above, as under
 * `npm start`, but prints only WARN and ERROR entries to stderr.
 */
function installRuntime(): void {
  let printedWarnings = 0;
  const logger = new DefaultLogger('INFO', (entry: LogEntry) => {
    if (entry.level !== 'WARN' && entry.level !== 'ERROR') return;
    printedWarnings += 1;
    if (printedWarnings <= MAX_PRINTED_SDK_WARNINGS) {
      console.error(`[temporal ${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {})}`);
    }
    if (printedWarnings === MAX_PRINTED_SDK_WARNINGS) console.error('[temporal] further SDK warnings and errors are not printed');
  });
  Runtime.install({ logger, shutdownSignals: [] });
}

/**
 * Creates the API's and the mailer's logger. It serializes every line at `info` as under `npm start`
 * but writes them to /dev/null. Warnings and errors also go to stderr.
 */
function appLogger(): Logger {
  return pino(
    { level: 'info' },
    pino.multistream([
      { level: 'info', stream: pino.destination({ dest: os.devNull, sync: true }) },
      { level: 'warn', stream: process.stderr },
    ]),
  );
}

function readSdkVersion(): string {
  const manifest = path.join(path.dirname(require.resolve('@temporalio/worker')), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function cliVersion(cli: string | undefined): string {
  if (!cli) return 'none (SDK download or existing server)';
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    return `unknown (${cli} --version failed: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Creates a throwaway database on DATABASE_URL's server, or starts an embedded PostgreSQL on a free
 * port in a temporary folder. Returns its URL and the cleanup that removes it.
 */
async function startDatabase(env: Environment, infraLogger: Logger, runId: string): Promise<{ url: string; source: string; drop: () => Promise<void> }> {
  if (env.DATABASE_URL) {
    const databaseName = `o2c_bench_${runId}`;
    const admin = openDatabase(env.DATABASE_URL);
    try {
      await admin.sequelize.query(`CREATE DATABASE ${databaseName}`);
    } catch (error) {
      throw new Error(
        `could not create the benchmark database ${databaseName} on DATABASE_URL's server (the user needs CREATEDB): ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await admin.sequelize.close();
    }
    const url = new URL(env.DATABASE_URL);
    url.pathname = `/${databaseName}`;
    return {
      url: url.toString(),
      source: `DATABASE_URL server, database ${databaseName} (dropped afterwards)`,
      drop: async () => {
        const cleanup = openDatabase(env.DATABASE_URL!);
        try {
          await cleanup.sequelize.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
        } finally {
          await cleanup.sequelize.close();
        }
      },
    };
  }
  const embedded = await startEmbeddedPostgres({ port: await findFreePort() }, infraLogger);
  return { url: embedded.url, source: 'embedded PostgreSQL, throwaway cluster in the temp folder', drop: () => embedded.stop() };
}

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const env = loadEnvironment();
  const runId = randomBytes(4).toString('hex');
  const infraLogger = pino({ level: 'warn' }, process.stderr);
  const logger = appLogger();
  installRuntime();

  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const close = async () => {
    for (const cleanup of cleanups) {
      try {
        await cleanup.run();
      } catch (error) {
        console.error(`[bench] cleanup "${cleanup.name}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    progress('starting PostgreSQL');
    const database = await startDatabase(env, infraLogger, runId);
    cleanups.unshift({ name: 'database', run: database.drop });
    const queries = new QueryCounter();
    const db = openDatabase(database.url, { logging: queries.log });
    cleanups.unshift({ name: 'database pool', run: () => db.sequelize.close() });
    await migrate(db.sequelize);
    const seed = JSON.parse(fs.readFileSync(env.SEED_FILE, 'utf8')) as SeedData;
    await seedMasterData(db, seed);
    const keys = await createUsersWithKeys(db, seed.users);
    await db.sequelize.query(`UPDATE products SET on_hand = on_hand + ${STOCK_FOR_BENCH} WHERE kind = 'goods'`);
    // Deal numbers are part of workflow ids, so a base from the clock keeps them apart from deals on a reused server.
    await db.sequelize.query(`ALTER SEQUENCE deal_number_seq RESTART WITH ${(Date.now() % 1_000_000_000) + 1}`);
    const { emailFrom, ...settings } = await loadDealSettings(db, env);

    let devServer: DevServer | undefined;
    let address = env.TEMPORAL_ADDRESS;
    let cli: string | undefined;
    if (!address) {
      progress('starting the Temporal dev server (in memory)');
      cli = findTemporalCli(env.TEMPORAL_CLI_PATH);
      devServer = await startDevServer({ namespace: env.TEMPORAL_NAMESPACE, cliPath: env.TEMPORAL_CLI_PATH }, infraLogger);
      cleanups.push({ name: 'Temporal dev server', run: () => devServer!.shutdown() });
      address = devServer.address;
    }
    const connection = await Connection.connect({ address });
    cleanups.unshift({ name: 'client connection', run: () => connection.close() });
    await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE);
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    const systemInfo = await connection.workflowService.getSystemInfo({});

    progress('bundling workflows and starting the deal and baseline workers');
    const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'o2c-bench-outbox-'));
    cleanups.push({ name: 'outbox folder', run: async () => fs.rmSync(outboxDir, { recursive: true, force: true }) });
    const mailer = createMailer({ from: emailFrom, outboxDir }, logger);
    const nativeConnection = await NativeConnection.connect({ address });
    const taskQueue = `bench-deals-${runId}`;
    // A throwaway secret signs the portal links in estimate emails. Their URL is set once the API listens.
    const portal = { secret: randomBytes(32).toString('base64url'), publicUrl: '' };
    const dealWorker = await createDealWorker({
      connection: nativeConnection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      db,
      mailer,
      messageIdDomain: emailFrom.split('@')[1] ?? 'localhost',
      portal,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    });
    const baselineTaskQueue = `bench-baseline-${runId}`;
    const baselineWorker = await Worker.create({
      connection: nativeConnection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: baselineTaskQueue,
      workflowsPath: require.resolve('./baseline-workflow'),
      activities: { noop: async () => undefined },
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    });
    const runs = [dealWorker.run(), baselineWorker.run()];
    cleanups.unshift({
      name: 'workers',
      run: async () => {
        dealWorker.shutdown();
        baselineWorker.shutdown();
        await Promise.all(runs);
        await nativeConnection.close();
        mailer.close();
      },
    });

    const app = createApp({ client, db, taskQueue, settings, logger, portalSecret: portal.secret });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    cleanups.unshift({ name: 'API server', run: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    portal.publicUrl = baseUrl;

    const [postgresVersion] = await db.sequelize.query<{ version: string }>('SELECT version()', { type: QueryTypes.SELECT });
    const reusedTemporal = env.TEMPORAL_ADDRESS !== undefined;
    if (reusedTemporal) {
      // Deals and baseline workflows this run leaves open would otherwise stay on the reused server.
      cleanups.unshift({ name: 'open workflows', run: () => terminateOpenWorkflows(client, [taskQueue, baselineTaskQueue]) });
    }

    return {
      env,
      db,
      queries,
      client,
      deals: new DealService(client, db, taskQueue, settings),
      settings,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      dealWorker,
      baselineTaskQueue,
      baselineWorker,
      baseUrl,
      keys,
      runId,
      databaseUrl: database.url,
      temporalAddress: address,
      versions: {
        temporalCli: cliVersion(cli),
        temporalServer: systemInfo.serverVersion || 'unknown',
        sdk: readSdkVersion(),
        postgres: postgresVersion.version,
        node: process.version,
      },
      sources: {
        postgres: database.source,
        temporal: reusedTemporal ? `TEMPORAL_ADDRESS ${address}` : 'Temporal CLI dev server, in-memory SQLite',
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const TERMINATE_LIMIT = 50_000;

/** Terminates the running workflows of the given task queues, at most TERMINATE_LIMIT of them. */
async function terminateOpenWorkflows(client: Client, taskQueues: string[]): Promise<void> {
  const queues = taskQueues.map((queue) => `'${queue}'`).join(', ');
  let terminated = 0;
  for await (const execution of client.workflow.list({ query: `TaskQueue IN (${queues}) AND ExecutionStatus = 'Running'` })) {
    if (terminated >= TERMINATE_LIMIT) break;
    await client.workflow.getHandle(execution.workflowId).terminate('benchmark finished').catch(() => undefined);
    terminated += 1;
  }
  if (terminated > 0) progress(`terminated ${terminated} workflows the benchmark left running on the reused server`);
}
