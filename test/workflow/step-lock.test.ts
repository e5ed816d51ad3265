import { temporal } from '@temporalio/proto';
import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor } from '../support/deal-driver';
import * as wf from '../../workflows/deal';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** Returns the maximum number of step activities (all but emails) scheduled and not yet finished at one time. */
function maxConcurrentStepActivities(events: HistoryEvent[]): number {
  const open = new Set<number>();
  let max = 0;
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && scheduled.activityType?.name !== 'sendEmail') {
      open.add(Number(event.eventId));
      max = Math.max(max, open.size);
    }
    const finished =
      event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (finished) open.delete(Number(finished.scheduledEventId));
  }
  return max;
}

test('payments arriving together run one at a time', async () => {
  const deal = await dealInPhase(harness, 'payment');
  const handle = handleFor(harness, deal.dealNumber);
  const notices = ['LOCK-1', 'LOCK-2', 'LOCK-3'].map((reference) => ({ actor: 'bank', amount: '10.00', method: 'wire' as const, reference }));
  // Sent without waiting for each other, so the worker usually receives them in one workflow task.
  await Promise.all([
    ...notices.map((notice) => handle.signal(wf.paymentNotice, notice)),
    handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '10.00', method: 'ach', reference: 'LOCK-4' }] }),
  ]);
  const state = await handle.query(wf.getDeal);
  expect(state.payments.map((payment) => payment.reference).sort()).toEqual(['LOCK-1', 'LOCK-2', 'LOCK-3', 'LOCK-4']);
  const seqs = state.timeline.map((entry) => entry.seq);
  expect(new Set(seqs).size).toBe(seqs.length);

  const events = (await handle.fetchHistory()).events ?? [];
  expect(maxConcurrentStepActivities(events)).toBe(1);
  const stored = await harness.db.models.Payment.findAll({ where: { invoiceNumber: deal.invoices[0].number } });
  expect(stored.map((payment) => payment.get('reference')).sort()).toEqual(['LOCK-1', 'LOCK-2', 'LOCK-3', 'LOCK-4']);
});
