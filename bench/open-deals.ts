import * as wf from '../workflows/deal';
import { dealWorkflowId } from '../api/deal-service';
import type { BenchEnvironment } from './environment';
import { processUsage, startSampler, type PhaseSamples } from './resources';
import { runPool, type PoolResult } from './stats';

/**
 * Phase 3a: many deals started and left waiting in the opportunity phase, and the benchmark process's
 * memory before and after. The worker, the API and the benchmark's client share this process, as the
 * worker and the API do under `npm start`.
 */

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  cachedWorkflows: number;
  temporalRssBytes?: number;
  postgresRssBytes?: number;
}

export interface OpenDealsRun {
  pool: PoolResult;
  dealsPerSecond: number;
  before: MemoryReading;
  after: MemoryReading;
  /** Reading after two full garbage collections, taken only when node runs with --expose-gc. */
  afterGc?: MemoryReading;
  maxCachedWorkflows: number;
  samples: PhaseSamples;
}

function readMemory(env: BenchEnvironment): MemoryReading {
  const memory = process.memoryUsage();
  const usage = processUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    cachedWorkflows: env.dealWorker.getStatus().numCachedWorkflows,
    temporalRssBytes: usage?.rssBytes.temporal,
    postgresRssBytes: usage?.rssBytes.postgres,
  };
}

/** Creates a deal and takes it to the opportunity phase with two Updates, as a sales rep would. */
async function openDeal(env: BenchEnvironment, customerId: number, index: number): Promise<void> {
  const lead = await env.deals.createDeal({ actor: 'sofia', customerId, source: 'benchmark', interest: `open deal ${index}` });
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
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = readMemory(env);
  const sampler = startSampler(env.db, env.dealWorker);
  const pool = await runPool(count, concurrency, deadline, (index) => openDeal(env, customerId, index));
  const samples = sampler.stop();
  const after = readMemory(env);
  let afterGc: MemoryReading | undefined;
  if (gc) {
    gc();
    gc();
    afterGc = readMemory(env);
  }
  return {
    pool,
    dealsPerSecond: pool.completed / (pool.elapsedMs / 1000),
    before,
    after,
    afterGc,
    maxCachedWorkflows: env.dealWorker.options.maxCachedWorkflows,
    samples,
  };
}
