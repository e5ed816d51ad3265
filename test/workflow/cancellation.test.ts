import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor, rejection, timelineSizes } from '../support/deal-driver';
import * as wf from '../../workflows/deal';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

test('cancel before shipment undoes newest first', async () => {
  const deal = await dealInPhase(harness, 'shipping');
  const handle = handleFor(harness, deal.dealNumber);
  const cancelled = await handle.executeUpdate(wf.cancelDeal, { args: [{ actor: 'dana', reason: 'Customer lost funding' }] });

  expect(cancelled.phase).toBe('cancelled');
  expect(cancelled.outcome).toMatchObject({ phase: 'cancelled', reason: 'Customer lost funding' });
  const events = cancelled.timeline.slice(-6).map((entry) => entry.event);
  expect(events).toEqual([
    'deal.cancellation_started',
    'receipt.voided',
    'stock.released',
    'order.cancelled',
    'estimate.voided',
    'deal.cancelled',
  ]);
  expect(cancelled.compensations).toEqual([]);
  expect((await handle.result()).phase).toBe('cancelled');

  const receipt = await harness.db.models.SalesReceipt.findByPk(deal.order!.salesReceiptNumber!);
  expect(receipt?.get('status')).toBe('void');
  const order = await harness.db.models.SalesOrder.findByPk(deal.order!.number);
  expect(order?.get('status')).toBe('cancelled');
  const revisions = await harness.db.models.EstimateRevision.findAll({ where: { estimateNumber: deal.estimate!.number } });
  expect(revisions.map((revision) => revision.get('status'))).toEqual(['void']);
  const row = await harness.db.models.Deal.findByPk(deal.dealNumber);
  expect(row?.get('phase')).toBe('cancelled');

  const mails = await harness.mailsFor(deal.dealNumber);
  const notice = mails.find((mail) => mail.subject.startsWith('Cancellation of'));
  expect(notice?.subject).toBe(
    `Cancellation of ${deal.order!.salesReceiptNumber}, ${deal.order!.number}, ${deal.estimate!.number}`,
  );
  expect(notice?.to).toBe('priya.raman@northfield-fab.example');
});

test('cancel after shipment is rejected', async () => {
  const deal = await dealInPhase(harness, 'invoicing');
  const before = await timelineSizes(harness, deal.dealNumber);
  const message = await rejection(
    handleFor(harness, deal.dealNumber).executeUpdate(wf.cancelDeal, { args: [{ actor: 'dana', reason: 'Too late' }] }),
  );
  expect(message).toBe(
    `cancelling is not allowed after shipment ${deal.order!.shipments[0].number}; goods have left the warehouse and need a credit note`,
  );
  expect(await timelineSizes(harness, deal.dealNumber)).toEqual(before);
  const order = await harness.db.models.SalesOrder.findByPk(deal.order!.number);
  expect(order?.get('status')).toBe('shipped');
});

test('cancel a lead sends nothing', async () => {
  const deal = await dealInPhase(harness, 'lead');
  const handle = handleFor(harness, deal.dealNumber);
  const cancelled = await handle.executeUpdate(wf.cancelDeal, { args: [{ actor: 'sofia', reason: 'Duplicate lead' }] });
  expect(cancelled.phase).toBe('cancelled');
  expect(cancelled.timeline.slice(-2).map((entry) => entry.event)).toEqual(['deal.cancellation_started', 'deal.cancelled']);
  expect(await harness.mailsFor(deal.dealNumber)).toEqual([]);
});

test('cancel through the API twice', async () => {
  const deal = await dealInPhase(harness, 'estimate');
  const first = await fetch(`${harness.baseUrl}/deals/${deal.dealNumber}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...harness.authHeaders('dana') },
    body: JSON.stringify({ reason: 'Project postponed' }),
  });
  expect(first.status).toBe(200);
  await handleFor(harness, deal.dealNumber).result();
  const second = await fetch(`${harness.baseUrl}/deals/${deal.dealNumber}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...harness.authHeaders('dana') },
    body: JSON.stringify({ reason: 'Again' }),
  });
  expect(second.status).toBe(409);
  expect((await second.json()).detail).toBe(`deal ${deal.dealNumber} has ended as cancelled; no further steps are allowed`);
});
