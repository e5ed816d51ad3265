import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../worker/postgres';
import { startDevServer } from '../../worker/temporal-server';
import { openDatabase } from '../../models/db';
import { migrate } from '../../models/migrate';
import { seedMasterData, type SeedData } from '../../models/seed';
import { startSmtpReceiver } from './smtp-receiver';
import { ensureSearchAttributes } from '../../worker/search-attributes';
import type { Connection } from '@temporalio/client';
import { findFreePort } from './ports';

export const TEMPLATE_DATABASE = 'o2c_template';

/**
 * Starts the real services every suite shares: a throwaway PostgreSQL with a migrated, seeded template
 * database, a Temporal CLI dev server, an SMTP receiver, and the workflow bundle. Their addresses reach
 * the test files through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'o2c-test-'));

  const postgres = await startEmbeddedPostgres({ port: await findFreePort() }, logger);
  const adminUrl = postgres.url;
  const admin = openDatabase(adminUrl);
  await admin.sequelize.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.sequelize.close();
  const templateUrl = adminUrl.replace(/\/[^/]+$/, `/${TEMPLATE_DATABASE}`);
  const template = openDatabase(templateUrl);
  await migrate(template.sequelize);
  const seed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'scenarios', 'glocial-machineries.json'), 'utf8'));
  await seedMasterData(template, seed as SeedData);
  await template.sequelize.close();

  const temporal = await startDevServer({ namespace: 'default', cliPath: process.env.TEMPORAL_CLI_PATH }, logger);
  await ensureSearchAttributes(temporal.env.connection as Connection, 'default');

  const mailDir = path.join(workDir, 'mail');
  const smtp = await startSmtpReceiver(mailDir);

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/deal'), logger: { log: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined } });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  Object.assign(process.env, {
    TEST_DATABASE_ADMIN_URL: adminUrl,
    TEST_TEMPORAL_ADDRESS: temporal.address,
    TEST_SMTP_PORT: String(smtp.port),
    TEST_MAIL_DIR: mailDir,
    TEST_WORKFLOW_BUNDLE: bundlePath,
  });
  (globalThis as Record<string, unknown>).__o2cServices = { postgres, temporal, smtp, workDir };
}
