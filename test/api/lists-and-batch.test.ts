import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, ensureCustomer, handleFor } from '../support/deal-driver';
import * as wf from '../../workflows/deal';
import type { DealState } from '../../domain/deal-state';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.db.sequelize.query(`UPDATE products SET on_hand = 1000 WHERE kind = 'goods'`);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

interface BatchReply {
  invoiced: number;
  skipped: number;
  failed: number;
  results: { dealNumber: number; result: string; invoiceNumber?: string }[];
}

async function runBatch(user = 'fin', body: unknown = {}): Promise<{ status: number; body: BatchReply & { detail?: string } }> {
  const response = await fetch(`${harness.baseUrl}/invoicing/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...harness.authHeaders(user) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function invoiceCount(orderNumber: string): Promise<number> {
  return harness.db.models.Invoice.count({ where: { orderNumber } });
}

describe('batch invoicing', () => {
  let shipped: DealState[];
  let unshipped: DealState;

  beforeAll(async () => {
    shipped = [await dealInPhase(harness, 'invoicing'), await dealInPhase(harness, 'invoicing'), await dealInPhase(harness, 'invoicing')];
    unshipped = await dealInPhase(harness, 'shipping');
  }, 120_000);

  test('invoices every shipped order once', async () => {
    const first = await runBatch();
    expect(first.status).toBe(200);
    expect(first.body.invoiced).toBe(3);
    expect(first.body.failed).toBe(0);
    expect(first.body.results.map((result) => result.dealNumber).sort()).toEqual(shipped.map((deal) => deal.dealNumber).sort());
    for (const deal of shipped) expect(await invoiceCount(deal.order!.number)).toBe(1);
    expect(await invoiceCount(unshipped.order!.number)).toBe(0);
  });

  test('repeat invoices nothing new', async () => {
    const again = await runBatch();
    expect(again.body).toEqual({ invoiced: 0, skipped: 0, failed: 0, results: [] });
    for (const deal of shipped) expect(await invoiceCount(deal.order!.number)).toBe(1);
  });

  test('concurrent batches invoice once', async () => {
    const more = [await dealInPhase(harness, 'invoicing'), await dealInPhase(harness, 'invoicing')];
    const [one, two] = await Promise.all([runBatch(), runBatch()]);
    expect(one.body.invoiced + two.body.invoiced).toBe(2);
    expect(one.body.failed + two.body.failed).toBe(0);
    for (const deal of more) expect(await invoiceCount(deal.order!.number)).toBe(1);
  });

  test('customer filter limits the batch', async () => {
    const deal = await dealInPhase(harness, 'invoicing');
    const other = await runBatch('fin', { customerId: 999_999 });
    expect(other.body.invoiced).toBe(0);
    const own = await runBatch('fin', { customerId: deal.customer!.id });
    expect(own.body.results.map((result) => result.dealNumber)).toEqual([deal.dealNumber]);
  });

  test('batch needs finance role', async () => {
    const reply = await runBatch('dev');
    expect(reply.status).toBe(403);
    expect(reply.body.detail).toContain('invoices needs role finance or admin');
  });

  test('inverted date range is rejected', async () => {
    const reply = await runBatch('fin', { shippedFrom: '2026-12-10', shippedTo: '2026-12-01' });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toBe('shippedFrom 2026-12-10 is after shippedTo 2026-12-01');
  });
});

describe('invoice lists', () => {
  test('status filters and balances', async () => {
    const deal = await dealInPhase(harness, 'payment');
    const handle = handleFor(harness, deal.dealNumber);
    await handle.executeUpdate(wf.recordPayment, { args: [{ actor: 'fin', amount: '1000.00', method: 'wire', reference: `L-${deal.dealNumber}` }] });
    const open = await harness.apiAs('fin').get<{ items: { number: string; status: string; balance: string; amountPaid: string }[] }>(
      `/invoices?status=open&customerId=${deal.customer!.id}`,
    );
    const listed = open.items.find((item) => item.number === deal.invoices[0].number);
    expect(listed).toMatchObject({ status: 'open', amountPaid: '1000.00', balance: '57398.70' });
    const overdue = await harness.apiAs('fin').get<{ items: unknown[] }>('/invoices?status=overdue');
    expect(overdue.items).toEqual([]);
    const paid = await harness.apiAs('fin').get<{ items: { number: string }[] }>('/invoices?status=paid');
    expect(paid.items.map((item) => item.number)).not.toContain(deal.invoices[0].number);
  });

  test('pages do not overlap', async () => {
    const pages: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const query: string = cursor ? `&after=${cursor}` : '';
      const reply: { items: { number: string }[]; nextCursor: string | null } = await harness.apiAs('fin').get(`/invoices?limit=2${query}`);
      pages.push(...reply.items.map((item) => item.number));
      cursor = reply.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages).toEqual([...pages].sort().reverse());
    expect(pages.length).toBeGreaterThanOrEqual(6);
  });
});

describe('deal search', () => {
  test('text matches title and customer', async () => {
    const customerId = await ensureCustomer(harness);
    const lead = await harness.apiAs('sofia').post<DealState>('/deals', { customerId, source: 'web', interest: 'Swiss-type lathe 100% automatic' });
    const byCustomer = await harness.api.get<{ items: { number: number }[] }>('/deals?q=northfield&limit=200');
    expect(byCustomer.items.map((item) => item.number)).toContain(lead.dealNumber);
    const byTitle = await harness.api.get<{ items: { number: number }[] }>(`/deals?q=${encodeURIComponent('100% auto')}`);
    expect(byTitle.items.map((item) => item.number)).toEqual([lead.dealNumber]);
    const literalPercent = await harness.api.get<{ items: unknown[] }>(`/deals?q=${encodeURIComponent('0%a')}`);
    expect(literalPercent.items).toEqual([]);
  });

  test('new deals do not shift pages', async () => {
    const first = await harness.api.get<{ items: { number: number }[]; nextCursor: string }>('/deals?limit=3');
    const customerId = await ensureCustomer(harness);
    await harness.apiAs('sofia').post('/deals', { customerId, source: 'web', interest: 'inserted between pages' });
    const second = await harness.api.get<{ items: { number: number }[] }>(`/deals?limit=3&after=${first.nextCursor}`);
    const firstNumbers = first.items.map((item) => item.number);
    expect(second.items.every((item) => item.number < Math.min(...firstNumbers))).toBe(true);
  });
});
