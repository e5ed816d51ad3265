import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../support/time-skipping';
import {
  addNote,
  getInvoice,
  invoiceDueWorkflow,
  recordPayment,
  type DunningNotice,
  type SmokeActivities,
} from './smoke-workflows';

/**
 * Runs a 30-day payment term on Temporal's Java time-skipping test server, so the due-date timer fires in
 * seconds. These tests need Java, and Maven on the first run on a machine, but none of the services that
 * jest's global setup starts.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** Wall-clock limit for a test that crosses the 30-day term: far above the few seconds it takes, far below 30 days. */
const MAX_WALL_MS = 30_000;

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;
const taskQueue = `time-skipping-smoke-${randomUUID()}`;
const notices: DunningNotice[] = [];

const activities: SmokeActivities = {
  async sendDunningNotice(notice) {
    notices.push(notice);
  },
};

beforeAll(async () => {
  // The first run on a machine resolves the server's jars with Maven, so this hook allows more than the default 60 s.
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./smoke-workflows'),
    activities,
  });
  workerRun = worker.run();
}, 300_000);

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
});

async function startInvoice(amountCents: number): Promise<WorkflowHandle<typeof invoiceDueWorkflow>> {
  const invoiceNumber = `INV-${randomUUID()}`;
  return env.client.workflow.start(invoiceDueWorkflow, {
    args: [{ invoiceNumber, amountCents }],
    taskQueue,
    workflowId: invoiceNumber,
  });
}

function noticesFor(invoiceNumber: string): DunningNotice[] {
  return notices.filter((notice) => notice.invoiceNumber === invoiceNumber);
}

/** Returns the error that `promise` rejects with, and fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

test('env sleep fires 30-day term', async () => {
  const wallStart = Date.now();
  const serverStart = await env.currentTimeMs();
  const handle = await startInvoice(10_000);

  const afterPayment = await handle.executeUpdate(recordPayment, { args: [4_000] });
  expect(afterPayment.paidCents).toBe(4_000);

  await handle.signal(addNote, 'Customer promised the rest next month');
  const open = await handle.query(getInvoice);
  expect(open.status).toBe('open');
  expect(open.paidCents).toBe(4_000);
  expect(open.notes).toEqual(['Customer promised the rest next month']);
  expect(noticesFor(handle.workflowId)).toEqual([]);

  await env.sleep('31 days');
  const result = await handle.result();

  expect(result.status).toBe('overdue');
  expect(result.notes).toEqual(['Customer promised the rest next month']);
  const sent = noticesFor(handle.workflowId);
  expect(sent).toHaveLength(1);
  expect(sent[0].outstandingCents).toBe(6_000);
  expect(Date.parse(sent[0].sentAt) - Date.parse(result.openedAt)).toBeGreaterThanOrEqual(30 * DAY_MS);
  expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(31 * DAY_MS);
  expect(Date.now() - wallStart).toBeLessThan(MAX_WALL_MS);
});

test('awaiting result skips the term', async () => {
  const wallStart = Date.now();
  const handle = await startInvoice(2_500);

  const result = await handle.result();

  expect(result.status).toBe('overdue');
  expect(Date.parse(result.closedAt ?? '') - Date.parse(result.openedAt)).toBeGreaterThanOrEqual(30 * DAY_MS);
  const sent = noticesFor(handle.workflowId);
  expect(sent).toHaveLength(1);
  expect(sent[0].outstandingCents).toBe(2_500);
  expect(Date.now() - wallStart).toBeLessThan(MAX_WALL_MS);
});

test('update validator rejects bad payments', async () => {
  const handle = await startInvoice(5_000);

  const negative = await rejectionOf(handle.executeUpdate(recordPayment, { args: [-5] }));
  expect(negative).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((negative as WorkflowUpdateFailedError).cause?.message).toBe('invalid payment -5: expected a positive whole number of cents');

  const tooMuch = await rejectionOf(handle.executeUpdate(recordPayment, { args: [5_001] }));
  expect(tooMuch).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((tooMuch as WorkflowUpdateFailedError).cause?.message).toBe('invalid payment 5001: exceeds the outstanding 5000 cents');

  expect((await handle.query(getInvoice)).paidCents).toBe(0);

  // Its 30-day timer would otherwise fire while a later test lets the server skip time.
  await handle.terminate('test finished');
});

test('full payment closes without dunning', async () => {
  const handle = await startInvoice(5_000);

  const afterPayment = await handle.executeUpdate(recordPayment, { args: [5_000] });
  expect(afterPayment.paidCents).toBe(5_000);

  const result = await handle.result();
  expect(result.status).toBe('paid');
  expect(Date.parse(result.closedAt ?? '') - Date.parse(result.openedAt)).toBeLessThan(DAY_MS);
  expect(noticesFor(handle.workflowId)).toEqual([]);
});
