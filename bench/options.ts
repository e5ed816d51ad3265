import { parseArgs } from 'node:util';

export const phaseNames = ['throughput', 'latency', 'open-deals', 'batch', 'list'] as const;
export type PhaseName = (typeof phaseNames)[number];

export interface BenchOptions {
  tiny: boolean;
  /** Deals driven through the whole scenario, and baseline workflows driven the same way. */
  deals: number;
  /** Deals or baseline workflows in flight at once, in every phase except batch invoicing. */
  concurrency: number;
  /** Deals, and baseline workflows, of the latency phase, which runs below the machine's saturation. */
  latencyDeals: number;
  /** Deals or baseline workflows in flight at once in the latency phase. */
  latencyConcurrency: number;
  /** Deals started and left waiting in the opportunity phase. */
  openDeals: number;
  /** Rows in the deals table while the list is measured. The missing ones are inserted with SQL. */
  listRows: number;
  /** Sequential GET /deals requests per filter. */
  listRequests: number;
  /** Shipped orders invoiced by one POST /invoicing/batch. */
  batch: number;
  phases: PhaseName[];
  /** File the report is written to, or undefined for none. */
  output?: string;
  /** Minutes after which no work starts and the run exits 1. A run still busy 2 minutes later is stopped. */
  maxMinutes: number;
}

const usage = `Usage: npm run bench -- [options]

  --deals N          deals through the whole scenario, and as many baseline workflows (default 200)
  --concurrency N    deals or workflows in flight at once (default 20); batch invoicing uses the API's own 8
  --latency-deals N  deals, and baseline workflows, timed at low load in the latency phase (default 40)
  --latency-concurrency N
                     deals or workflows in flight in the latency phase (default 4)
  --open-deals N     deals left waiting in the opportunity phase for the memory check (default 10000)
  --list-rows N      rows in the deals table while GET /deals is timed (default 100000)
  --list-requests N  timed GET /deals requests per filter (default 200)
  --batch N          shipped orders invoiced by one POST /invoicing/batch (default 1000)
  --phases LIST      comma-separated subset of ${phaseNames.join(',')} (default all)
  --output FILE      file the report is written to (default BENCHMARKS.md; none with --tiny)
  --no-output        print the report only
  --max-minutes N    start no work after N minutes and exit 1 (default 180, 3 with --tiny); a run still busy
                     2 minutes later is stopped
  --tiny             5 deals, 3 latency deals, 50 open deals, 1000 rows, batch of 10: a quick check that
                     the benchmark works

DATABASE_URL and TEMPORAL_ADDRESS (with TEMPORAL_NAMESPACE) select existing servers; the benchmark then
creates and drops its own database and uses its own task queues. Without them it starts a throwaway
embedded PostgreSQL and an in-memory Temporal dev server on free loopback ports. The open-deals phase
runs the worker as a separate process (worker/main.ts with ROLE=worker) to read its memory alone.`;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`invalid --${name} "${value}": expected a positive integer`);
  return parsed;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      tiny: { type: 'boolean', default: false },
      deals: { type: 'string' },
      concurrency: { type: 'string' },
      'latency-deals': { type: 'string' },
      'latency-concurrency': { type: 'string' },
      'open-deals': { type: 'string' },
      'list-rows': { type: 'string' },
      'list-requests': { type: 'string' },
      batch: { type: 'string' },
      phases: { type: 'string' },
      output: { type: 'string' },
      'no-output': { type: 'boolean', default: false },
      'max-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const tiny = values.tiny === true;
  const phases = (values.phases ?? phaseNames.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const unknown = phases.filter((name) => !phaseNames.includes(name as PhaseName));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')} in --phases; phases are ${phaseNames.join(', ')}`);
  if (values.output !== undefined && values['no-output']) throw new Error('give --output FILE or --no-output, not both');

  let output: string | undefined;
  if (values['no-output']) output = undefined;
  else output = values.output ?? (tiny ? undefined : 'BENCHMARKS.md');

  return {
    tiny,
    deals: positiveInteger('deals', values.deals, tiny ? 5 : 200),
    concurrency: positiveInteger('concurrency', values.concurrency, 20),
    latencyDeals: positiveInteger('latency-deals', values['latency-deals'], tiny ? 3 : 40),
    latencyConcurrency: positiveInteger('latency-concurrency', values['latency-concurrency'], tiny ? 2 : 4),
    openDeals: positiveInteger('open-deals', values['open-deals'], tiny ? 50 : 10_000),
    listRows: positiveInteger('list-rows', values['list-rows'], tiny ? 1_000 : 100_000),
    listRequests: positiveInteger('list-requests', values['list-requests'], tiny ? 20 : 200),
    batch: positiveInteger('batch', values.batch, tiny ? 10 : 1_000),
    phases: phaseNames.filter((name) => phases.includes(name)),
    output,
    maxMinutes: positiveInteger('max-minutes', values['max-minutes'], tiny ? 3 : 180),
  };
}

export function printUsage(): void {
  console.log(usage);
}
