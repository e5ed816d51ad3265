import { startHarness, type Harness } from '../support/harness';
import { dealInPhase, ensureCustomer, handleFor } from '../support/deal-driver';
import type { DealState } from '../../domain/deal-state';
import { Money } from '../../domain/money';

/**
 * The HTTP API as a client sees it: status codes, headers and RFC 9457 problem bodies, sent with
 * `fetch` to the harness's loopback API. Setup that must succeed goes through `harness.api`.
 */

let harness: Harness;
let customerId: number;

beforeAll(async () => {
  harness = await startHarness();
  customerId = await ensureCustomer(harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Picks the user whose API key sends a body: its actor when that user has a key, otherwise admin. */
function senderOf(body?: string): string {
  let actor: unknown;
  try {
    actor = body ? (JSON.parse(body) as { actor?: unknown }).actor : undefined;
  } catch {
    actor = undefined;
  }
  if (actor === 'customer') return 'mark';
  return typeof actor === 'string' && harness.keys.has(actor) ? actor : 'admin';
}

/** Sends a request with a raw body and returns the status, headers and the body parsed as JSON. */
async function sendRaw<T>(method: 'GET' | 'POST', path: string, body?: string, contentType = 'application/json'): Promise<Reply<T>> {
  const headers: Record<string, string> = harness.authHeaders(senderOf(body));
  if (body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${harness.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text, so an assertion on the body shows what the server sent.
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

function get<T = Problem>(path: string): Promise<Reply<T>> {
  return sendRaw<T>('GET', path);
}

function post<T = Problem>(path: string, body: unknown): Promise<Reply<T>> {
  return sendRaw<T>('POST', path, JSON.stringify(body));
}

/** Checks the status, the problem content type, and the problem's `type` and `status` members. */
function expectProblem(reply: Reply<Problem>, status: number, type: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.type).toBe(type);
  expect(reply.body.status).toBe(status);
}

function errorPaths(problem: Problem): string[] {
  return (problem.errors ?? []).map((error) => error.path);
}

async function createLead(overrides: Record<string, unknown> = {}): Promise<DealState> {
  return harness.apiAs('sofia').post<DealState>('/deals', {
    actor: 'sofia',
    customerId,
    source: 'trade show',
    interest: 'CNC lathe for a second production line',
    ...overrides,
  });
}

async function timelineLength(dealNumber: number): Promise<number> {
  const deal = await harness.api.get<DealState>(`/deals/${dealNumber}`);
  return deal.timeline.length;
}

function customerBody(company: string): Record<string, unknown> {
  return {
    company,
    contact: { name: 'Tomas Berg', email: 'tomas.berg@lakeside-tooling.example', phone: '+1 216 555 0190' },
    billingAddress: { line1: '12 Harbor Road', city: 'Cleveland', region: 'OH', postalCode: '44114', country: 'US' },
    shippingAddress: { line1: '12 Harbor Road', city: 'Cleveland', region: 'OH', postalCode: '44114', country: 'US' },
    taxRatePercent: '8',
    paymentTermsDays: 45,
  };
}

describe('deal creation', () => {
  test('valid lead returns 201', async () => {
    const reply = await post<DealState>('/deals', {
      actor: 'sofia',
      customerId,
      source: 'web form',
      interest: 'Hydraulic press',
      estimatedValue: '36250.00',
    });

    expect(reply.status).toBe(201);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('location')).toBe(`/deals/${reply.body.dealNumber}`);
    expect(reply.body.phase).toBe('lead');
    expect(reply.body.owner).toBe('sofia');
  });

  test('Location header resolves to deal', async () => {
    const created = await post<DealState>('/deals', { actor: 'mark', customerId, source: 'referral', interest: 'Tool kit' });
    const location = created.headers.get('location');

    const fetched = await get<DealState>(location ?? '/deals/missing-location');

    expect(fetched.status).toBe(200);
    expect(fetched.body.dealNumber).toBe(created.body.dealNumber);
    expect(fetched.body.owner).toBe('mark');
  });
});

describe('validation', () => {
  let deal: DealState;

  beforeAll(async () => {
    deal = await createLead();
  });

  const cases: { label: string; path: (dealNumber: number) => string; body: (customerId: number) => unknown; field: string }[] = [
    {
      label: 'lead without source',
      path: () => '/deals',
      body: (customer) => ({ actor: 'sofia', customerId: customer, interest: 'CNC lathe' }),
      field: 'source',
    },
    {
      label: 'lead with string customerId',
      path: () => '/deals',
      body: (customer) => ({ actor: 'sofia', customerId: String(customer), source: 'trade show', interest: 'CNC lathe' }),
      field: 'customerId',
    },
    {
      label: 'lead with negative estimatedValue',
      path: () => '/deals',
      body: (customer) => ({ actor: 'sofia', customerId: customer, source: 'trade show', interest: 'CNC lathe', estimatedValue: '-100.00' }),
      field: 'estimatedValue',
    },
    {
      label: 'payment amount "12.345abc"',
      path: (n) => `/deals/${n}/payments`,
      body: () => ({ actor: 'fin', amount: '12.345abc', method: 'wire', reference: 'WIRE-1' }),
      field: 'amount',
    },
    {
      label: 'payment amount "0"',
      path: (n) => `/deals/${n}/payments`,
      body: () => ({ actor: 'fin', amount: '0', method: 'wire', reference: 'WIRE-2' }),
      field: 'amount',
    },
    {
      label: 'payment with unknown method',
      path: (n) => `/deals/${n}/payments`,
      body: () => ({ actor: 'fin', amount: '100.00', method: 'barter', reference: 'WIRE-3' }),
      field: 'method',
    },
    {
      label: 'follow-up with dueIn and dueAt',
      path: (n) => `/deals/${n}/follow-ups`,
      body: () => ({ actor: 'sofia', dueIn: 'P2D', dueAt: '2030-01-15T15:00:00Z', channel: 'call', subject: 'Budget call' }),
      field: 'dueIn',
    },
    {
      label: 'follow-up without due time',
      path: (n) => `/deals/${n}/follow-ups`,
      body: () => ({ actor: 'sofia', channel: 'call', subject: 'Budget call' }),
      field: 'dueIn',
    },
    {
      label: 'estimate with empty lines',
      path: (n) => `/deals/${n}/estimate`,
      body: () => ({ actor: 'mark', validForDays: 30, lines: [] }),
      field: 'lines',
    },
  ];

  test.each(cases)('$label returns 400', async ({ path, body, field }) => {
    const reply = await post(path(deal.dealNumber), body(customerId));

    expectProblem(reply, 400, '/problems/validation');
    expect(reply.body.detail).toContain(field);
    expect(errorPaths(reply.body)).toContain(field);
  });

  test('rejected body leaves timeline unchanged', async () => {
    const before = await timelineLength(deal.dealNumber);

    await post(`/deals/${deal.dealNumber}/follow-ups`, { actor: 'sofia', channel: 'call', subject: 'Budget call' });

    expect(await timelineLength(deal.dealNumber)).toBe(before);
  });

  test('malformed JSON returns 400', async () => {
    const reply = await sendRaw<Problem>('POST', '/deals', '{"actor": "sofia", "customerId": ');

    expectProblem(reply, 400, '/problems/validation');
    expect(reply.body.detail).toMatch(/not valid JSON/);
  });

  test('body without JSON type returns 415', async () => {
    const reply = await sendRaw<Problem>('POST', `/deals/${deal.dealNumber}/qualify`, 'actor=sofia', 'application/x-www-form-urlencoded');

    expectProblem(reply, 415, '/problems/unsupported-media-type');
    expect(reply.body.detail).toContain('application/x-www-form-urlencoded');
  });

  test('non-numeric deal number returns 400', async () => {
    const reply = await post('/deals/abc/qualify', { actor: 'sofia' });

    expectProblem(reply, 400, '/problems/validation');
    expect(reply.body.detail).toContain('"abc"');
    expect(errorPaths(reply.body)).toEqual(['deal number']);
  });

  test('non-numeric follow-up number returns 400', async () => {
    const reply = await post(`/deals/${deal.dealNumber}/follow-ups/first/complete`, { actor: 'sofia', outcome: 'Called back' });

    expectProblem(reply, 400, '/problems/validation');
    expect(errorPaths(reply.body)).toEqual(['follow-up number']);
  });
});

describe('unknown references', () => {
  let lead: DealState;
  let opportunity: DealState;

  beforeAll(async () => {
    lead = await createLead();
    opportunity = await dealInPhase(harness, 'opportunity');
  });

  test('actor other than key user returns 403', async () => {
    const reply = await post(`/deals/${lead.dealNumber}/qualify`, { actor: 'zoe' });

    expectProblem(reply, 403, '/problems/forbidden');
    expect(reply.body.detail).toBe(`actor "zoe" does not match the API key's user admin`);
  });

  test('customer actor on staff step returns 403', async () => {
    const response = await fetch(`${harness.baseUrl}/deals/${lead.dealNumber}/qualify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...harness.authHeaders('sofia') },
      body: JSON.stringify({ actor: 'customer' }),
    });

    expect(response.status).toBe(403);
    expect((await response.json()).detail).toBe(`actor "customer" does not match the API key's user sofia`);
  });

  test('unknown SKU returns 422', async () => {
    const estimateLines = [
      { sku: 'GM-CNC-2200', quantity: 1 },
      { sku: 'GM-LASER-9000', quantity: 1 },
    ];

    const reply = await post(`/deals/${opportunity.dealNumber}/estimate`, { actor: 'mark', validForDays: 30, lines: estimateLines });

    expectProblem(reply, 422, '/problems/unprocessable');
    expect(reply.body.detail).toContain('GM-LASER-9000');
    expect(errorPaths(reply.body)).toEqual(['lines.1.sku']);
  });

  test('unknown customerId returns 422', async () => {
    const reply = await post('/deals', { actor: 'sofia', customerId: 987654, source: 'trade show', interest: 'CNC lathe' });

    expectProblem(reply, 422, '/problems/unprocessable');
    expect(reply.body.detail).toContain('987654');
    expect(errorPaths(reply.body)).toEqual(['customerId']);
  });

  test('assign to unknown user returns 422', async () => {
    const reply = await post(`/deals/${opportunity.dealNumber}/assign`, { actor: 'sofia', to: 'zoe' });

    expectProblem(reply, 422, '/problems/unprocessable');
    expect(reply.body.detail).toContain('"zoe"');
    expect(errorPaths(reply.body)).toEqual(['to']);
  });

  test('rejected reference leaves deal unchanged', async () => {
    const before = await harness.api.get<DealState>(`/deals/${opportunity.dealNumber}`);

    await post(`/deals/${opportunity.dealNumber}/assign`, { actor: 'sofia', to: 'zoe' });

    const after = await harness.api.get<DealState>(`/deals/${opportunity.dealNumber}`);
    expect(after.owner).toBe(before.owner);
    expect(after.timeline).toHaveLength(before.timeline.length);
  });
});

describe('steps not allowed now', () => {
  test('approve in lead phase returns 409', async () => {
    const lead = await createLead();
    const before = await timelineLength(lead.dealNumber);

    const reply = await post(`/deals/${lead.dealNumber}/estimate/approve`, { actor: 'customer', acceptedBy: 'Priya Raman' });

    expectProblem(reply, 409, '/problems/step-rejected');
    expect(reply.body.detail).toBe('approving the estimate is not allowed in phase lead; it needs phase estimate');
    expect(await timelineLength(lead.dealNumber)).toBe(before);
  });

  test('request changes before sending returns 409', async () => {
    const estimate = await dealInPhase(harness, 'estimate');
    const before = await timelineLength(estimate.dealNumber);

    const reply = await post(`/deals/${estimate.dealNumber}/estimate/request-changes`, { actor: 'customer', comment: 'Add a warranty' });

    expectProblem(reply, 409, '/problems/step-rejected');
    expect(reply.body.detail).toBe('revision 1 has not been sent to the customer yet');
    expect(await timelineLength(estimate.dealNumber)).toBe(before);
  });

  test('step on ended deal returns 409', async () => {
    const lead = await createLead();
    await harness.apiAs('sofia').post(`/deals/${lead.dealNumber}/disqualify`, { actor: 'sofia', reason: 'No budget this year' });
    // Wait until the workflow has closed, so the step reaches a finished workflow and not its last moments.
    await handleFor(harness, lead.dealNumber).result();

    const reply = await post(`/deals/${lead.dealNumber}/qualify`, { actor: 'sofia' });

    expectProblem(reply, 409, '/problems/step-rejected');
    expect(reply.body.detail).toContain('ended');
  });

  test('ended deal is still readable', async () => {
    const lead = await createLead();
    await harness.apiAs('sofia').post(`/deals/${lead.dealNumber}/disqualify`, { actor: 'sofia', reason: 'Bought elsewhere' });

    const reply = await get<DealState>(`/deals/${lead.dealNumber}`);

    expect(reply.status).toBe(200);
    expect(reply.body.phase).toBe('disqualified');
  });
});

describe('payments', () => {
  let deal: DealState;

  beforeAll(async () => {
    deal = await dealInPhase(harness, 'payment');
  });

  test('overpayment returns 409 with balance', async () => {
    const invoice = deal.invoices[0];
    const before = await timelineLength(deal.dealNumber);
    const amount = new Money(invoice.balance).plus('0.01').toFixed(2);

    const reply = await post(`/deals/${deal.dealNumber}/payments`, { actor: 'fin', amount, method: 'wire', reference: 'WIRE-OVER-1' });

    expectProblem(reply, 409, '/problems/step-rejected');
    expect(reply.body.detail).toContain(`open balance of ${invoice.balance}`);
    expect(reply.body.detail).toContain(invoice.number);
    expect(await timelineLength(deal.dealNumber)).toBe(before);
  });

  test('payment of balance settles invoice', async () => {
    const invoice = deal.invoices[0];

    const reply = await post<DealState>(`/deals/${deal.dealNumber}/payments`, {
      actor: 'fin',
      amount: invoice.balance,
      method: 'wire',
      reference: 'WIRE-FULL-1',
    });

    expect(reply.status).toBe(200);
    expect(reply.body.invoices[0].status).toBe('paid');
    expect(reply.body.phase).toBe('paid');
  });
});

describe('not found', () => {
  test('unknown deal returns 404', async () => {
    const reply = await get('/deals/999999999');

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.body.detail).toBe('deal 999999999 not found');
  });

  test('step on unknown deal returns 404', async () => {
    const reply = await post('/deals/999999999/qualify', { actor: 'sofia' });

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.body.detail).toBe('deal 999999999 not found');
  });

  test('unknown route returns 404', async () => {
    const reply = await get('/quotes');

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.body.detail).toBe('no route for GET /quotes');
  });

  test('unknown customer returns 404', async () => {
    const reply = await get('/customers/424242');

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.body.detail).toBe('customer 424242 not found');
  });
});

describe('customers', () => {
  const company = 'Lakeside Tooling Inc';
  let createdId: number;
  let createdLocation: string;

  test('valid customer returns 201', async () => {
    const reply = await post<{ id: number; company: string }>('/customers', customerBody(company));
    createdId = reply.body.id;
    createdLocation = reply.headers.get('location') ?? '/customers/missing-location';

    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/customers/${reply.body.id}`);
    expect(reply.body.company).toBe(company);
  });

  test('Location header resolves to customer', async () => {
    const reply = await get<{ id: number; company: string; paymentTermsDays: number }>(createdLocation);

    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(createdId);
    expect(reply.body.company).toBe(company);
    expect(reply.body.paymentTermsDays).toBe(45);
  });

  test('repeated customer returns 409', async () => {
    const reply = await post('/customers', customerBody(company));

    expectProblem(reply, 409, '/problems/conflict');
    expect(reply.body.detail).toContain(`id ${createdId}`);
  });

  test('three-letter country returns 400', async () => {
    const body = customerBody('Keystone Gearworks LLC');
    body.billingAddress = { line1: '5 Mill Street', city: 'Erie', postalCode: '16501', country: 'USA' };

    const reply = await post('/customers', body);

    expectProblem(reply, 400, '/problems/validation');
    expect(reply.body.detail).toContain('billingAddress.country');
    expect(errorPaths(reply.body)).toEqual(['billingAddress.country']);
  });

  test('non-numeric customer id returns 400', async () => {
    const reply = await get('/customers/acme');

    expectProblem(reply, 400, '/problems/validation');
    expect(errorPaths(reply.body)).toEqual(['customer id']);
  });
});

describe('deal lists', () => {
  interface DealRow {
    number: number;
    phase: string;
  }
  interface DealPage {
    items: DealRow[];
    nextCursor: string | null;
  }

  const createdLeads: number[] = [];
  let opportunityNumber: number;

  beforeAll(async () => {
    for (const source of ['trade show', 'web form', 'referral']) {
      createdLeads.push((await createLead({ source })).dealNumber);
    }
    const converted = await createLead({ source: 'cold call' });
    await harness.apiAs('sofia').post(`/deals/${converted.dealNumber}/qualify`, { actor: 'sofia' });
    await harness.apiAs('sofia').post(`/deals/${converted.dealNumber}/convert-to-opportunity`, { actor: 'sofia', name: 'Press line' });
    opportunityNumber = converted.dealNumber;
  });

  test('phase filter returns only leads', async () => {
    const reply = await get<DealPage>('/deals?phase=lead');
    const numbers = reply.body.items.map((item) => item.number);

    expect(reply.status).toBe(200);
    expect(new Set(reply.body.items.map((item) => item.phase))).toEqual(new Set(['lead']));
    expect(numbers).toEqual(expect.arrayContaining(createdLeads));
    expect(numbers).not.toContain(opportunityNumber);
  });

  test('list is newest first', async () => {
    const reply = await get<DealPage>('/deals?phase=lead');
    const numbers = reply.body.items.map((item) => item.number);

    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(numbers[0]).toBe(createdLeads[createdLeads.length - 1]);
  });

  test('limit and cursor page without overlap', async () => {
    const all = await get<DealPage>('/deals?phase=lead');
    const first = await get<DealPage>('/deals?phase=lead&limit=1');
    const second = await get<DealPage>(`/deals?phase=lead&limit=1&after=${first.body.nextCursor}`);

    expect(first.body.items.map((item) => item.number)).toEqual([all.body.items[0].number]);
    expect(first.body.nextCursor).toBe(String(all.body.items[0].number));
    expect(second.body.items.map((item) => item.number)).toEqual([all.body.items[1].number]);
  });

  test('last page has no cursor', async () => {
    const reply = await get<DealPage>('/deals?phase=lead&limit=200');

    expect(reply.body.nextCursor).toBeNull();
  });

  test('unknown phase returns 400', async () => {
    const reply = await get('/deals?phase=bogus');

    expectProblem(reply, 400, '/problems/validation');
    expect(errorPaths(reply.body)).toEqual(['phase']);
  });

  test('limit above 200 returns 400', async () => {
    const reply = await get('/deals?limit=201');

    expectProblem(reply, 400, '/problems/validation');
    expect(errorPaths(reply.body)).toEqual(['limit']);
  });
});

describe('health', () => {
  test('health reports both services ok', async () => {
    const reply = await get<{ status: string; database: { ok: boolean }; temporal: { ok: boolean } }>('/health');

    expect(reply.status).toBe(200);
    expect(reply.body.database.ok).toBe(true);
    expect(reply.body.temporal.ok).toBe(true);
    expect(reply.body.status).toBe('ok');
  });
});
