import os from 'node:os';
import { createApiClient, type Scenario } from '../scripts/scenario';
import { parseOptions, printUsage, type BenchOptions } from './options';
import { progress, startBenchEnvironment, type BenchEnvironment } from './environment';
import { loadScenario, runBaselineDeals, runDeals, warmUp } from './throughput';
import { runOpenDeals } from './open-deals';
import { runBatch } from './batch';
import { runDealList } from './deal-list';
import { renderResults, writeReport, type BenchResults } from './report';
import type { PoolResult } from './stats';

/**
 * `npm run bench`: starts PostgreSQL, Temporal, the deal worker and the API in this process, runs the
 * phases chosen by --phases, prints the results as Markdown and writes them to BENCHMARKS.md.
 * Exits 1 when a phase failed or the time limit passed. A missed target alone does not fail the run.
 */

/** Returns the command line as typed, for the report. DATABASE_URL's value is left out because it may contain a password. */
function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  const base = viaNpm ? `npm run bench${args ? ` -- ${args}` : ''}` : `tsx bench/run.ts${args ? ` ${args}` : ''}`;
  const prefix = [
    process.env.NODE_OPTIONS ? `NODE_OPTIONS=${process.env.NODE_OPTIONS}` : '',
    process.env.DATABASE_URL ? 'DATABASE_URL=…' : '',
    process.env.TEMPORAL_ADDRESS ? `TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}` : '',
  ].filter((part) => part.length > 0);
  return [...prefix, base].join(' ');
}

/** Finds the scenario's customer through the API, or creates it as the scenario's first actor would. */
async function ensureCustomer(env: BenchEnvironment, scenario: Scenario): Promise<number> {
  const actor = scenario.steps[0].actor;
  const apiKey = env.keys.get(actor);
  if (!apiKey) throw new Error(`no API key for the scenario's first actor "${actor}"`);
  const api = createApiClient(env.baseUrl, apiKey);
  const { items } = await api.get<{ items: { id: number; company: string }[] }>('/customers');
  const existing = items.find((customer) => customer.company === scenario.customer.company);
  if (existing) return existing.id;
  return (await api.post<{ id: number }>('/customers', scenario.customer)).id;
}

/** Describes failed or unstarted tasks of a phase, or returns undefined when all `requested` completed. */
function poolProblem(name: string, pool: PoolResult, requested: number): string | undefined {
  if (pool.failed === 0 && pool.completed === requested) return undefined;
  const stopped = pool.started < requested ? `; ${requested - pool.started} never started because the time limit passed` : '';
  return `${name}: ${pool.completed} of ${requested} completed, ${pool.failed} failed${stopped}${pool.errors.length > 0 ? ` (${pool.errors.join('; ')})` : ''}`;
}

async function runPhases(env: BenchEnvironment, options: BenchOptions, results: BenchResults, deadline: number): Promise<void> {
  const scenario = loadScenario();
  const customerId = await ensureCustomer(env, scenario);
  const record = (problem: string | undefined) => {
    if (problem) results.errors.push(problem);
  };
  const attempt = async (phase: string, body: () => Promise<void>) => {
    if (Date.now() >= deadline) {
      results.errors.push(`${phase}: skipped because the time limit of ${options.maxMinutes} minutes passed`);
      return;
    }
    try {
      await body();
    } catch (error) {
      results.errors.push(`${phase}: ${error instanceof Error ? error.message : String(error)}`);
      console.error(error);
    }
  };

  if (options.phases.includes('throughput') || options.phases.includes('latency')) {
    await attempt('warm-up', async () => {
      progress('warm-up: one scenario deal and one baseline workflow, one step at a time');
      results.warmUp = await warmUp(env, scenario);
    });
  }
  const steps = results.warmUp?.steps;
  if (options.phases.includes('throughput') && steps) {
    await attempt('throughput', async () => {
      progress(`${options.deals} scenario deals over HTTP, ${options.concurrency} in flight`);
      results.deals = await runDeals(env, scenario, options.deals, options.concurrency, deadline);
      record(poolProblem('deals over HTTP', results.deals.pool, options.deals));
      progress(`${options.deals} baseline workflows, ${options.concurrency} in flight`);
      results.baseline = await runBaselineDeals(env, steps, options.deals, options.concurrency, deadline);
      record(poolProblem('baseline workflows', results.baseline.pool, options.deals));
    });
  }
  if (options.phases.includes('latency') && steps) {
    await attempt('latency', async () => {
      const { latencyDeals: count, latencyConcurrency: concurrency } = options;
      progress(`latency: ${count} scenario deals over HTTP, then ${count} baseline workflows, ${concurrency} in flight`);
      const deals = await runDeals(env, scenario, count, concurrency, deadline);
      record(poolProblem('latency deals', deals.pool, count));
      const baseline = await runBaselineDeals(env, steps, count, concurrency, deadline);
      record(poolProblem('latency baseline workflows', baseline.pool, count));
      results.latency = { concurrency, deals, baseline };
    });
  }
  if (options.phases.includes('open-deals')) {
    await attempt('open deals', async () => {
      progress(`${options.openDeals} deals to the opportunity phase, ${options.concurrency} in flight`);
      results.openDeals = await runOpenDeals(env, customerId, options.openDeals, options.concurrency, deadline);
      record(poolProblem('open deals', results.openDeals.pool, options.openDeals));
    });
  }
  if (options.phases.includes('batch')) {
    await attempt('batch invoicing', async () => {
      results.batch = await runBatch(env, customerId, options.batch, options.concurrency, deadline, progress);
      record(poolProblem('bare Updates', results.batch.bare, options.batch));
      if (results.batch.response.invoiced !== options.batch) {
        results.errors.push(`batch invoicing: ${results.batch.response.invoiced} of ${options.batch} orders invoiced`);
      }
    });
  }
  if (options.phases.includes('list')) {
    await attempt('deal list', async () => {
      progress(`deal list with ${options.listRows} rows, ${options.listRequests} requests per filter`);
      results.list = await runDealList(env, customerId, options.listRows, options.listRequests, deadline);
    });
  }
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`invalid arguments: ${error instanceof Error ? error.message : String(error)}. Run npm run bench -- --help for the options.`);
    return 1;
  }
  if (options === 'help') {
    printUsage();
    return 0;
  }
  const startedAt = new Date();
  const limitMs = options.maxMinutes * 60_000;
  const deadline = Date.now() + limitMs;
  const results: Omit<BenchResults, 'versions' | 'sources'> = {
    options,
    command: commandLine(),
    startedAt,
    wallSeconds: 0,
    loadAverageAtStart: os.loadavg(),
    loadAverageAtEnd: [],
    errors: [],
  };

  // Phases start no work after the deadline. This timer also stops a run whose start-up or running work
  // hangs past it.
  let env: BenchEnvironment | undefined;
  const watchdog = setTimeout(() => {
    console.error(`[bench] the run exceeded --max-minutes ${options.maxMinutes} by 2 minutes; stopping it and its servers`);
    const closing = env ? env.close() : Promise.resolve();
    void Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 30_000))]).finally(() => process.exit(1));
  }, limitMs + 120_000);
  watchdog.unref();
  env = await startBenchEnvironment();

  const full: BenchResults = { ...results, versions: env.versions, sources: env.sources };
  try {
    await runPhases(env, options, full, deadline);
  } finally {
    progress('stopping the API, workers and servers');
    await env.close();
    clearTimeout(watchdog);
  }
  full.wallSeconds = (Date.now() - startedAt.getTime()) / 1000;
  full.loadAverageAtEnd = os.loadavg();

  const section = renderResults(full);
  console.log(section);
  if (options.output) {
    writeReport(options.output, section);
    progress(`results written to ${options.output}`);
  }
  return full.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
