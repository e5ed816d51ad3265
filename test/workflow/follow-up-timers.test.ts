import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor } from '../support/deal-driver';
import * as wf from '../../workflows/deal';

/**
 * Follow-up reminders run on durable timers of the real dev server, so these use due times seconds
 * away. The manager's notice a day after the due date needs a time-skipping server and is not covered here.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function reminderSubjects(dealNumber: number): Promise<string[]> {
  const mails = await harness.mailsFor(dealNumber);
  return mails.filter((mail) => mail.subject.startsWith('Follow-up reminder')).map((mail) => `${mail.to}: ${mail.subject}`);
}

/** Polls until `read` returns a non-empty list or the time runs out, then returns the last reading. */
async function eventually<T>(read: () => Promise<T[]>, timeoutMs = 10_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

test('reminder reaches owner when due', async () => {
  const deal = await dealInPhase(harness, 'opportunity');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.scheduleFollowUp, {
    args: [{ actor: 'sofia', dueIn: 'PT3S', remindBefore: 'PT1S', channel: 'call', subject: 'Bar capacity' }],
  });
  const reminders = await eventually(() => reminderSubjects(deal.dealNumber));
  expect(reminders).toEqual(['sofia.alvarez@glocial-machineries.example: Follow-up reminder: call with Northfield Fabrication Ltd']);
  const state = await handle.query(wf.getDeal);
  expect(state.timeline.at(-1)).toMatchObject({ actor: 'system', event: 'followup.reminder_sent' });
  expect(state.followUps[0].ownerRemindedAt).toBeDefined();
});

test('completed follow-up sends no reminder', async () => {
  const deal = await dealInPhase(harness, 'opportunity');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.scheduleFollowUp, {
    args: [{ actor: 'sofia', dueIn: 'PT3S', remindBefore: 'PT1S', channel: 'meeting', subject: 'Plant visit' }],
  });
  await handle.executeUpdate(wf.completeFollowUp, { args: [{ actor: 'sofia', seq: 1, outcome: 'Met early' }] });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  expect(await reminderSubjects(deal.dealNumber)).toEqual([]);
  const events = (await handle.query(wf.getDeal)).timeline.map((entry) => entry.event);
  expect(events).not.toContain('followup.reminder_sent');
});

test('reassignment moves reminder to new owner', async () => {
  const deal = await dealInPhase(harness, 'opportunity');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.scheduleFollowUp, {
    args: [{ actor: 'sofia', dueIn: 'PT3S', remindBefore: 'PT1S', channel: 'call', subject: 'Pricing call' }],
  });
  await handle.executeUpdate(wf.assignOpportunity, { args: [{ actor: 'sofia', to: 'mark' }] });
  const reminders = await eventually(() => reminderSubjects(deal.dealNumber));
  expect(reminders).toEqual(['mark.henry@glocial-machineries.example: Follow-up reminder: call with Northfield Fabrication Ltd']);
});

test('cancelled follow-up rejects completion', async () => {
  const deal = await dealInPhase(harness, 'opportunity');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.scheduleFollowUp, {
    args: [{ actor: 'sofia', dueIn: 'P1D', channel: 'email', subject: 'Send brochure' }],
  });
  const cancelled = await handle.executeUpdate(wf.cancelFollowUp, { args: [{ actor: 'sofia', seq: 1, reason: 'Not needed' }] });
  expect(cancelled.followUps[0].status).toBe('cancelled');
  const row = await harness.db.models.FollowUp.findOne({ where: { dealNumber: deal.dealNumber, seq: 1 } });
  expect(row?.get('status')).toBe('cancelled');
  await expect(
    handle.executeUpdate(wf.completeFollowUp, { args: [{ actor: 'sofia', seq: 1, outcome: 'x' }] }),
  ).rejects.toThrow('Workflow Update failed');
});
