import { Worker } from '@temporalio/worker';
const originalCreate = Worker.create.bind(Worker);
(Worker as unknown as { create: typeof Worker.create }).create = (options) =>
  originalCreate(options.taskQueue.startsWith('bench-deals') ? { ...options, maxCachedWorkflows: Number(process.env.EXP_CACHE) } : options);
import { startBenchEnvironment } from './environment';
import { runOpenDeals } from './open-deals';
import { createApiClient } from '../scripts/scenario';
import { loadScenario } from './throughput';

async function main() {
  const env = await startBenchEnvironment();
  try {
    const scenario = loadScenario();
    const api = createApiClient(env.baseUrl, env.keys.get('sofia')!);
    const { id } = await api.post<{ id: number }>('/customers', scenario.customer);
    const count = Number(process.env.EXP_DEALS);
    const run = await runOpenDeals(env, id, count, 20, Date.now() + 20 * 60_000);
    const mib = (b: number) => (b / 1048576).toFixed(0);
    console.log(JSON.stringify({ maxCached: run.maxCachedWorkflows, completed: run.pool.completed, failed: run.pool.failed, dealsPerSecond: run.dealsPerSecond.toFixed(1),
      before: mib(run.before.rssBytes), after: mib(run.after.rssBytes), afterGc: run.afterGc && mib(run.afterGc.rssBytes), cached: run.after.cachedWorkflows,
      heapBefore: mib(run.before.heapUsedBytes), heapAfter: mib(run.after.heapUsedBytes) }));
  } finally {
    await env.close();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
