import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DealService, dealWorkflowId } from '../../api/deal-service';
import * as wf from '../../workflows/deal';
import type { DealState } from '../../domain/deal-state';
import { defaultTestSettings, MESSAGE_ID_DOMAIN } from '../support/harness';
import { lines } from '../support/deal-driver';
import { readMailbox } from '../support/smtp-receiver';
import { emailsSettled } from '../support/emails-settled';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ensureCustomer } from '../support/deal-driver';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-child';

/**
 * Kills the deal worker with SIGKILL while a batch of deals is moving through its steps, then starts a
 * new worker on the same task queue. Every deal must finish with each document, stock movement, email and
 * timeline row written once. The worker runs in a child process (test/support/worker-process.ts), and
 * this process drives the deals with the Temporal client.
 */

const DEAL_COUNT = 12;
/** The worker is killed once this many steps of the batch have completed, about a third of them. */
const KILL_AFTER_STEPS = 48;
/**
 * Time for the batch after the kill. An activity that was running in the killed worker is retried only
 * after its start-to-close timeout: 30 s for document activities and 1 min for emails (workflows/context.ts).
 */
const RECOVERY_TIMEOUT_MS = 240_000;
const STOCK_ON_HAND = 1000;
const EXPECTED_PHASE = 'payment';
const EXPECTED_EMAIL_KINDS = ['estimate', 'invoice', 'order_confirmation', 'qa_passed', 'shipment_notice'];

type Handle = ReturnType<Client['workflow']['getHandle']>;

/** Updates that take a new lead to phase payment, through shipment, invoice and sending the invoice. */
const steps: { name: string; run: (handle: Handle, deal: DealState) => Promise<DealState> }[] = [
  { name: 'qualify', run: (h) => h.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] }) },
  { name: 'convert', run: (h) => h.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Second line lathe' }] }) },
  { name: 'estimate', run: (h) => h.executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: lines.first }] }) },
  { name: 'send estimate', run: (h) => h.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] }) },
  { name: 'approve', run: (h) => h.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] }) },
  { name: 'order', run: (h) => h.executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] }) },
  {
    name: 'inspect',
    run: (h) => h.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['spindle runout'] }] }),
  },
  { name: 'pick release', run: (h) => h.executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] }) },
  {
    name: 'ship',
    run: (h, d) =>
      h.executeUpdate(wf.shipOrder, { args: [{ actor: 'dev', carrier: 'Buckeye Heavy Haul', trackingNumber: `BHH-${d.dealNumber}`, lines: 'all' }] }),
  },
  { name: 'invoice', run: (h) => h.executeUpdate(wf.createInvoice, { args: [{ actor: 'fin', from: 'order' }] }) },
  { name: 'send invoice', run: (h, d) => h.executeUpdate(wf.sendInvoice, { args: [d.invoices[0].number, { actor: 'fin' }] }) },
];
/** Creating the deal is a step of its own, so each deal records this many timeline entries. */
const STEPS_PER_DEAL = steps.length + 1;
const TOTAL_STEPS = DEAL_COUNT * STEPS_PER_DEAL;

let database: TestDatabase;
let connection: Connection;
let client: Client;
let deals: DealService;
let taskQueue: string;
const workers: WorkerProcess[] = [];

/** Observations of the crash test, for the checks after it. */
const run = {
  dealNumbers: [] as number[],
  finalStates: new Map<number, DealState>(),
  stepsAtKill: -1,
  killSignal: null as NodeJS.Signals | null,
  pendingEmailsAtKill: new Set<string>(),
  goods: [] as string[],
};

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    databaseUrl: database.url,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue,
    smtpPort: Number(process.env.TEST_SMTP_PORT),
    workflowBundle: process.env.TEST_WORKFLOW_BUNDLE!,
    messageIdDomain: MESSAGE_ID_DOMAIN,
  });
  workers.push(worker);
  return worker;
}

async function rows<T>(sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
  const [result] = await database.db.sequelize.query(sql, { replacements });
  return result as T[];
}

/** Runs a query of (deal_number, count) rows and returns the counts by deal number, 0 for deals it omits. */
async function countsByDeal(sql: string): Promise<Record<number, number>> {
  const counts: Record<number, number> = Object.fromEntries(run.dealNumbers.map((n) => [n, 0]));
  for (const row of await rows<{ deal_number: number; count: string }>(sql)) counts[row.deal_number] = Number(row.count);
  return counts;
}

/** Waits for `promise`, or fails with `message()` after `ms` milliseconds. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once some deal of the batch has an activity that a worker has started and not finished. */
async function activityRunning(timeoutMs: number): Promise<void> {
  const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const dealNumber of run.dealNumbers) {
      const description = await client.workflow.getHandle(dealWorkflowId(dealNumber)).describe();
      if ((description.raw.pendingActivities ?? []).some((activity) => activity.state === PENDING_ACTIVITY_STATE_STARTED)) return;
    }
  }
  throw new Error(`no activity of the batch was running within ${timeoutMs} ms of the kill point`);
}

function eachDeal<T>(value: T): Record<number, T> {
  return Object.fromEntries(run.dealNumbers.map((n) => [n, value]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.sequelize.query(`UPDATE products SET on_hand = ${STOCK_ON_HAND} WHERE kind = 'goods'`);
  run.goods = (await rows<{ sku: string }>(`SELECT sku FROM products WHERE kind = 'goods' ORDER BY sku`)).map((row) => row.sku);
  taskQueue = `crash-${randomBytes(4).toString('hex')}`;
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  client = new Client({ connection, namespace: 'default' });
  deals = new DealService(client, database.db, taskQueue, defaultTestSettings);
  await startWorker();
}, 60_000);

afterAll(async () => {
  // Each part is cleaned up even when an earlier one fails, and the child workers go first.
  const results = await Promise.allSettled(workers.map((worker) => worker.kill('SIGKILL')));
  results.push(...(await Promise.allSettled([connection?.close()])));
  results.push(...(await Promise.allSettled([database?.drop()])));
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) throw new Error(`cleanup failed: ${failed.map((result) => String(result.reason)).join('; ')}`);
});

test('batch finishes after worker kill', async () => {
  const customerId = await ensureCustomer(database);
  let stepsDone = 0;
  let reachKillPoint!: () => void;
  const killPoint = new Promise<void>((resolve) => (reachKillPoint = resolve));
  const stepDone = () => {
    stepsDone += 1;
    if (stepsDone === KILL_AFTER_STEPS) reachKillPoint();
  };
  const lastStep = new Map<number, string>();

  async function driveDeal(index: number): Promise<DealState> {
    let deal = await deals.createDeal({ actor: 'sofia', customerId, source: 'trade show', interest: `lathe ${index}` });
    run.dealNumbers.push(deal.dealNumber);
    lastStep.set(deal.dealNumber, 'create');
    stepDone();
    const handle = client.workflow.getHandle(dealWorkflowId(deal.dealNumber));
    for (const step of steps) {
      deal = await step.run(handle, deal);
      lastStep.set(deal.dealNumber, step.name);
      stepDone();
    }
    run.finalStates.set(deal.dealNumber, deal);
    return deal;
  }

  const batch = Promise.allSettled(Array.from({ length: DEAL_COUNT }, (_, index) => driveDeal(index)));
  await within(killPoint, 60_000, () => `only ${stepsDone} of ${KILL_AFTER_STEPS} steps done within 60 s; worker output:\n${workers[0].output()}`);

  // Kill while an activity is running in the worker, so the kill cuts one off.
  await activityRunning(20_000);
  const first = workers[0];
  run.stepsAtKill = stepsDone;
  await first.kill('SIGKILL');
  run.killSignal = (await first.exited).signal;
  const pending = await rows<{ message_id: string }>(`SELECT message_id FROM emails WHERE status = 'pending'`);
  run.pendingEmailsAtKill = new Set(pending.map((row) => row.message_id));

  const second = await startWorker();
  const outcomes = await within(batch, RECOVERY_TIMEOUT_MS, () => {
    const stuck = [...lastStep].filter(([n]) => !run.finalStates.has(n)).map(([n, step]) => `deal ${n} after ${step}`);
    return `batch not finished ${RECOVERY_TIMEOUT_MS} ms after the kill: ${stuck.join(', ')}; new worker output:\n${second.output()}`;
  });

  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
  expect(failures).toEqual([]);
  // Steps return before their emails go out, and an email cut off by the kill is retried only after its
  // one-minute start-to-close timeout, so the email checks below wait for every deal's emails.
  await Promise.all(run.dealNumbers.map((n) => emailsSettled(client, dealWorkflowId(n), 90_000)));
  expect(run.killSignal).toBe('SIGKILL');
  expect(run.stepsAtKill).toBeLessThan(TOTAL_STEPS);
}, RECOVERY_TIMEOUT_MS + 180_000);

test('kill cuts off running activities', async () => {
  // Without an activity cut off by the kill, the batch would not test retries. An attempt that ran in the
  // killed worker ends with a start-to-close timeout, and the new worker runs the next attempt. The deal
  // workflow sets no other activity timeout, and retries after other failures do not count.
  const timedOut: string[] = [];
  for (const dealNumber of run.dealNumbers) {
    const history = await client.workflow.getHandle(dealWorkflowId(dealNumber)).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.activityTaskStartedEventAttributes;
      if (started?.lastFailure?.timeoutFailureInfo) timedOut.push(`deal ${dealNumber}: ${started.lastFailure.message}`);
    }
  }
  expect(timedOut.length).toBeGreaterThan(0);
});

test('every deal reaches payment phase', () => {
  const phases = Object.fromEntries([...run.finalStates].map(([n, deal]) => [n, deal.phase]));
  expect(phases).toEqual(eachDeal(EXPECTED_PHASE));
});

test('deal rows record payment phase', async () => {
  expect(await countsByDeal(`SELECT number AS deal_number, count(*) FROM deals WHERE phase = '${EXPECTED_PHASE}' GROUP BY number`)).toEqual(
    eachDeal(1),
  );
});

describe('one document per deal', () => {
  test.each([
    ['estimate', 'SELECT deal_number, count(*) FROM estimates GROUP BY deal_number'],
    ['sales order', 'SELECT deal_number, count(*) FROM sales_orders GROUP BY deal_number'],
    [
      'sales receipt',
      'SELECT o.deal_number, count(*) FROM sales_receipts r JOIN sales_orders o ON o.number = r.order_number GROUP BY o.deal_number',
    ],
    ['shipment', 'SELECT o.deal_number, count(*) FROM shipments s JOIN sales_orders o ON o.number = s.order_number GROUP BY o.deal_number'],
    ['invoice', 'SELECT deal_number, count(*) FROM invoices GROUP BY deal_number'],
  ])('one %s per deal', async (_document, sql) => {
    expect(await countsByDeal(sql)).toEqual(eachDeal(1));
  });
});

describe('stock after the batch', () => {
  /** Goods quantities the batch ordered, by SKU. Services take no stock. */
  function expectedShipped(): Record<string, number> {
    const shipped: Record<string, number> = {};
    for (const line of lines.first.filter((candidate) => run.goods.includes(candidate.sku))) {
      shipped[line.sku] = (shipped[line.sku] ?? 0) + line.quantity * run.dealNumbers.length;
    }
    return shipped;
  }

  async function shippedBySku(): Promise<Record<string, number>> {
    const shipped = await rows<{ sku: string; quantity: string }>(
      `SELECT line->>'sku' AS sku, sum((line->>'quantity')::int) AS quantity
         FROM shipments, jsonb_array_elements(lines) AS line GROUP BY 1`,
    );
    return Object.fromEntries(shipped.map((row) => [row.sku, Number(row.quantity)]));
  }

  test('shipments carry ordered quantities', async () => {
    expect(await shippedBySku()).toEqual(expectedShipped());
  });

  test('movements equal shipped quantities', async () => {
    const moved = await rows<{ sku: string; quantity: string }>(`SELECT sku, sum(quantity) AS quantity FROM stock_movements GROUP BY sku`);
    const shipped = await shippedBySku();
    expect(Object.fromEntries(moved.map((row) => [row.sku, -Number(row.quantity)]))).toEqual(shipped);
  });

  test('one movement per shipment line', async () => {
    const repeated = await rows(
      `SELECT document_number, sku, count(*) FROM stock_movements GROUP BY document_number, sku HAVING count(*) > 1`,
    );
    expect(repeated).toEqual([]);
  });

  test('no stock left reserved', async () => {
    // Orders reserve stock at conversion and shipping releases it, so a retried conversion that reserved
    // twice would leave units reserved here.
    const products = await rows<{ sku: string; reserved: number }>(`SELECT sku, reserved FROM products WHERE kind = 'goods'`);
    expect(Object.fromEntries(products.map((row) => [row.sku, row.reserved]))).toEqual(Object.fromEntries(run.goods.map((sku) => [sku, 0])));
  });

  test('on hand drops by shipped quantity', async () => {
    const products = await rows<{ sku: string; on_hand: number }>(`SELECT sku, on_hand FROM products WHERE kind = 'goods'`);
    const drop = Object.fromEntries(products.map((row) => [row.sku, STOCK_ON_HAND - row.on_hand]));
    const expected = Object.fromEntries(run.goods.map((sku) => [sku, expectedShipped()[sku] ?? 0]));
    expect(drop).toEqual(expected);
  });
});

describe('emails after the batch', () => {
  /**
   * activities/email.ts sends at most once per key, with one exception. A crash between the SMTP server
   * accepting a message and its row being marked sent makes the retry send it again, under the same
   * Message-ID. So a repeat is allowed only for a row that was still pending when the worker died, and
   * with one kill a message can arrive at most twice.
   */
  async function deliveries(): Promise<Map<string, { count: number; to: string; subject: string }>> {
    const markers = run.dealNumbers.map((n) => `<deal-${n}.step-`);
    const mails = (await readMailbox(process.env.TEST_MAIL_DIR!)).filter((mail) => markers.some((marker) => mail.messageId.startsWith(marker)));
    const byId = new Map<string, { count: number; to: string; subject: string }>();
    for (const mail of mails) {
      const seen = byId.get(mail.messageId);
      byId.set(mail.messageId, { count: (seen?.count ?? 0) + 1, to: mail.to, subject: mail.subject });
    }
    return byId;
  }

  test('repeats only for sends pending at kill', async () => {
    const repeated = [...(await deliveries())].filter(([, delivery]) => delivery.count > 1).map(([id]) => id);
    expect(repeated.filter((id) => !run.pendingEmailsAtKill.has(id))).toEqual([]);
  });

  test('no message delivered more than twice', async () => {
    const tooOften = [...(await deliveries())].filter(([, delivery]) => delivery.count > 2);
    expect(tooOften).toEqual([]);
  });

  test('repeated mail keeps its Message-ID', async () => {
    const idsByMail = new Map<string, Set<string>>();
    for (const [id, delivery] of await deliveries()) {
      const mail = `${delivery.to} / ${delivery.subject}`;
      idsByMail.set(mail, (idsByMail.get(mail) ?? new Set()).add(id));
    }
    const underSeveralIds = [...idsByMail].filter(([, ids]) => ids.size > 1).map(([mail]) => mail);
    expect(underSeveralIds).toEqual([]);
  });

  test('one email row per key', async () => {
    expect(await rows(`SELECT idempotency_key, count(*) FROM emails GROUP BY idempotency_key HAVING count(*) > 1`)).toEqual([]);
  });

  test('five email kinds per deal', async () => {
    const sent = await rows<{ deal_number: number; kinds: string[] }>(
      `SELECT deal_number, array_agg(kind ORDER BY kind) AS kinds FROM emails WHERE status = 'sent' GROUP BY deal_number`,
    );
    expect(Object.fromEntries(sent.map((row) => [row.deal_number, row.kinds]))).toEqual(eachDeal(EXPECTED_EMAIL_KINDS));
  });

  test('every email row was delivered', async () => {
    const stored = (await rows<{ message_id: string }>(`SELECT message_id FROM emails ORDER BY message_id`)).map((row) => row.message_id);
    const delivered = [...(await deliveries()).keys()].sort();
    expect(delivered).toEqual(stored);
  });
});

describe('timelines after the batch', () => {
  test('timeline rows unique per seq', async () => {
    expect(await rows(`SELECT deal_number, seq, count(*) FROM timeline_entries GROUP BY deal_number, seq HAVING count(*) > 1`)).toEqual([]);
  });

  test('timeline seq has no gaps', async () => {
    const stored = await rows<{ deal_number: number; seqs: number[] }>(
      `SELECT deal_number, array_agg(seq ORDER BY seq) AS seqs FROM timeline_entries GROUP BY deal_number`,
    );
    const expected = Array.from({ length: STEPS_PER_DEAL }, (_, index) => index + 1);
    expect(Object.fromEntries(stored.map((row) => [row.deal_number, row.seqs]))).toEqual(eachDeal(expected));
  });

  test('workflow timelines match stored rows', async () => {
    const lengths: Record<number, number> = {};
    for (const dealNumber of run.dealNumbers) {
      const state = await client.workflow.getHandle(dealWorkflowId(dealNumber)).query(wf.getDeal);
      lengths[dealNumber] = state.timeline.length;
    }
    expect(lengths).toEqual(eachDeal(STEPS_PER_DEAL));
  });
});
