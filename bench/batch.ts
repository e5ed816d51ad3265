import http from 'node:http';
import { WithStartWorkflowOperation } from '@temporalio/client';
import * as wf from '../workflows/deal';
import { dealWorkflowId } from '../api/deal-service';
import { baselineDeal, baselineStep } from './baseline-workflow';
import type { BenchEnvironment } from './environment';
import { startSampler, type PhaseSamples } from './resources';
import { runPool, type PoolResult } from './stats';

/**
 * Phase 4: one POST /invoicing/batch over many shipped orders, against as many bare Updates (one no-op
 * activity each) at the API's batch concurrency. The shipped deals are driven with the Temporal
 * client's Updates, the same sequence as test/support/deal-driver.ts, because the API would add
 * nothing to what is measured here and take far longer.
 */

/** Deals invoiced at once by POST /invoicing/batch (BATCH_CONCURRENCY in api/invoice-routes.ts). */
export const BATCH_CONCURRENCY = 8;

const estimateLines = [
  { sku: 'GM-CNC-2200', quantity: 1 },
  { sku: 'GM-TOOL-KIT', quantity: 2 },
  { sku: 'SVC-INSTALL', quantity: 1 },
];

/** Creates a deal and runs it to `invoicing`: everything shipped, nothing invoiced yet. */
async function shippedDeal(env: BenchEnvironment, customerId: number, index: number): Promise<void> {
  const lead = await env.deals.createDeal({ actor: 'sofia', customerId, source: 'benchmark', interest: `batch deal ${index}` });
  const handle = env.client.workflow.getHandle(dealWorkflowId(lead.dealNumber));
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: `Batch deal ${index}` }] });
  await handle.executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: estimateLines }] });
  await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] });
  await handle.executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] });
  await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['spindle runout'] }] });
  await handle.executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] });
  const state = await handle.executeUpdate(wf.shipOrder, {
    args: [{ actor: 'dev', carrier: 'Buckeye Heavy Haul', trackingNumber: `BENCH-${index}`, lines: 'all' }],
  });
  if (state.phase !== 'invoicing') throw new Error(`deal ${lead.dealNumber} is in phase ${state.phase} after shipping, not invoicing`);
}

interface BatchResponse {
  invoiced: number;
  skipped: number;
  failed: number;
  results: { result: string; reason?: string }[];
}

/** POSTs JSON with node:http and no time limit but `timeoutMs`, because fetch gives up after 300 s. */
function postJson(url: string, apiKey: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          } catch {
            reject(new Error(`POST ${url} returned ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

export interface BatchRun {
  preparation: PoolResult;
  baselinePreparation: PoolResult;
  /** Wall time of the one POST /invoicing/batch request. */
  batchMs: number;
  response: { invoiced: number; skipped: number; failed: number; firstFailure?: string };
  invoicesPerSecond: number;
  /** SQL statements per invoiced deal during the batch request, from the API and the activities. */
  queriesPerInvoice: number;
  bare: PoolResult;
  bareUpdatesPerSecond: number;
  batchSamples: PhaseSamples;
  bareSamples: PhaseSamples;
}

export async function runBatch(
  env: BenchEnvironment,
  customerId: number,
  count: number,
  concurrency: number,
  deadline: number,
  log: (message: string) => void,
): Promise<BatchRun> {
  log(`driving ${count} deals to shipped through Temporal Updates (${concurrency} in flight)`);
  const preparation = await runPool(count, concurrency, deadline, (index) => shippedDeal(env, customerId, index));
  if (preparation.failed > 0 || preparation.completed < count) {
    throw new Error(`only ${preparation.completed} of ${count} deals reached shipped: ${preparation.errors.join('; ')}`);
  }

  log(`starting ${count} baseline workflows for the bare Updates`);
  const workflowId = (index: number) => `${env.runId}-batch-baseline-${index}`;
  const baselinePreparation = await runPool(count, concurrency, deadline, async (index) => {
    await env.client.workflow.executeUpdateWithStart(baselineStep, {
      args: [{ activities: 1 }],
      startWorkflowOperation: new WithStartWorkflowOperation(baselineDeal, {
        workflowId: workflowId(index),
        taskQueue: env.baselineTaskQueue,
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
  });

  log(`POST /invoicing/batch over ${count} shipped orders`);
  const financeKey = env.keys.get('fin');
  if (!financeKey) throw new Error('the seed file has no user "fin" with the finance role; batch invoicing needs one');
  const queriesBefore = env.queries.total;
  const batchSampler = startSampler(env.db, env.dealWorker);
  const startedAt = performance.now();
  const { status, body } = await postJson(`${env.baseUrl}/invoicing/batch`, financeKey, {}, Math.max(1_000, deadline - Date.now()));
  const batchMs = performance.now() - startedAt;
  const batchSamples = batchSampler.stop();
  const queriesPerInvoice = (env.queries.total - queriesBefore) / count;
  if (status !== 200) throw new Error(`POST /invoicing/batch returned ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  const response = body as BatchResponse;
  const firstFailure = response.results.find((item) => item.result !== 'invoiced')?.reason;

  log(`${count} bare Updates on the baseline workflows (${BATCH_CONCURRENCY} in flight)`);
  const bareSampler = startSampler(env.db, env.baselineWorker);
  const bare = await runPool(count, BATCH_CONCURRENCY, deadline, async (index) => {
    await env.client.workflow.getHandle(workflowId(index)).executeUpdate(baselineStep, { args: [{ activities: 1, last: true }] });
  });
  const bareSamples = bareSampler.stop();

  return {
    preparation,
    baselinePreparation,
    batchMs,
    response: { invoiced: response.invoiced, skipped: response.skipped, failed: response.failed, firstFailure },
    invoicesPerSecond: response.invoiced / (batchMs / 1000),
    queriesPerInvoice,
    bare,
    bareUpdatesPerSecond: bare.completed / (bare.elapsedMs / 1000),
    batchSamples,
    bareSamples,
  };
}
