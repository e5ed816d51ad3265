import { WithStartWorkflowOperation } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer, handleFor, lines } from '../support/deal-driver';
import * as wf from '../../workflows/deal';
import { dealWorkflowId } from '../../api/deal-service';
import type { DealState } from '../../domain/deal-state';

/**
 * A deal whose history passes its limit continues as new with its state. These deals start with a
 * limit of 40 events, so a handful of steps crosses it.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function startDeal(maxHistoryEvents: number): Promise<DealState> {
  const customerId = await ensureCustomer(harness);
  const [row] = (await harness.db.sequelize.query(`SELECT nextval('deal_number_seq') AS value`))[0] as { value: string }[];
  const dealNumber = Number(row.value);
  return harness.client.workflow.executeUpdateWithStart(wf.createLead, {
    args: [{ actor: 'sofia', customerId, source: 'web', interest: 'lathe' }],
    startWorkflowOperation: new WithStartWorkflowOperation(wf.deal, {
      workflowId: dealWorkflowId(dealNumber),
      taskQueue: harness.taskQueue,
      args: [{ dealNumber, settings: harness.settings, maxHistoryEvents }],
      workflowIdConflictPolicy: 'FAIL',
    }),
  });
}

async function runCount(dealNumber: number): Promise<number> {
  let runs = 0;
  for await (const _execution of harness.client.workflow.list({ query: `WorkflowId = '${dealWorkflowId(dealNumber)}'` })) runs += 1;
  return runs;
}

test('long deal continues as new', async () => {
  const deal = await startDeal(40);
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Lathe' }] });
  const stages = ['needs_analysis', 'proposal', 'negotiation', 'qualification'] as const;
  for (let round = 0; round < 3; round += 1) {
    for (const to of stages) await handle.executeUpdate(wf.moveStage, { args: [{ actor: 'sofia', to }] });
  }
  const estimated = await handle.executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: lines.first }] });

  expect(estimated.phase).toBe('estimate');
  expect(estimated.timeline.map((entry) => entry.seq)).toEqual(estimated.timeline.map((_, index) => index + 1));
  const stored = await harness.db.models.TimelineEntry.count({ where: { dealNumber: deal.dealNumber } });
  expect(stored).toBe(estimated.timeline.length);
  let runs = 0;
  for (let attempt = 0; attempt < 50 && runs < 2; attempt += 1) {
    runs = await runCount(deal.dealNumber);
    if (runs < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(runs).toBeGreaterThanOrEqual(2);
});

test('timer survives continue as new', async () => {
  const deal = await startDeal(40);
  const handle = handleFor(harness, deal.dealNumber);
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: 'Lathe' }] });
  await handle.executeUpdate(wf.scheduleFollowUp, {
    args: [{ actor: 'sofia', dueIn: 'PT8S', remindBefore: 'PT2S', channel: 'call', subject: 'After the move' }],
  });
  const stages = ['needs_analysis', 'proposal', 'negotiation', 'qualification'] as const;
  for (let round = 0; round < 2; round += 1) {
    for (const to of stages) await handle.executeUpdate(wf.moveStage, { args: [{ actor: 'sofia', to }] });
  }
  expect(await runCount(deal.dealNumber)).toBeGreaterThanOrEqual(2);

  let reminded: DealState | undefined;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const state = await handle.query(wf.getDeal);
    if (state.followUps[0].ownerRemindedAt) {
      reminded = state;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(reminded?.timeline.at(-1)?.event).toBe('followup.reminder_sent');
  let reminders: unknown[] = [];
  for (let attempt = 0; attempt < 50 && reminders.length === 0; attempt += 1) {
    reminders = (await harness.mailsFor(deal.dealNumber)).filter((mail) => mail.subject.startsWith('Follow-up reminder'));
    if (reminders.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(reminders).toHaveLength(1);
});
