import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openDatabase } from '../../models/db';
import { createMailer } from '../../activities/mailer';
import { createDealWorker } from '../../worker/deal-worker';

/**
 * Entry point of a deal worker in its own Node process, for tests that kill the worker with SIGKILL.
 * Start it with `node --import tsx test/support/worker-process.ts` (test/support/worker-child.ts does
 * this). It reads its settings from environment variables:
 *
 * - DATABASE_URL: the test file's own database
 * - TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: the dev server and the queue to poll
 * - SMTP_PORT: the SMTP receiver on 127.0.0.1
 * - WORKFLOW_BUNDLE: path of the workflow bundle that global setup wrote
 * - MESSAGE_ID_DOMAIN: domain part of the Message-IDs of sent emails
 *
 * It prints `worker ready` on stdout once the worker is created and polling starts. It exits when its
 * stdin closes, so a test process that dies without killing it does not leave it running.
 */

const READY_LINE = 'worker ready';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start this process through test/support/worker-child.ts`);
  return value;
}

async function main(): Promise<void> {
  const databaseUrl = required('DATABASE_URL');
  const address = required('TEMPORAL_ADDRESS');
  const taskQueue = required('TEMPORAL_TASK_QUEUE');
  const smtpPort = Number(required('SMTP_PORT'));
  const workflowBundle = required('WORKFLOW_BUNDLE');
  const messageIdDomain = required('MESSAGE_ID_DOMAIN');

  Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  const db = openDatabase(databaseUrl);
  const mailer = createMailer({
    from: 'sales@glocial-machineries.example',
    outboxDir: '',
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
  });
  const connection = await NativeConnection.connect({ address });
  const worker = await createDealWorker({
    connection,
    namespace: 'default',
    taskQueue,
    db,
    mailer,
    messageIdDomain,
    // This worker's tests open no portal link, so the link points nowhere in particular.
    portal: { secret: 'crash-test-portal-secret-of-32-characters', publicUrl: 'http://127.0.0.1:9' },
    workflowBundle: { codePath: workflowBundle },
  });

  const run = worker.run();
  process.stdin.on('end', () => {
    console.error('worker process: stdin closed because the test process exited, so this process exits too');
    process.exit(1);
  });
  process.stdin.resume();
  console.log(READY_LINE);

  await run;
  await connection.close();
  mailer.close();
  await db.sequelize.close();
}

main().catch((error) => {
  console.error('worker process failed:', error);
  process.exit(1);
});
