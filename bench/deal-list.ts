import { QueryTypes } from 'sequelize';
import type { BenchEnvironment } from './environment';
import { summarize, type LatencySummary } from './stats';

/**
 * Phase 3b: GET /deals with and without filters while the deals table contains many rows. The rows the
 * workflows did not create are inserted with one INSERT ... SELECT over generate_series. They have no
 * workflow behind them, which does not matter because the list reads only the table.
 */

export interface ListVariant {
  name: string;
  path: string;
  summary: LatencySummary;
  /** Items in the response. */
  items: number;
  /** SQL statements per request: API key lookup plus the list query. */
  queriesPerRequest: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of the list query as the API sent it. */
  plan: string[];
}

export interface ListRun {
  rowsBefore: number;
  rowsInserted: number;
  insertMs: number;
  variants: ListVariant[];
}

const interests = ['CNC lathe', 'hydraulic press', 'tool kit', 'spare parts', 'service contract', 'retrofit', 'operator training', 'coolant system'];
const generatedPhases = ['lead', 'opportunity', 'estimate', 'quality', 'pick_release', 'shipping', 'invoicing', 'payment', 'paid', 'disqualified', 'lost', 'cancelled'];
/** One generated row in RARE_EVERY mentions an export crate, so `q=crate` is a rare match. */
const RARE_EVERY = 1000;

const WARM_UP_REQUESTS = 5;

const variants = [
  { name: 'no filter', path: '/deals?limit=50' },
  { name: 'phase=opportunity', path: '/deals?phase=opportunity&limit=50' },
  { name: 'q=press (1 row in 8)', path: '/deals?q=press&limit=50' },
  { name: `q=crate (1 row in ${RARE_EVERY})`, path: '/deals?q=crate&limit=50' },
];

async function countDeals(env: BenchEnvironment): Promise<number> {
  const [row] = await env.db.sequelize.query<{ count: string }>('SELECT count(*) AS count FROM deals', { type: QueryTypes.SELECT });
  return Number(row.count);
}

/** Inserts deal rows until the table contains `target` rows, spread over phases, owners and titles. */
async function fillDeals(env: BenchEnvironment, customerId: number, target: number): Promise<{ before: number; inserted: number; ms: number }> {
  const before = await countDeals(env);
  const missing = Math.max(0, target - before);
  const startedAt = performance.now();
  if (missing > 0) {
    const [customer] = await env.db.sequelize.query<{ company: string }>('SELECT company FROM customers WHERE id = :customerId', {
      replacements: { customerId },
      type: QueryTypes.SELECT,
    });
    await env.db.sequelize.query(
      `INSERT INTO deals (number, workflow_id, customer_id, owner, phase, title, source, currency, customer_name, created_at, updated_at)
       SELECT nextval('deal_number_seq'), 'bench-row-' || :runId || '-' || g, :customerId,
              (ARRAY['sofia', 'mark'])[1 + g % 2],
              (ARRAY[:phases])[1 + g % :phaseCount],
              :company || ': ' || (ARRAY[:interests])[1 + g % :interestCount]
                || CASE WHEN g % :rareEvery = 0 THEN ' in an export crate' ELSE '' END,
              'benchmark', :currency, :company, now(), now()
         FROM generate_series(1, :missing) AS g`,
      {
        replacements: {
          runId: env.runId,
          customerId,
          phases: generatedPhases,
          phaseCount: generatedPhases.length,
          company: customer.company,
          interests,
          interestCount: interests.length,
          rareEvery: RARE_EVERY,
          currency: env.settings.currency,
          missing,
        },
      },
    );
    await env.db.sequelize.query('ANALYZE deals');
  }
  return { before, inserted: missing, ms: performance.now() - startedAt };
}

async function explain(env: BenchEnvironment, sql: string): Promise<string[]> {
  const rows = await env.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.replace(/;\s*$/, '')}`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((row) => row['QUERY PLAN']);
}

export async function runDealList(
  env: BenchEnvironment,
  customerId: number,
  targetRows: number,
  requests: number,
  deadline: number,
): Promise<ListRun> {
  const filled = await fillDeals(env, customerId, targetRows);
  const apiKey = env.keys.get('dana') ?? [...env.keys.values()][0];
  const measured: ListVariant[] = [];

  for (const variant of variants) {
    const get = async () => {
      const response = await fetch(`${env.baseUrl}${variant.path}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await response.json()) as { items?: unknown[] };
      if (!response.ok) throw new Error(`GET ${variant.path} returned ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      return body.items?.length ?? 0;
    };
    for (let index = 0; index < WARM_UP_REQUESTS; index++) await get();

    env.queries.captured = [];
    const queriesBefore = env.queries.total;
    const items = await get();
    const queriesPerRequest = env.queries.total - queriesBefore;
    const listSql = env.queries.captured.find((sql) => /FROM "deals"/.test(sql));
    env.queries.captured = undefined;

    const samples: number[] = [];
    for (let index = 0; index < requests && Date.now() < deadline; index++) {
      const startedAt = performance.now();
      await get();
      samples.push(performance.now() - startedAt);
    }
    measured.push({
      ...variant,
      summary: summarize(samples),
      items,
      queriesPerRequest,
      plan: listSql ? await explain(env, listSql) : ['(the list query was not captured)'],
    });
  }
  return { rowsBefore: filled.before, rowsInserted: filled.inserted, insertMs: filled.ms, variants: measured };
}
