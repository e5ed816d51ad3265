import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, handleFor } from '../support/deal-driver';
import { apiClientsFor, runScenario, type Scenario } from '../../scripts/scenario';
import * as wf from '../../workflows/deal';

/**
 * Replays recorded deal histories against the current workflow code. A change that would make a
 * running deal take a different path on replay (a non-determinism error) fails here.
 *
 * `npm run record-histories` records them afresh; do that only for a deliberate, versioned change of
 * the workflow, because deals already running keep their old histories. `legacy/` keeps histories of
 * earlier workflow versions that running deals may still have. They were recorded before the patches
 * emails-after-update and exclusive-step-lock (workflows/context.ts) and payment-closes-deal
 * (workflows/finance-steps.ts), and replay through the old branch of each `patched()` call.
 */

const historiesDir = path.join(__dirname, '..', 'histories');
const recording = process.env.RECORD_HISTORIES === '1';
const names = ['scenario-paid', 'cancelled-before-shipment', 'dunned-then-paid'];
const replayed = [...names, ...names.map((name) => `legacy/${name}`)];

async function saveHistory(harness: Harness, dealNumber: number, name: string): Promise<void> {
  const history = await handleFor(harness, dealNumber).fetchHistory();
  fs.mkdirSync(historiesDir, { recursive: true });
  // NOTE: historyToJSON and historyFromJSON need a single copy of protobufjs 8 in node_modules, which
  // is why package.json names protobufjs directly: without it npm nests one copy under each Temporal
  // package and both functions fail with "type must be a Type".
  fs.writeFileSync(path.join(historiesDir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

(recording ? describe : describe.skip)('recording histories', () => {
  test('record scenario and cancellation', async () => {
    const harness = await startHarness({ settings: { followUpRemindBefore: 'P3D' } });
    try {
      const scenario = JSON.parse(
        fs.readFileSync(path.join(__dirname, '..', '..', 'scenarios', 'glocial-machineries.json'), 'utf8'),
      ) as Scenario;
      const paid = await runScenario(apiClientsFor(harness.baseUrl, harness.keys), scenario);
      await handleFor(harness, paid.dealNumber).result();
      await saveHistory(harness, paid.dealNumber, 'scenario-paid');

      const deal = await dealInPhase(harness, 'shipping');
      await handleFor(harness, deal.dealNumber).executeUpdate(wf.cancelDeal, { args: [{ actor: 'dana', reason: 'Funding withdrawn' }] });
      await handleFor(harness, deal.dealNumber).result();
      await saveHistory(harness, deal.dealNumber, 'cancelled-before-shipment');
    } finally {
      await harness.close();
    }
  }, 120_000);

  test('record dunned deal', async () => {
    const harness = await startHarness({ timeSkipping: true });
    try {
      const deal = await dealInPhase(harness, 'payment');
      const handle = handleFor(harness, deal.dealNumber);
      await harness.env!.sleep('40 days');
      await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: deal.invoices[0].balance, method: 'wire', reference: 'LATE-1' }] });
      await handle.result();
      await saveHistory(harness, deal.dealNumber, 'dunned-then-paid');
    } finally {
      await harness.close();
    }
  }, 300_000);
});

describe('replaying recorded histories', () => {
  test.each(replayed)('%s replays on current code', async (name) => {
    const file = path.join(historiesDir, `${name}.json`);
    const history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, name),
    ).resolves.toBeUndefined();
  });
});
