import fs from 'node:fs';
import os from 'node:os';
import type { BenchOptions } from './options';
import type { Versions } from './environment';
import type { BaselineRun, StepPlan, ThroughputRun, WarmUp } from './throughput';
import { BARE_UPDATE } from './throughput';
import type { OpenDealsRun, MemoryReading } from './open-deals';
import type { ListRun } from './deal-list';
import type { BatchRun } from './batch';
import type { PhaseSamples } from './resources';
import type { TaskTiming } from './history';
import { summarize } from './stats';
import { BATCH_CONCURRENCY } from './batch';

/**
 * Renders the results as Markdown: a summary table against the targets, then the detail and the
 * profile data behind each number. The same text is printed and written between two marker lines
 * of the output file, so notes written around the markers survive the next run.
 */

export const targets = {
  throughputRatio: 0.75,
  stepP95Ratio: 1.5,
  workerRssBytes: 1024 ** 3,
  listP95Ms: 50,
  batchRatio: 0.75,
};

export interface BenchResults {
  options: BenchOptions;
  command: string;
  startedAt: Date;
  wallSeconds: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  versions: Versions;
  sources: { postgres: string; temporal: string };
  warmUp?: WarmUp;
  deals?: ThroughputRun;
  baseline?: BaselineRun;
  /** The same deals and baseline workflows, fewer of them and fewer in flight, so the CPU is not saturated. */
  latency?: { concurrency: number; deals: ThroughputRun; baseline: BaselineRun };
  openDeals?: OpenDealsRun;
  list?: ListRun;
  batch?: BatchRun;
  errors: string[];
}

const MARK_START = '<!-- bench:results:start (written by `npm run bench`; edit outside these markers) -->';
const MARK_END = '<!-- bench:results:end -->';

const MiB = 1024 ** 2;

function number(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toFixed(digits);
}

function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(0)} MiB`;
}

function verdict(met: boolean | undefined): string {
  if (met === undefined) return 'n/a';
  return met ? 'met' : '**missed**';
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model ?? 'unknown model'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`;
}

/** Finds the step whose p95 latency is highest relative to the bare Update's p95. */
function worstStep(deals: ThroughputRun, baseline: BaselineRun): { step: string; p95: number; ratio: number } {
  const bareP95 = baseline.bare.summary(BARE_UPDATE).p95;
  let worst = { step: 'none', p95: Number.NaN, ratio: Number.NaN };
  for (const step of deals.latencies.names()) {
    const p95 = deals.latencies.summary(step).p95;
    const ratio = p95 / bareP95;
    if (!(worst.ratio >= ratio)) worst = { step, p95, ratio };
  }
  return worst;
}

/** Summary rows of step latency in one run: the slowest step against the bare Update, and how many steps meet the target. */
function latencyRows(label: string, deals: ThroughputRun, baseline: BaselineRun): string[][] {
  const worst = worstStep(deals, baseline);
  const bareP95 = baseline.bare.summary(BARE_UPDATE).p95;
  const within = deals.latencies.names().filter((step) => deals.latencies.summary(step).p95 / bareP95 <= targets.stepP95Ratio).length;
  return [
    [
      `Step latency p95 ${label}, slowest step relative to the bare Update: ${worst.step} (ms)`,
      number(worst.p95, 0),
      number(bareP95, 0),
      number(worst.ratio, 2),
      `≤ ${targets.stepP95Ratio}`,
      verdict(worst.ratio <= targets.stepP95Ratio),
    ],
    [`Steps within the p95 latency target ${label}`, `${within} of ${deals.latencies.names().length}`, '', '', '', ''],
  ];
}

function summaryRows(results: BenchResults): string[][] {
  const rows: string[][] = [];
  const { deals, baseline, openDeals, list, batch, options } = results;
  if (deals && baseline) {
    const ratio = deals.dealsPerSecond / baseline.dealsPerSecond;
    rows.push([
      `Deal throughput, ${options.deals} deals, ${options.concurrency} in flight (deals/s)`,
      number(deals.dealsPerSecond, 2),
      number(baseline.dealsPerSecond, 2),
      number(ratio, 2),
      `≥ ${targets.throughputRatio}`,
      verdict(ratio >= targets.throughputRatio),
    ]);
    rows.push(...latencyRows(`at ${options.concurrency} in flight (throughput run)`, deals, baseline));
  }
  if (results.latency) {
    const { concurrency, deals: timed, baseline: bare } = results.latency;
    rows.push(...latencyRows(`at ${concurrency} in flight (latency run)`, timed, bare));
  }
  if (openDeals) {
    rows.push([
      `Worker process RSS after ${options.openDeals} open deals`,
      mebibytes(openDeals.after.workerRssBytes),
      '',
      '',
      `≤ ${mebibytes(targets.workerRssBytes)}`,
      verdict(openDeals.after.workerRssBytes === undefined ? undefined : openDeals.after.workerRssBytes <= targets.workerRssBytes),
    ]);
  }
  if (list) {
    const worst = [...list.variants].sort((a, b) => b.summary.p95 - a.summary.p95)[0];
    rows.push([
      `Deal list p95 with ${list.rowsBefore + list.rowsInserted} rows, slowest filter: ${worst.name} (ms)`,
      number(worst.summary.p95, 1),
      '',
      '',
      `≤ ${targets.listP95Ms} ms`,
      verdict(list.variants.every((variant) => variant.summary.p95 <= targets.listP95Ms)),
    ]);
  }
  if (batch) {
    const ratio = batch.invoicesPerSecond / batch.bareUpdatesPerSecond;
    rows.push([
      `Batch invoicing of ${options.batch} shipped orders (invoices/s; baseline: bare Updates/s at ${BATCH_CONCURRENCY} in flight)`,
      number(batch.invoicesPerSecond, 2),
      number(batch.bareUpdatesPerSecond, 2),
      number(ratio, 2),
      `≥ ${targets.batchRatio}`,
      verdict(ratio >= targets.batchRatio),
    ]);
  }
  return rows;
}

function stepSection(warmUp: WarmUp, deals: ThroughputRun, baseline: BaselineRun, concurrency: number): string[] {
  const bare = baseline.bare.summary(BARE_UPDATE);
  const plans = new Map<string, StepPlan[]>();
  for (const step of warmUp.steps) plans.set(step.event, [...(plans.get(step.event) ?? []), step]);
  const rows = deals.latencies.names().map((name) => {
    const summary = deals.latencies.summary(name);
    const steps = plans.get(name) ?? [];
    const activities = [...new Set(steps.map((step) => step.activities.join(' + ') || 'none'))].join(' / ');
    const statements = [...new Set(steps.map((step) => `${step.queries.api} + ${step.queries.activities}`))].join(' / ');
    const unloaded = steps.map((step) => number(step.unloadedMs, 0)).join(' / ');
    return [
      name,
      String(summary.count),
      number(summary.p50, 0),
      number(summary.p95, 0),
      number(summary.p99, 0),
      number(summary.p95 / bare.p95, 2),
      number(baseline.latencies.summary(name).p95, 0),
      activities,
      statements,
      unloaded,
    ];
  });
  rows.push([
    BARE_UPDATE,
    String(bare.count),
    number(bare.p50, 0),
    number(bare.p95, 0),
    number(bare.p99, 0),
    '1.00',
    '',
    'noop',
    '0 + 0',
    number(summarize(warmUp.baselineUnloadedMs.filter((_, index) => warmUp.steps[index].activities.length === 1)).p50, 0),
  ]);
  return [
    `### Step latency, ${concurrency} deals in flight (ms)`,
    '',
    'Each API step is timed at the HTTP client. The bare Update is a baseline Update with one no-op activity, taken from',
    'the baseline run at the same concurrency. "Baseline p95" is the baseline Update with as many no-op activities as',
    'the step. SQL statements are those one unloaded deal sent per step, from the API side + from activities;',
    '"unloaded" is that deal\'s latency (one value per occurrence of the step in the scenario).',
    '',
    ...table(
      ['step', 'n', 'p50', 'p95', 'p99', 'p95 ÷ bare p95', 'baseline p95', 'activities', 'SQL statements', 'unloaded'],
      rows,
    ),
  ];
}

function taskRows(tasks: TaskTiming[]): string[][] {
  const types = [...new Set(tasks.map((task) => task.type))];
  return types.map((type) => {
    const matching = tasks.filter((task) => task.type === type);
    const queue = summarize(matching.map((task) => task.queueMs));
    const run = summarize(matching.map((task) => task.runMs));
    return [type, String(matching.length), number(queue.p50, 0), number(queue.p95, 0), number(run.p50, 0), number(run.p95, 0)];
  });
}

function historyRows(warmUp: WarmUp): string[][] {
  const deal = warmUp.dealHistory;
  const baseline = warmUp.baselineHistory;
  const types = [...new Set([...Object.keys(deal.eventTypes), ...Object.keys(baseline.eventTypes)])].sort();
  const rows = types
    .filter((type) => (deal.eventTypes[type] ?? 0) !== (baseline.eventTypes[type] ?? 0))
    .map((type) => [type, String(deal.eventTypes[type] ?? 0), String(baseline.eventTypes[type] ?? 0)]);
  rows.push(['all events', String(deal.events), String(baseline.events)]);
  rows.push(['encoded size', `${(deal.bytes / 1024).toFixed(0)} KiB`, `${(baseline.bytes / 1024).toFixed(0)} KiB`]);
  return rows;
}

function activityStatementRows(warmUp: WarmUp): string[][] {
  const calls = new Map<string, number>();
  const statements = new Map<string, number>();
  for (const step of warmUp.steps) {
    for (const activity of step.activities) calls.set(activity, (calls.get(activity) ?? 0) + 1);
    for (const [activity, count] of Object.entries(step.queries.byActivity)) statements.set(activity, (statements.get(activity) ?? 0) + count);
  }
  const rows = [...calls].map(([activity, count]) => {
    const total = statements.get(activity) ?? 0;
    return [activity, String(count), number(total / count, 1), String(total)];
  });
  const apiTotal = warmUp.steps.reduce((sum, step) => sum + step.queries.api, 0);
  rows.push(['(API: key lookup, owner and reference checks, deal number)', String(warmUp.steps.length), number(apiTotal / warmUp.steps.length, 1), String(apiTotal)]);
  return rows.sort((a, b) => Number(b[3]) - Number(a[3]));
}

function samplesRow(name: string, samples: PhaseSamples): string[] {
  const cpu = samples.cpu;
  const cores = os.cpus().length;
  const busy = cpu ? (cpu.node + cpu.temporal + cpu.postgres) / samples.wallSeconds / cores : undefined;
  return [
    name,
    number(samples.wallSeconds, 1),
    cpu ? number(cpu.node, 1) : 'n/a',
    cpu ? number(cpu.temporal, 1) : 'n/a',
    cpu ? number(cpu.postgres, 1) : 'n/a',
    busy === undefined ? 'n/a' : `${(busy * 100).toFixed(0)} %`,
    `${samples.poolWaitingMax} / ${number(samples.poolWaitingMean, 1)} (pool ${samples.poolSize})`,
    `${samples.activitiesInFlightMax} / ${samples.activationsInFlightMax}`,
    `${(samples.eventLoopUtilization * 100).toFixed(0)} %`,
    number(samples.eventLoopDelayP99, 0),
  ];
}

function memoryRow(name: string, reading: MemoryReading): string[] {
  return [name, mebibytes(reading.workerRssBytes), mebibytes(reading.temporalRssBytes), mebibytes(reading.postgresRssBytes)];
}

function perCachedWorkflow(open: OpenDealsRun): string {
  const cached = Math.min(open.pool.completed, open.maxCachedWorkflows);
  const { before, after } = open;
  if (cached <= 0 || before.workerRssBytes === undefined || after.workerRssBytes === undefined) return '';
  const perDeal = (after.workerRssBytes - before.workerRssBytes) / cached;
  return `Growth per cached deal, assuming the cache filled: ${(perDeal / 1024).toFixed(0)} KiB of RSS (an estimate, because other allocations of the phase are included).`;
}

export function renderResults(results: BenchResults): string {
  const { options, versions, sources } = results;
  const lines: string[] = [
    `## Run of ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${options.tiny ? ' (--tiny: sizes too small for the targets to mean anything)' : ''}`,
    '',
    `- Command: \`${results.command}\``,
    `- Machine: ${machine()}; load average (1, 5, 15 minutes) ${results.loadAverageAtStart.map((value) => value.toFixed(2)).join(', ')} at the start and ${results.loadAverageAtEnd.map((value) => value.toFixed(2)).join(', ')} at the end (the machine is shared, so other work competes for the cores)`,
    `- Temporal: ${sources.temporal}; CLI \`${versions.temporalCli}\`; server ${versions.temporalServer} (GetSystemInfo)`,
    `- Temporal TypeScript SDK ${versions.sdk} (node_modules/@temporalio/worker); Node.js ${versions.node}`,
    `- PostgreSQL: ${versions.postgres}; ${sources.postgres}`,
    `- Sizes: ${options.deals} deals, ${options.concurrency} in flight; ${options.openDeals} open deals; ${options.listRows} deal rows, ${options.listRequests} list requests per filter; batch of ${options.batch}`,
    `- Wall time: ${number(results.wallSeconds / 60, 1)} minutes`,
    '',
  ];
  if (results.errors.length > 0) {
    lines.push('**Errors**, so some numbers below are missing or cover fewer items than requested:', '');
    for (const error of results.errors) lines.push(`- ${error}`);
    lines.push('');
  }
  lines.push('### Summary', '', ...table(['measure', 'deal', 'baseline', 'ratio', 'target', 'result'], summaryRows(results)), '');

  if (results.warmUp && results.deals && results.baseline) {
    const { warmUp, deals, baseline } = results;
    const updates = warmUp.steps.length;
    const activities = warmUp.steps.reduce((sum, step) => sum + step.activities.length, 0);
    lines.push(
      '### Deal throughput',
      '',
      `One scenario deal is ${updates} API steps, so ${updates} Updates (the first is Update-with-Start), and its history has ${activities} ActivityTaskScheduled events` +
        (warmUp.backgroundActivities.length > 0 ? ` plus ${warmUp.backgroundActivities.length} outside any Update (${warmUp.backgroundActivities.join(', ')}), which the baseline leaves out` : '') +
        `. The baseline workflow runs the same ${updates} Updates with ${activities} no-op activities, through the Temporal client.`,
      '',
      ...table(
        ['run', 'completed', 'failed', 'seconds', 'deals/s'],
        [
          ['deals over HTTP', String(deals.pool.completed), String(deals.pool.failed), number(deals.pool.elapsedMs / 1000, 1), number(deals.dealsPerSecond, 2)],
          ['baseline', String(baseline.pool.completed), String(baseline.pool.failed), number(baseline.pool.elapsedMs / 1000, 1), number(baseline.dealsPerSecond, 2)],
        ],
      ),
      '',
      ...stepSection(warmUp, deals, baseline, options.concurrency),
      '',

      '### Where tasks waited and ran, last 20 histories of each run (ms)',
      '',
      'Queue is scheduled to started (waiting for a worker slot and a poll); run is started to completed.',
      '',
      ...table(
        ['task', 'n', 'queue p50', 'queue p95', 'run p50', 'run p95'],
        [
          ...taskRows(deals.tasks).map((row) => [`deal: ${row[0]}`, ...row.slice(1)]),
          ...taskRows(baseline.tasks).map((row) => [`baseline: ${row[0]}`, ...row.slice(1)]),
        ],
      ),
      '',
      '### History of one deal and one baseline workflow',
      '',
      'Event counts of the warm-up deal and the warm-up baseline workflow, for the event types whose counts differ, and the encoded',
      'size of each history. The Temporal server stores, indexes and sends these events and payloads.',
      '',
      ...table(['history', 'deal', 'baseline'], historyRows(warmUp)),
      '',
      '### SQL statements per activity call, unloaded deal',
      '',
      'Counted through Sequelize\'s logging hook, BEGIN and COMMIT included; each statement is one round trip.',
      '',
      ...table(['activity', 'calls per deal', 'statements per call', 'statements per deal'], activityStatementRows(warmUp)),
      '',
    );
  }

  if (results.warmUp && results.latency) {
    const { concurrency, deals, baseline } = results.latency;
    lines.push(
      ...stepSection(results.warmUp, deals, baseline, concurrency),
      '',
      `The latency run drives ${deals.pool.completed} deals, then ${baseline.pool.completed} baseline workflows, with ${concurrency} in flight, ` +
        'so the machine is not saturated. With the throughput run\'s concurrency both runs use the whole CPU, and their step ' +
        'latencies mostly measure waiting for it.',
      '',
    );
  }

  if (results.openDeals) {
    const open = results.openDeals;
    lines.push(
      '### Open deals',
      '',
      `${open.pool.completed} deals started and moved to the opportunity phase (${open.pool.failed} failed) at ${number(open.dealsPerSecond, 1)} deals/s, ` +
        'on the product\'s worker in a process of its own (`worker/main.ts` with ROLE=worker, started by the benchmark). ' +
        `Its sticky cache holds at most ${open.maxCachedWorkflows} deals (WORKER_MAX_CACHED_WORKFLOWS).`,
      perCachedWorkflow(open),
      '',
      ...table(
        ['when', 'worker process RSS', 'Temporal server RSS', 'PostgreSQL RSS'],
        [memoryRow('worker ready', open.before), memoryRow('after the last deal', open.after)],
      ),
      '',
    );
  }

  if (results.list) {
    const list = results.list;
    lines.push(
      '### Deal list',
      '',
      `The table held ${list.rowsBefore} rows from the workflows; ${list.rowsInserted} more were inserted with generate_series in ${number(list.insertMs / 1000, 1)} s, then ANALYZE ran. ` +
        `Each filter: ${5} warm-up requests, then the timed requests one after another.`,
      '',
      ...table(
        ['filter', 'items', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'SQL statements', 'plan', 'result'],
        list.variants.map((variant) => [
          `\`${variant.path}\``,
          String(variant.items),
          String(variant.summary.count),
          number(variant.summary.p50, 1),
          number(variant.summary.p95, 1),
          number(variant.summary.p99, 1),
          String(variant.queriesPerRequest),
          `${variant.plan[0]?.trim().replace(/\s+\(cost=.*$/, '') ?? ''}; ${variant.plan.find((line) => line.startsWith('Execution Time'))?.trim() ?? ''}`,
          verdict(variant.summary.p95 <= targets.listP95Ms),
        ]),
      ),
      '',
    );
    for (const variant of list.variants.filter((item) => item.summary.p95 > targets.listP95Ms)) {
      lines.push(`Plan of \`${variant.path}\`:`, '', '```', ...variant.plan, '```', '');
    }
  }

  if (results.batch) {
    const batch = results.batch;
    lines.push(
      '### Batch invoicing',
      '',
      `${batch.preparation.completed} deals were driven to shipped through Updates in ${number(batch.preparation.elapsedMs / 1000, 0)} s. ` +
        `POST /invoicing/batch took ${number(batch.batchMs / 1000, 1)} s: ${batch.response.invoiced} invoiced, ${batch.response.skipped} skipped, ${batch.response.failed} failed` +
        (batch.response.firstFailure ? ` (first: ${batch.response.firstFailure})` : '') +
        `; ${number(batch.queriesPerInvoice, 1)} SQL statements per invoiced deal. ` +
        `${batch.bare.completed} bare Updates took ${number(batch.bare.elapsedMs / 1000, 1)} s.`,
      '',
    );
  }

  const phases: string[][] = [];
  if (results.deals) phases.push(samplesRow('deals over HTTP', results.deals.samples));
  if (results.baseline) phases.push(samplesRow('baseline', results.baseline.samples));
  if (results.latency) {
    phases.push(samplesRow(`latency: deals, ${results.latency.concurrency} in flight`, results.latency.deals.samples));
    phases.push(samplesRow(`latency: baseline, ${results.latency.concurrency} in flight`, results.latency.baseline.samples));
  }
  if (results.openDeals) phases.push(samplesRow('open deals', results.openDeals.samples));
  if (results.batch) {
    phases.push(samplesRow('POST /invoicing/batch', results.batch.batchSamples));
    phases.push(samplesRow('bare Updates (batch baseline)', results.batch.bareSamples));
  }
  if (phases.length > 0) {
    lines.push(
      '### Resources per phase',
      '',
      'CPU seconds of the Node processes (this one, with worker, API and client, and the open-deals worker process), of the Temporal server and of PostgreSQL, read from /proc;',
      '"busy" is their sum over wall time and cores. Pool waiting is queries waiting for one of the Sequelize pool\'s',
      'connections (max / mean of 200 ms samples). In flight is the sampled worker\'s activities / workflow activations.',
      '"Main thread busy" is the event loop utilization of this process, whose one JavaScript thread runs the',
      'activities, the API and the client; workflow code runs on a separate worker thread.',
      '',
      ...table(
        ['phase', 'wall s', 'CPU s node', 'CPU s Temporal', 'CPU s PostgreSQL', 'busy', 'pool waiting', 'in flight', 'main thread busy', 'event loop delay p99 ms'],
        phases,
      ),
      '',
    );
  }
  return lines.join('\n');
}

const fileHeader = `# Benchmarks

\`npm run bench\` measures the deal workflow against a baseline workflow with the same Temporal traffic and
no-op activities, on one machine: deal throughput, step latency, memory with many open deals, the deal list
on a large table and batch invoicing. \`npm run bench -- --help\` lists the sizes; \`--tiny\` is the quick check.

`;

/** Replaces the text between the markers of `file` with `section`, creating the file or the markers if needed. */
export function writeReport(file: string, section: string): void {
  const block = `${MARK_START}\n\n${section}\n\n${MARK_END}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : fileHeader;
  const start = current.indexOf(MARK_START);
  const end = current.indexOf(MARK_END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + MARK_END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}
