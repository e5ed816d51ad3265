import * as wf from '../workflows/deal';
import { DealService, dealWorkflowId } from '../api/deal-service';
import { startDealWorkerProcess, type DealWorkerProcess } from './worker-process';
import type { BenchEnvironment } from './environment';
import { processUsage, startSampler, type PhaseSamples } from './resources';
import { runPool, type PoolResult } from './stats';

/**
 * Phase 3a: many deals started and left waiting in the opportunity phase. They run on the product's
 * worker in its own process (`worker/main.ts` with ROLE=worker), whose resident memory is read before
 * and after, so the figure is the worker's alone, without the API or the benchmark's client.
 */

export interface MemoryReading {
  workerRssBytes?: number;
  temporalRssBytes?: number;
  postgresRssBytes?: number;
}

export interface OpenDealsRun {
  pool: PoolResult;
  dealsPerSecond: number;
  /** Readings once the worker process is ready, and after the last deal reached the opportunity phase. */
  before: MemoryReading;
  after: MemoryReading;
  maxCachedWorkflows: number;
  samples: PhaseSamples;
}

function readMemory(worker: DealWorkerProcess): MemoryReading {
  const usage = processUsage();
  return {
    workerRssBytes: worker.rssBytes(),
    temporalRssBytes: usage?.rssBytes.temporal,
    postgresRssBytes: usage?.rssBytes.postgres,
  };
}

/** Creates a deal and takes it to the opportunity phase with two Updates, as a sales rep would. */
async function openDeal(env: BenchEnvironment, deals: DealService, customerId: number, index: number): Promise<void> {
  const lead = await deals.createDeal({ actor: 'sofia', customerId, source: 'benchmark', interest: `open deal ${index}` });
  const handle = env.client.workflow.getHandle(dealWorkflowId(lead.dealNumber));
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  const state = await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: `Open deal ${index}` }] });
  if (state.phase !== 'opportunity') throw new Error(`deal ${lead.dealNumber} is in phase ${state.phase}, not opportunity`);
}

export async function runOpenDeals(
  env: BenchEnvironment,
  customerId: number,
  count: number,
  concurrency: number,
  deadline: number,
): Promise<OpenDealsRun> {
  const taskQueue = `bench-open-deals-${env.runId}`;
  const worker = await startDealWorkerProcess({ databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, taskQueue });
  try {
    const deals = new DealService(env.client, env.db, taskQueue, env.settings);
    const before = readMemory(worker);
    const sampler = startSampler(env.db, env.dealWorker);
    const pool = await runPool(count, concurrency, deadline, (index) => openDeal(env, deals, customerId, index));
    const samples = sampler.stop();
    const after = readMemory(worker);
    return {
      pool,
      dealsPerSecond: pool.completed / (pool.elapsedMs / 1000),
      before,
      after,
      maxCachedWorkflows: env.env.WORKER_MAX_CACHED_WORKFLOWS,
      samples,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; worker process output:\n${worker.output()}`);
  } finally {
    await worker.stop();
  }
}
