import fs from 'node:fs';
import path from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { apiClientsFor, runScenario, type ApiClient, type Scenario } from '../scripts/scenario';
import { baselineDeal, baselineStep } from './baseline-workflow';
import type { BenchEnvironment } from './environment';
import { profileWorkflow, type HistoryProfile, type TaskTiming } from './history';
import { startSampler, type PhaseSamples } from './resources';
import { LatencyRecorder, runPool, type PoolResult } from './stats';
import { dealWorkflowId } from '../api/deal-service';

/**
 * Phase 1 and 2: deals through the whole Glocial Machineries scenario over HTTP, against baseline
 * workflows with the same Updates and as many no-op activities, driven through the Temporal client.
 */

export const scenarioFile = path.join(__dirname, '..', 'scenarios', 'glocial-machineries.json');

export function loadScenario(): Scenario {
  return JSON.parse(fs.readFileSync(scenarioFile, 'utf8')) as Scenario;
}

/** One API step of the scenario, as one unloaded deal ran it. */
export interface StepPlan {
  /** Scenario event name, such as lead.qualified. */
  event: string;
  update: string;
  /** Activity types the step's Update scheduled. */
  activities: string[];
  unloadedMs: number;
  /** SQL statements the step sent: from the API process side and from each activity type. */
  queries: { api: number; activities: number; byActivity: Record<string, number> };
}

export interface WarmUp {
  steps: StepPlan[];
  backgroundActivities: string[];
  dealNumber: number;
  baselineUnloadedMs: number[];
  /** Histories of the warm-up deal and of the warm-up baseline workflow. */
  dealHistory: HistoryProfile;
  baselineHistory: HistoryProfile;
}

/**
 * API clients per scenario actor whose POSTs append their duration to `timings`. runScenario sends
 * exactly one POST per scenario step, in order, so timings[i] belongs to scenario.steps[i].
 */
function timedClients(env: BenchEnvironment, timings: number[]) {
  const clientsFor = apiClientsFor(env.baseUrl, env.keys);
  return (actor: string, customerProxy: string): ApiClient => {
    const api = clientsFor(actor, customerProxy);
    return {
      get: api.get,
      post: async <T>(requestPath: string, body: unknown): Promise<T> => {
        const startedAt = performance.now();
        try {
          return await api.post<T>(requestPath, body);
        } finally {
          timings.push(performance.now() - startedAt);
        }
      },
    };
  };
}

function queryDelta(before: Map<string, number>, after: Map<string, number>): StepPlan['queries'] {
  const byActivity: Record<string, number> = {};
  let api = 0;
  let activities = 0;
  for (const [source, count] of after) {
    const delta = count - (before.get(source) ?? 0);
    if (delta === 0) continue;
    if (source === 'api') api += delta;
    else {
      byActivity[source] = delta;
      activities += delta;
    }
  }
  return { api, activities, byActivity };
}

/** Waits until a workflow has no activity scheduled or running, for at most a minute. */
async function activitiesSettled(env: BenchEnvironment, workflowId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const description = await env.client.workflow.getHandle(workflowId).describe();
    if ((description.raw.pendingActivities ?? []).length === 0) return;
    if (Date.now() > deadline) throw new Error(`workflow ${workflowId} still has activities running a minute after its step returned`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs one deal through the scenario with nothing else running, step by step, and reads its history:
 * the Updates and activities per step that the baseline copies, each step's SQL statement count and
 * its unloaded latency. Also runs one baseline workflow the same way.
 */
export async function warmUp(env: BenchEnvironment, scenario: Scenario): Promise<WarmUp> {
  const timings: number[] = [];
  const queryCounts: StepPlan['queries'][] = [];
  const clients = timedClients(env, timings);
  // Nothing else runs during the warm-up, so every statement between a POST and its response is the step's.
  const counting = (actor: string, customerProxy: string): ApiClient => {
    const api = clients(actor, customerProxy);
    return {
      get: api.get,
      post: async <T>(requestPath: string, body: unknown): Promise<T> => {
        const before = env.queries.snapshot();
        const result = await api.post<T>(requestPath, body);
        // A step's email runs after the step returns. Its statements belong to the step, so wait for it.
        await activitiesSettled(env, (result as { workflowId: string }).workflowId);
        queryCounts.push(queryDelta(before, env.queries.snapshot()));
        return result;
      },
    };
  };
  const final = await runScenario(counting, scenario);
  if (final.phase !== 'paid') throw new Error(`the warm-up deal ${final.dealNumber} ended in phase ${final.phase}, not paid`);

  const history = await profileWorkflow(env.client, dealWorkflowId(final.dealNumber));
  if (history.updates.length !== scenario.steps.length) {
    throw new Error(
      `the warm-up deal's history has ${history.updates.length} Updates but the scenario has ${scenario.steps.length} API steps`,
    );
  }
  const steps = scenario.steps.map((step, index) => ({
    event: step.event,
    update: history.updates[index].name,
    activities: history.updates[index].activities,
    unloadedMs: timings[index],
    queries: queryCounts[index],
  }));

  const baselineTimings: number[] = [];
  const baselineId = `${env.runId}-baseline-warm-up`;
  await runBaselineDeal(env, baselineId, steps, (index, milliseconds) => baselineTimings.push(milliseconds));
  return {
    steps,
    backgroundActivities: history.backgroundActivities,
    dealNumber: final.dealNumber,
    baselineUnloadedMs: baselineTimings,
    dealHistory: history,
    baselineHistory: await profileWorkflow(env.client, baselineId),
  };
}

/** Drives one baseline workflow through the plan: Update-with-Start, then one Update per later step. */
async function runBaselineDeal(
  env: BenchEnvironment,
  workflowId: string,
  steps: StepPlan[],
  record: (index: number, milliseconds: number) => void,
): Promise<void> {
  const [first, ...rest] = steps;
  let startedAt = performance.now();
  await env.client.workflow.executeUpdateWithStart(baselineStep, {
    args: [{ activities: first.activities.length, last: rest.length === 0 }],
    startWorkflowOperation: new WithStartWorkflowOperation(baselineDeal, {
      workflowId,
      taskQueue: env.baselineTaskQueue,
      workflowIdConflictPolicy: 'FAIL',
    }),
  });
  record(0, performance.now() - startedAt);
  const handle = env.client.workflow.getHandle(workflowId);
  for (const [offset, step] of rest.entries()) {
    startedAt = performance.now();
    await handle.executeUpdate(baselineStep, { args: [{ activities: step.activities.length, last: offset === rest.length - 1 }] });
    record(offset + 1, performance.now() - startedAt);
  }
}

export interface ThroughputRun {
  pool: PoolResult;
  dealsPerSecond: number;
  /** Latency per scenario step name, in milliseconds. */
  latencies: LatencyRecorder;
  samples: PhaseSamples;
  /** Queue and run times of activities and workflow tasks, from a sample of the run's histories. */
  tasks: TaskTiming[];
}

/** Histories read after a run to see where tasks waited. Each read is one more server call per deal. */
const PROFILED_HISTORIES = 20;

async function sampleTasks(env: BenchEnvironment, workflowIds: string[]): Promise<TaskTiming[]> {
  const chosen = workflowIds.slice(-PROFILED_HISTORIES);
  const tasks: TaskTiming[] = [];
  for (const workflowId of chosen) tasks.push(...(await profileWorkflow(env.client, workflowId)).tasks);
  return tasks;
}

/** N deals through the scenario over HTTP, `concurrency` deals in flight. */
export async function runDeals(
  env: BenchEnvironment,
  scenario: Scenario,
  count: number,
  concurrency: number,
  deadline: number,
): Promise<ThroughputRun> {
  const latencies = new LatencyRecorder();
  const workflowIds: string[] = [];
  const sampler = startSampler(env.db, env.dealWorker);
  const pool = await runPool(count, concurrency, deadline, async () => {
    const timings: number[] = [];
    try {
      const final = await runScenario(timedClients(env, timings), scenario);
      workflowIds.push(dealWorkflowId(final.dealNumber));
      if (final.phase !== 'paid') throw new Error(`deal ${final.dealNumber} ended in phase ${final.phase}, not paid`);
    } finally {
      timings.forEach((milliseconds, index) => latencies.record(scenario.steps[index].event, milliseconds));
    }
  });
  const samples = sampler.stop();
  return { pool, dealsPerSecond: pool.completed / (pool.elapsedMs / 1000), latencies, samples, tasks: await sampleTasks(env, workflowIds) };
}

export interface BaselineRun extends ThroughputRun {
  /** Latency of the baseline Updates that ran exactly one no-op activity: the bare Update round trip. */
  bare: LatencyRecorder;
}

export const BARE_UPDATE = 'bare Update (1 no-op activity)';

/** N baseline workflows through the same plan, through the Temporal client, `concurrency` in flight. */
export async function runBaselineDeals(
  env: BenchEnvironment,
  steps: StepPlan[],
  count: number,
  concurrency: number,
  deadline: number,
): Promise<BaselineRun> {
  const latencies = new LatencyRecorder();
  const bare = new LatencyRecorder();
  const workflowIds: string[] = [];
  const sampler = startSampler(env.db, env.baselineWorker);
  const pool = await runPool(count, concurrency, deadline, async (index) => {
    const workflowId = `${env.runId}-baseline-${index}`;
    await runBaselineDeal(env, workflowId, steps, (stepIndex, milliseconds) => {
      latencies.record(steps[stepIndex].event, milliseconds);
      if (steps[stepIndex].activities.length === 1) bare.record(BARE_UPDATE, milliseconds);
    });
    workflowIds.push(workflowId);
  });
  const samples = sampler.stop();
  return {
    pool,
    dealsPerSecond: pool.completed / (pool.elapsedMs / 1000),
    latencies,
    bare,
    samples,
    tasks: await sampleTasks(env, workflowIds),
  };
}
