import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer, lines } from '../support/deal-driver';
import type { StepRecord } from '../../activities/step-record';
import type { Phase } from '../../domain/deal-state';

/**
 * A retried activity (same step key) must find what its first attempt wrote and write nothing more:
 * one row, one stock movement, one email. Activities run here in the SDK's activity environment
 * against the real database and SMTP receiver.
 */

let harness: Harness;
const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });
const dealNumber = 900_000_000 + Math.floor(Math.random() * 100_000_000);
const workflowId = `deal-${dealNumber}`;
let seq = 0;

function record(event: string, phase: Phase): StepRecord {
  seq += 1;
  return {
    key: `${workflowId}/step-${seq}`,
    dealNumber,
    entry: { seq, at: new Date().toISOString(), actor: 'sofia', event, summary: event },
    phase,
  };
}

/** Runs an activity twice with the same input, as a retry would, and returns both results. */
async function twice<I, O>(activity: (input: I) => Promise<O>, input: I): Promise<[O, O]> {
  const first = (await env.run(activity, input)) as O;
  const second = (await env.run(activity, input)) as O;
  return [first, second];
}

async function count(sql: string, replacements: Record<string, unknown> = {}): Promise<number> {
  const [rows] = await harness.db.sequelize.query(sql, { replacements });
  return Number((rows as { count: string }[])[0].count);
}

let estimateNumber: string;
let orderNumber: string;
let invoiceNumber: string;

beforeAll(async () => {
  harness = await startHarness();
  const customerId = await ensureCustomer(harness);
  await env.run(harness.activities.recordLead, {
    record: record('lead.created', 'lead'),
    workflowId,
    customerId,
    source: 'test',
    interest: 'lathe',
    currency: 'USD',
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

test('lead step writes one timeline row', async () => {
  expect(await count('SELECT count(*) FROM timeline_entries WHERE deal_number = :dealNumber', { dealNumber })).toBe(1);
});

test('lead recorded once on retry', async () => {
  const input = {
    record: { ...record('lead.created', 'lead'), dealNumber: dealNumber + 1, key: `deal-${dealNumber + 1}/step-1` },
    workflowId: `deal-${dealNumber + 1}`,
    customerId: await ensureCustomer(harness),
    source: 'test',
    interest: 'press',
    currency: 'USD',
  };
  const [first, second] = await twice(harness.activities.recordLead, input);
  expect(second).toEqual(first);
  expect(await count('SELECT count(*) FROM deals WHERE number = :n', { n: dealNumber + 1 })).toBe(1);
  expect(await count('SELECT count(*) FROM timeline_entries WHERE deal_number = :n', { n: dealNumber + 1 })).toBe(1);
});

test('deal step recorded once', async () => {
  const step = { ...record('opportunity.stage_moved', 'opportunity'), dealPatch: { stage: 'proposal', title: 'Lathe, second line' } };
  step.entry.data = { to: 'proposal' };
  const [first, second] = await twice(harness.activities.recordDealStep, step);
  expect(second).toEqual(first);
  expect(first).toMatchObject({ seq: step.entry.seq, event: 'opportunity.stage_moved', actor: 'sofia', at: step.entry.at });
  expect(await count('SELECT count(*) FROM timeline_entries WHERE idempotency_key = :key', { key: step.key })).toBe(1);
  const [deal] = (await harness.db.sequelize.query('SELECT phase, stage, title, owner FROM deals WHERE number = :dealNumber', {
    replacements: { dealNumber },
  }))[0] as Record<string, string>[];
  expect(deal).toEqual({ phase: 'opportunity', stage: 'proposal', title: 'Lathe, second line', owner: 'sofia' });
  const [stored] = (await harness.db.sequelize.query('SELECT data FROM timeline_entries WHERE idempotency_key = :key', {
    replacements: { key: step.key },
  }))[0] as { data: unknown }[];
  expect(stored.data).toEqual({ to: 'proposal' });
});

test('racing step attempts write one row', async () => {
  const step = record('opportunity.stage_moved', 'opportunity');
  const outcomes = await Promise.allSettled([env.run(harness.activities.recordDealStep, step), env.run(harness.activities.recordDealStep, step)]);
  expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
  // A loser fails with the unique violation and is retried; the retry finds the winner's entry.
  const retried = (await env.run(harness.activities.recordDealStep, step)) as { seq: number };
  expect(retried.seq).toBe(step.entry.seq);
  expect(await count('SELECT count(*) FROM timeline_entries WHERE idempotency_key = :key', { key: step.key })).toBe(1);
});

test('estimate revision saved once', async () => {
  const [first, second] = await twice(harness.activities.saveEstimateRevision, {
    record: record('estimate.created', 'estimate'),
    revision: 1,
    lines: lines.revised,
    validForDays: 30,
    currency: 'USD',
    taxRatePercent: '7.25',
  });
  estimateNumber = first.estimateNumber;
  expect(second.estimateNumber).toBe(first.estimateNumber);
  expect(first.revision.total).toBe('59948.46');
  expect(await count('SELECT count(*) FROM estimates WHERE deal_number = :dealNumber', { dealNumber })).toBe(1);
  expect(await count('SELECT count(*) FROM estimate_revisions WHERE estimate_number = :estimateNumber', { estimateNumber })).toBe(1);
});

test('sales order created once', async () => {
  await env.run(harness.activities.updateEstimateRevision, {
    record: record('estimate.approved', 'estimate'),
    estimateNumber,
    revision: 1,
    status: 'approved' as const,
  });
  const [first, second] = await twice(harness.activities.createSalesOrder, {
    record: record('estimate.converted_to_order', 'quality'),
    estimateNumber,
    revision: 1,
    currency: 'USD',
  });
  orderNumber = first.order.number;
  expect(second.order.number).toBe(orderNumber);
  expect(await count('SELECT count(*) FROM sales_orders WHERE deal_number = :dealNumber', { dealNumber })).toBe(1);
  expect(await count('SELECT count(*) FROM order_lines WHERE order_number = :orderNumber', { orderNumber })).toBe(4);
});

test('sales receipt created once', async () => {
  const [first, second] = await twice(harness.activities.createSalesReceipt, {
    record: record('order.pick_released', 'shipping'),
    orderNumber,
  });
  expect(second.receiptNumber).toBe(first.receiptNumber);
  expect(await count('SELECT count(*) FROM sales_receipts WHERE order_number = :orderNumber', { orderNumber })).toBe(1);
});

test('shipment moves stock once', async () => {
  const before = await harness.db.models.Product.findByPk('GM-TOOL-KIT');
  const [first, second] = await twice(harness.activities.shipOrder, {
    record: record('order.shipped', 'invoicing'),
    orderNumber,
    carrier: 'Buckeye Heavy Haul',
    trackingNumber: 'BHH-1',
    lines: [
      { lineNo: 1, quantity: 1 },
      { lineNo: 2, quantity: 2 },
    ],
  });
  expect(second.shipmentNumber).toBe(first.shipmentNumber);
  const after = await harness.db.models.Product.findByPk('GM-TOOL-KIT');
  expect((before!.get('onHand') as number) - (after!.get('onHand') as number)).toBe(2);
  expect(await count('SELECT count(*) FROM shipments WHERE order_number = :orderNumber', { orderNumber })).toBe(1);
  expect(
    await count('SELECT count(*) FROM stock_movements WHERE document_number = :shipment', { shipment: first.shipmentNumber }),
  ).toBe(2);
});

test('invoice created once', async () => {
  const [first, second] = await twice(harness.activities.createInvoice, {
    record: record('invoice.created', 'invoicing'),
    orderNumber,
    quantities: [1, 2, 3, 4].map((lineNo) => ({ lineNo, quantity: lineNo === 2 ? 2 : 1 })),
    issueDate: '2026-12-04',
    paymentTermsDays: 30,
    taxRatePercent: '7.25',
    currency: 'USD',
  });
  invoiceNumber = first.invoice.number;
  expect(second.invoice.number).toBe(invoiceNumber);
  expect(first.invoice).toMatchObject({ total: '59948.46', dueDate: '2027-01-03' });
  expect(await count('SELECT count(*) FROM invoices WHERE order_number = :orderNumber', { orderNumber })).toBe(1);
  expect(
    await count('SELECT count(*) FROM order_lines WHERE order_number = :orderNumber AND invoiced_quantity = quantity', { orderNumber }),
  ).toBe(4);
});

test('payment recorded once', async () => {
  await env.run(harness.activities.markInvoiceSent, { record: record('invoice.sent', 'payment'), invoiceNumber });
  const [first, second] = await twice(harness.activities.recordPayment, {
    record: record('payment.recorded', 'payment'),
    invoiceNumber,
    amount: '30000.00',
    method: 'wire',
    reference: 'NF-WIRE-88121',
    recordedBy: 'fin',
    currency: 'USD',
  });
  expect(second.payment).toEqual(first.payment);
  expect(first.payment.balance).toBe('29948.46');
  expect(await count('SELECT count(*) FROM payments WHERE invoice_number = :invoiceNumber', { invoiceNumber })).toBe(1);
  const invoice = await harness.db.models.Invoice.findByPk(invoiceNumber);
  expect(invoice?.get('amountPaid')).toBe('30000.0000');
});

test('overpayment activity fails without retry', async () => {
  await expect(
    env.run(harness.activities.recordPayment, {
      record: record('payment.recorded', 'payment'),
      invoiceNumber,
      amount: '30000.00',
      method: 'wire',
      reference: 'NF-WIRE-2',
      recordedBy: 'fin',
      currency: 'USD',
    }),
  ).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('open balance of 29948.46') });
});

test('partial payment leaves deal open', async () => {
  const closing = record('deal.paid', 'paid');
  const result = (await env.run(harness.activities.recordPayment, {
    record: record('payment.recorded', 'payment'),
    invoiceNumber,
    amount: '48.46',
    method: 'ach',
    reference: 'NF-ACH-1',
    recordedBy: 'fin',
    currency: 'USD',
    closing,
  })) as { payment: { balance: string; status: string; closingEntry?: unknown } };
  expect(result.payment.balance).toBe('29900.00');
  expect(result.payment.status).toBe('sent');
  expect(result.payment.closingEntry).toBeUndefined();
  expect(await count('SELECT count(*) FROM timeline_entries WHERE idempotency_key = :key', { key: closing.key })).toBe(0);
});

test('final payment closes deal once', async () => {
  const closing = record('deal.paid', 'paid');
  const [first, second] = await twice(harness.activities.recordPayment, {
    record: record('payment.recorded', 'payment'),
    invoiceNumber,
    amount: '29900.00',
    method: 'wire',
    reference: 'NF-WIRE-3',
    recordedBy: 'fin',
    currency: 'USD',
    closing,
  });
  expect(second.payment).toEqual(first.payment);
  expect(first.payment.status).toBe('paid');
  expect(first.payment.closingEntry).toMatchObject({ seq: closing.entry.seq, event: 'deal.paid', actor: 'sofia' });
  expect(await count('SELECT count(*) FROM timeline_entries WHERE idempotency_key = :key', { key: closing.key })).toBe(1);
  expect(await count(`SELECT count(*) FROM deals WHERE number = :dealNumber AND phase = 'paid'`, { dealNumber })).toBe(1);
});

test('email delivered once', async () => {
  const input = {
    key: `${workflowId}/step-99/email-payment_receipt`,
    dealNumber,
    to: { address: 'priya.raman@northfield-fab.example' },
    content: {
      kind: 'payment_receipt' as const,
      invoiceNumber,
      amount: '30000.00',
      method: 'wire',
      reference: 'NF-WIRE-88121',
      balance: '29948.46',
    },
  };
  const [first, second] = await twice(harness.activities.sendEmail, input);
  expect(first.status).toBe('sent');
  expect(second.status).toBe('already_sent');
  expect(await count('SELECT count(*) FROM emails WHERE idempotency_key = :key', { key: input.key })).toBe(1);
  const delivered = await harness.mailsFor(dealNumber);
  expect(delivered.map((mail) => mail.subject)).toEqual([`Payment receipt for invoice ${invoiceNumber}`]);
});
