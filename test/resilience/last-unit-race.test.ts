import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer, handleFor, timelineSizes } from '../support/deal-driver';
import * as wf from '../../workflows/deal';
import type { DealState } from '../../domain/deal-state';

/**
 * K deals, each ordering one press, compete for the last unit on hand through the HTTP API at the same
 * time. Exactly one may take it, and the others must leave stock, documents and their deals as they were.
 * The race is run at shipment and at conversion to an order, where stock is reserved.
 */

const DEAL_COUNT = 8;
/** Bounds of the loop that samples on_hand while the shipment requests run. */
const SAMPLE_LIMIT = 5_000;
const SAMPLE_TIMEOUT_MS = 30_000;

type ProblemOrDeal = { detail?: string; type?: string; phase?: string } & Partial<DealState>;
type ApiResponse = { status: number; body: ProblemOrDeal };

let harness: Harness;
let customerId: number;

beforeAll(async () => {
  harness = await startHarness();
  customerId = await ensureCustomer(harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** Creates a deal for one unit of `sku` and takes it through estimate approval with the workflow's Updates. */
async function approvedDeal(sku: string, index: number): Promise<number> {
  const created = await harness.deals.createDeal({ actor: 'sofia', customerId, source: 'web', interest: `press ${index}` });
  const handle = handleFor(harness, created.dealNumber);
  await handle.executeUpdate(wf.qualifyLead, { args: [{ actor: 'sofia' }] });
  await handle.executeUpdate(wf.convertToOpportunity, { args: [{ actor: 'sofia', name: `Press line ${index}` }] });
  await handle.executeUpdate(wf.createEstimate, { args: [{ actor: 'mark', validForDays: 30, lines: [{ sku, quantity: 1 }] }] });
  await handle.executeUpdate(wf.sendEstimate, { args: [{ actor: 'mark' }] });
  await handle.executeUpdate(wf.approveEstimate, { args: [{ actor: 'customer', acceptedBy: 'Priya Raman' }] });
  return created.dealNumber;
}

/** Takes an approved deal through conversion, QA and pick release, so it ends in phase shipping. */
async function dealInShipping(sku: string, index: number): Promise<number> {
  const dealNumber = await approvedDeal(sku, index);
  const handle = handleFor(harness, dealNumber);
  await handle.executeUpdate(wf.convertToOrder, { args: [{ actor: 'mark' }] });
  await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['ram pressure'] }] });
  const deal = await handle.executeUpdate(wf.releaseForPicking, { args: [{ actor: 'dev' }] });
  if (deal.phase !== 'shipping') throw new Error(`deal ${dealNumber} stopped in phase ${deal.phase}, expected shipping`);
  return dealNumber;
}

/** Posts as the user the body names as actor (delivery for shipments, the estimator for conversions). */
async function post(path: string, body: { actor: string; [field: string]: unknown }): Promise<ApiResponse> {
  const response = await fetch(`${harness.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...harness.authHeaders(body.actor) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ProblemOrDeal };
}

function ship(dealNumber: number): Promise<ApiResponse> {
  return post(`/deals/${dealNumber}/shipments`, { actor: 'dev', carrier: 'X', trackingNumber: `T-${dealNumber}`, lines: 'all' });
}

async function stockOf(sku: string): Promise<{ onHand: number; reserved: number }> {
  const product = await harness.db.models.Product.findByPk(sku);
  return { onHand: product!.get('onHand') as number, reserved: product!.get('reserved') as number };
}

async function setStock(sku: string, onHand: number, reserved: number): Promise<void> {
  await harness.db.sequelize.query(`UPDATE products SET on_hand = :onHand, reserved = :reserved WHERE sku = :sku`, {
    replacements: { sku, onHand, reserved },
  });
}

/** Splits deal numbers by whether their request returned 200. */
function split(dealNumbers: number[], responses: Map<number, ApiResponse>): { winners: number[]; losers: number[] } {
  return {
    winners: dealNumbers.filter((n) => responses.get(n)!.status === 200),
    losers: dealNumbers.filter((n) => responses.get(n)!.status !== 200),
  };
}

describe('last unit at shipment', () => {
  const sku = 'GM-HP-150';
  let dealNumbers: number[] = [];
  let reservedBeforeCount = -1;
  const timelinesBefore = new Map<number, { stored: number; workflow: number }>();
  const responses = new Map<number, ApiResponse>();
  const onHandSamples: number[] = [];
  const losers = () => split(dealNumbers, responses).losers;

  beforeAll(async () => {
    // Each order reserves its press at conversion, and pick release needs that reservation.
    await setStock(sku, DEAL_COUNT, 0);
    dealNumbers = await Promise.all(Array.from({ length: DEAL_COUNT }, (_, index) => dealInShipping(sku, index)));
    reservedBeforeCount = (await stockOf(sku)).reserved;

    // A stock count finds one press where the orders hold K. The API has no stock write-off, and the
    // products_reserved_within_on_hand CHECK needs reserved <= on_hand, so both columns are set here.
    await setStock(sku, 1, 1);
    for (const dealNumber of dealNumbers) timelinesBefore.set(dealNumber, await timelineSizes(harness, dealNumber));

    let settled = false;
    const requests = Promise.all(
      dealNumbers.map(async (dealNumber) => {
        responses.set(dealNumber, await ship(dealNumber));
      }),
    ).finally(() => (settled = true));
    const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
    while (!settled && onHandSamples.length < SAMPLE_LIMIT && Date.now() < deadline) {
      onHandSamples.push((await stockOf(sku)).onHand);
    }
    await requests;
  }, 120_000);

  test('each order reserved its press', () => {
    expect(reservedBeforeCount).toBe(DEAL_COUNT);
  });

  test('one shipment request succeeds', () => {
    const statuses = dealNumbers.map((n) => responses.get(n)!.status).sort();
    expect(statuses).toEqual([200, ...Array(DEAL_COUNT - 1).fill(409)]);
  });

  test('losers name the SKU and stock', () => {
    const details = losers().map((n) => responses.get(n)!.body.detail);
    expect(details).toEqual(Array(DEAL_COUNT - 1).fill(expect.stringMatching(new RegExp(`${sku}.*: 0 on hand$`))));
  });

  test('losers get step-rejected problem', () => {
    const types = losers().map((n) => responses.get(n)!.body.type);
    expect(types).toEqual(Array(DEAL_COUNT - 1).fill('/problems/step-rejected'));
  });

  test('on hand ends at zero', async () => {
    expect((await stockOf(sku)).onHand).toBe(0);
  });

  test('on hand sampled during race', () => {
    expect(onHandSamples.length).toBeGreaterThan(0);
  });

  test('on hand never negative', () => {
    expect(Math.min(...onHandSamples)).toBeGreaterThanOrEqual(0);
  });

  test('on hand check constraint exists', async () => {
    const [rows] = await harness.db.sequelize.query(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'products'::regclass AND contype = 'c'`,
    );
    expect((rows as { definition: string }[]).map((row) => row.definition)).toContain('CHECK ((on_hand >= 0))');
  });

  test('one stock movement of minus one', async () => {
    const [rows] = await harness.db.sequelize.query(`SELECT quantity FROM stock_movements WHERE sku = :sku`, { replacements: { sku } });
    expect(rows).toEqual([{ quantity: -1 }]);
  });

  test('one shipment row', async () => {
    expect(await harness.db.models.Shipment.count()).toBe(1);
  });

  test('winner moves to invoicing', () => {
    const phases = split(dealNumbers, responses).winners.map((n) => responses.get(n)!.body.phase);
    expect(phases).toEqual(['invoicing']);
  });

  test('losers stay in shipping', async () => {
    const phases: string[] = [];
    for (const dealNumber of losers()) phases.push((await handleFor(harness, dealNumber).query(wf.getDeal)).phase);
    expect(phases).toEqual(Array(DEAL_COUNT - 1).fill('shipping'));
  });

  test('loser deal rows stay in shipping', async () => {
    const rows = await harness.db.models.Deal.findAll({ where: { number: losers() }, attributes: ['phase'] });
    expect(rows.map((row) => row.get('phase'))).toEqual(Array(DEAL_COUNT - 1).fill('shipping'));
  });

  test('loser timelines unchanged', async () => {
    const after = new Map<number, { stored: number; workflow: number }>();
    for (const dealNumber of losers()) after.set(dealNumber, await timelineSizes(harness, dealNumber));
    const before = new Map(losers().map((n) => [n, timelinesBefore.get(n)]));
    expect(after).toEqual(before);
  });

  // Runs last in this block, because it restocks and ships a second press.
  test('loser ships after restock', async () => {
    const [loser] = losers();
    await setStock(sku, 1, 1);
    const response = await ship(loser);
    expect(response.status).toBe(200);
  });
});

describe('last unit at conversion', () => {
  const sku = 'RACE-PRESS-1';
  let dealNumbers: number[] = [];
  const responses = new Map<number, ApiResponse>();

  /** Reserved quantities of the deals' order lines for `sku`, by deal number. */
  async function reservedByDeal(): Promise<Record<number, number>> {
    const [rows] = await harness.db.sequelize.query(
      `SELECT o.deal_number, l.reserved_quantity FROM order_lines l JOIN sales_orders o ON o.number = l.order_number WHERE l.sku = :sku`,
      { replacements: { sku } },
    );
    return Object.fromEntries((rows as { deal_number: number; reserved_quantity: number }[]).map((row) => [row.deal_number, row.reserved_quantity]));
  }

  beforeAll(async () => {
    await harness.db.models.Product.create({ sku, name: 'Race press', kind: 'goods', unitPrice: '1000.00', onHand: 1, reserved: 0 });
    dealNumbers = await Promise.all(Array.from({ length: DEAL_COUNT }, (_, index) => approvedDeal(sku, index)));
    await Promise.all(
      dealNumbers.map(async (dealNumber) => {
        responses.set(dealNumber, await post(`/deals/${dealNumber}/order`, { actor: 'mark' }));
      }),
    );
  }, 120_000);

  test('every conversion succeeds', () => {
    expect(dealNumbers.map((n) => responses.get(n)!.status)).toEqual(Array(DEAL_COUNT).fill(200));
  });

  test('one order reserves the press', async () => {
    const reserved = Object.values(await reservedByDeal()).sort();
    expect(reserved).toEqual([...Array(DEAL_COUNT - 1).fill(0), 1]);
  });

  test('product reserves exactly one', async () => {
    expect(await stockOf(sku)).toEqual({ onHand: 1, reserved: 1 });
  });

  test('workflow states match reservations', async () => {
    const fromWorkflows: Record<number, number> = {};
    for (const dealNumber of dealNumbers) {
      const state = await handleFor(harness, dealNumber).query(wf.getDeal);
      fromWorkflows[dealNumber] = state.order!.lines[0].reservedQuantity;
    }
    expect(fromWorkflows).toEqual(await reservedByDeal());
  });

  test('conversions succeed on first attempt', async () => {
    // A retried conversion means its transaction failed, for example on a deadlock over the product row.
    const attempts: Record<number, number[]> = {};
    for (const dealNumber of dealNumbers) {
      const history = await handleFor(harness, dealNumber).fetchHistory();
      const scheduled = new Map<string, string>();
      attempts[dealNumber] = [];
      for (const event of history.events ?? []) {
        const activityType = event.activityTaskScheduledEventAttributes?.activityType?.name;
        if (activityType) scheduled.set(String(event.eventId), activityType);
        const started = event.activityTaskStartedEventAttributes;
        if (started && scheduled.get(String(started.scheduledEventId)) === 'createSalesOrder') attempts[dealNumber].push(started.attempt ?? 1);
      }
    }
    expect(attempts).toEqual(Object.fromEntries(dealNumbers.map((n) => [n, [1]])));
  });

  test('only the holder can pick release', async () => {
    const holder = Object.entries(await reservedByDeal()).find(([, reserved]) => reserved === 1)![0];
    const statuses: Record<number, number> = {};
    for (const dealNumber of dealNumbers) {
      const handle = handleFor(harness, dealNumber);
      await handle.executeUpdate(wf.recordInspection, { args: [{ actor: 'quinn', result: 'passed', checklist: ['ram pressure'] }] });
      statuses[dealNumber] = (await post(`/deals/${dealNumber}/pick-release`, { actor: 'dev' })).status;
    }
    const expected = Object.fromEntries(dealNumbers.map((n) => [n, String(n) === holder ? 200 : 409]));
    expect(statuses).toEqual(expected);
  });
});
