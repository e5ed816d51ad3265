import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor } from '../support/deal-driver';
import * as wf from '../../workflows/deal';

/**
 * Dunning and the other timers that run for days, on Java's time-skipping test server: `env.sleep`
 * moves the server's clock, so a 30-day payment term passes in about a second.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ timeSkipping: true });
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 300_000);

afterAll(async () => {
  await harness?.close();
});

async function reminderSubjects(dealNumber: number): Promise<string[]> {
  const mails = await harness.mailsFor(dealNumber);
  return mails
    .map((mail) => mail.subject)
    .filter((subject) => subject.startsWith('Payment reminder') || subject.startsWith('Overdue'));
}

test('unpaid invoice gets every reminder once', async () => {
  const deal = await dealInPhase(harness, 'payment');
  const invoice = deal.invoices[0].number;
  await harness.env!.sleep('45 days');
  const state = await handleFor(harness, deal.dealNumber).query(wf.getDeal);
  expect(state.invoices[0].remindersSent).toEqual(['before-due', 'due', 'overdue-7', 'overdue-14']);
  expect(state.invoices[0].overdue).toBe(true);

  await harness.env!.sleep('20 days');
  const later = await handleFor(harness, deal.dealNumber).query(wf.getDeal);
  expect(later.invoices[0].remindersSent).toEqual(['before-due', 'due', 'overdue-7', 'overdue-14', 'overdue-30']);
  expect(await reminderSubjects(deal.dealNumber)).toEqual([
    `Payment reminder: invoice ${invoice}`,
    `Payment reminder: invoice ${invoice}`,
    `Overdue: invoice ${invoice}, 7 days past due`,
    `Overdue: invoice ${invoice}, 14 days past due`,
    `Overdue: invoice ${invoice}, 30 days past due`,
  ]);
});

test('payment stops the reminders', async () => {
  const deal = await dealInPhase(harness, 'payment');
  const handle = handleFor(harness, deal.dealNumber);
  await harness.env!.sleep('31 days');
  const partial = await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1000.00', method: 'wire', reference: 'P-1' }] });
  expect(partial.invoices[0].remindersSent).toEqual(['before-due', 'due']);
  await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: partial.invoices[0].balance, method: 'wire', reference: 'P-2' }] });
  await harness.env!.sleep('60 days');
  expect((await handle.result()).phase).toBe('paid');
  expect(await reminderSubjects(deal.dealNumber)).toHaveLength(2);
});

test('sent estimate expires after its last day', async () => {
  const deal = await dealInPhase(harness, 'estimate');
  const handle = handleFor(harness, deal.dealNumber);
  const sent = await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  expect(sent.estimate!.revisions[0].validUntil).toBeDefined();
  await harness.env!.sleep('31 days');
  const expired = await handle.query(wf.getDeal);
  expect(expired.estimate!.revisions[0].status).toBe('expired');
  await expect(
    handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] }),
  ).rejects.toThrow('Workflow Update failed');

  await handle.executeUpdate(wf.reviseEstimate, { args: [{ actor: 'mark', lines: [{ sku: 'GM-CNC-2200', quantity: 1 }] }] });
  const resent = await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  expect(resent.estimate!.revisions.map((revision) => revision.status)).toEqual(['expired', 'sent']);
  const approved = await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] });
  expect(approved.estimate!.revisions[1].status).toBe('approved');
});

test('manager hears of overdue follow-up', async () => {
  const deal = await dealInPhase(harness, 'opportunity');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.scheduleFollowUp, { args: [{ actor: 'sofia', dueIn: 'P2D', channel: 'call', subject: 'Bar capacity' }] });
  await harness.env!.sleep('4 days');
  const mails = await harness.mailsFor(deal.dealNumber);
  expect(mails.map((mail) => `${mail.to}: ${mail.subject}`)).toEqual([
    'sofia.alvarez@glocial-machineries.example: Follow-up reminder: call with Northfield Fabrication Ltd',
    `dana.okafor@glocial-machineries.example: Overdue follow-up on deal ${deal.dealNumber}: call with Northfield Fabrication Ltd`,
  ]);
});

test('expired estimate stays expired when lost', async () => {
  const deal = await dealInPhase(harness, 'estimate');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  await harness.env!.sleep('32 days');
  const lost = await handle.executeUpdate(wf.markLost, { args: [{ actor: 'sofia', reason: 'No reply after expiry' }] });
  expect(lost.phase).toBe('lost');
  expect(lost.estimate!.revisions[0].status).toBe('expired');
  const stored = await harness.db.models.EstimateRevision.findOne({ where: { estimateNumber: deal.estimate!.number } });
  expect(stored?.get('status')).toBe('expired');
});

test('cancellation keeps an expired revision', async () => {
  const deal = await dealInPhase(harness, 'estimate');
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  await harness.env!.sleep('32 days');
  const cancelled = await handle.executeUpdate(wf.cancelDeal, { args: [{ actor: 'sofia', reason: 'Project dropped' }] });
  expect(cancelled.phase).toBe('cancelled');
  expect(cancelled.estimate!.revisions[0].status).toBe('expired');
  const stored = await harness.db.models.EstimateRevision.findOne({ where: { estimateNumber: deal.estimate!.number } });
  expect(stored?.get('status')).toBe('expired');
});
