import { temporal } from '@temporalio/proto';
import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor } from '../support/deal-driver';
import * as wf from '../../workflows/deal';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** Lists the sendEmail activities of a history: the workflow task that scheduled each, and its completion event. */
function emailActivities(events: HistoryEvent[]): { scheduledBy: number; completed?: number }[] {
  return events
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail')
    .map((event) => ({
      scheduledBy: Number(event.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId),
      completed: events.find(
        (candidate) => Number(candidate.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(event.eventId),
      )?.eventId as number | undefined,
    }));
}

test('emails sent after step results', async () => {
  const deal = await dealInPhase(harness, 'payment');
  const handle = handleFor(harness, deal.dealNumber);
  const paid = await handle.executeUpdate(wf.recordPayment, {
    args: [{ actor: 'fin', amount: deal.invoices[0].balance, method: 'wire', reference: 'EMAILS-1' }],
  });
  expect(paid.phase).toBe('paid');
  expect((await handle.result()).phase).toBe('paid');

  const events = (await handle.fetchHistory()).events ?? [];
  const emails = emailActivities(events);
  // Estimate, order confirmation, QA notice, shipment notice, invoice and payment receipt.
  expect(emails.length).toBe(6);
  expect(emails.every((email) => email.completed !== undefined)).toBe(true);

  // Each email's step Update completed in the workflow task that scheduled the email, so before the
  // email activity completed. Awaiting the email inside the Update would record the Update last.
  const updateCompletions = events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
    .map((event) => Number(event.eventId));
  for (const email of emails) {
    const answeredBefore = updateCompletions.some((id) => id > email.scheduledBy && id < Number(email.completed));
    expect({ email: email.scheduledBy, answeredBeforeSent: answeredBefore }).toEqual({ email: email.scheduledBy, answeredBeforeSent: true });
  }

  const completedAt = Number(events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)?.eventId);
  const lastEmail = Math.max(...emails.map((email) => Number(email.completed)));
  expect(lastEmail).toBeLessThan(completedAt);

  const mails = await harness.mailsFor(deal.dealNumber);
  expect(mails.map((mail) => mail.subject.split(' ')[0])).toEqual(
    expect.arrayContaining(['Estimate', 'Order', 'Invoice', 'Payment']),
  );
}, 60_000);
