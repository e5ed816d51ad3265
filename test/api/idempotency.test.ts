import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { QueryTypes } from 'sequelize';
import { startHarness, type Harness } from '../support/harness';
import { ensureCustomer } from '../support/deal-driver';
import { issueApiKey } from '../../models/api-keys';
import { authenticate } from '../../api/auth';
import { createMasterDataRouter } from '../../api/master-data-routes';
import { createDealRouter } from '../../api/deal-routes';
import { ReferenceChecks } from '../../api/reference-checks';
import { ProblemError, sendProblem } from '../../api/problem';
import { idempotency, type IdempotencyOptions } from '../../api/idempotency';
import { requestId, requestIdOf } from '../../api/request-id';
import { securityHeaders } from '../../api/security';
import type { DealState } from '../../domain/deal-state';

/**
 * The Idempotency-Key middleware over the real customer and deal routes, in an app that applies the
 * middleware in the order createApp will: request id, request logging, security headers, JSON body,
 * authentication, idempotency, routers. Besides the real routes, the app has `/test/gated`, whose
 * handler waits until the test opens a gate, and `/test/fails-once`, which fails with 500 the first
 * time, to control timing and failures.
 */

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
  text: string;
  body: T;
}

interface TestApp {
  baseUrl: string;
  close(): Promise<void>;
}

let harness: Harness;
let app: TestApp;
const apiKeys = new Map<string, string>();
let gatedCalls = 0;
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
let failsOnceCalls = 0;

/** Makes the next calls to /test/gated wait until `openGate()`. */
function closeGate(): void {
  gate = new Promise((resolve) => {
    openGate = resolve;
  });
}

/** Mirrors createApp's error handler, which api/app.ts does not export. */
const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof ProblemError) {
    sendProblem(res, error.toProblem());
    return;
  }
  if (error?.type === 'entity.too.large') {
    sendProblem(res, { type: '/problems/too-large', title: 'Payload too large', status: 413, detail: 'request body exceeds 256 kB' });
    return;
  }
  sendProblem(res, new ProblemError('internal', `internal error: ${String(error?.message ?? error)}`).toProblem());
};

async function startTestApp(options: IdempotencyOptions = {}): Promise<TestApp> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.use(requestId());
  expressApp.use(pinoHttp({ logger, genReqId: requestIdOf }));
  expressApp.use(securityHeaders());
  expressApp.use(express.json({ limit: '256kb' }));
  expressApp.use(authenticate(harness.db));
  expressApp.use(idempotency(harness.db, options));

  expressApp.use(createMasterDataRouter(harness.db));
  expressApp.use(createDealRouter(harness.deals, new ReferenceChecks(harness.db), harness.db));
  expressApp.post('/test/gated', async (req, res) => {
    gatedCalls += 1;
    const call = gatedCalls;
    await gate;
    res.status(201).json({ call, received: req.body });
  });
  expressApp.post('/test/fails-once', (_req, res) => {
    failsOnceCalls += 1;
    if (failsOnceCalls === 1) throw new Error('first call fails');
    res.status(201).json({ call: failsOnceCalls });
  });
  expressApp.use((req, _res, next) => next(new ProblemError('notFound', `no route for ${req.method} ${req.path}`)));
  expressApp.use(errorHandler);

  const server: Server = await new Promise((resolve) => {
    const listening = expressApp.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  harness = await startHarness();
  for (const user of ['sofia', 'mark', 'quinn']) apiKeys.set(user, await issueApiKey(harness.db, user));
  app = await startTestApp();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await harness?.close();
});

/** POSTs a JSON body as `user`, with the Idempotency-Key header when `key` is given. */
async function post<T = Problem>(path: string, body: unknown, key?: string, user = 'sofia', target: TestApp = app): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': apiKeys.get(user)! };
  if (key !== undefined) headers['idempotency-key'] = key;
  const response = await fetch(`${target.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text, so an assertion on the body shows what the server sent.
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

function expectProblem(reply: Reply<Problem>, status: number, type: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.type).toBe(type);
  expect(reply.body.status).toBe(status);
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

async function countCustomers(company: string): Promise<number> {
  const [row] = await harness.db.sequelize.query<{ count: string }>('SELECT count(*) FROM customers WHERE company = $company', {
    bind: { company },
    type: QueryTypes.SELECT,
  });
  return Number(row.count);
}

async function countKeyRows(key: string): Promise<number> {
  const [row] = await harness.db.sequelize.query<{ count: string }>('SELECT count(*) FROM idempotency_keys WHERE key = $key', {
    bind: { key },
    type: QueryTypes.SELECT,
  });
  return Number(row.count);
}

describe('Idempotency-Key on POST /customers', () => {
  test('first request creates customer', async () => {
    const reply = await post<{ id: number; company: string }>('/customers', customerBody('Keyed First Works'), 'create-keyed-first');

    expect(reply.status).toBe(201);
    expect(reply.headers.get('idempotent-replayed')).toBeNull();
    expect(reply.body.company).toBe('Keyed First Works');
    expect(await countCustomers('Keyed First Works')).toBe(1);
  });

  test('repeat replays stored response', async () => {
    const body = customerBody('Keyed Replay Works');
    const first = await post<{ id: number }>('/customers', body, 'create-keyed-replay');
    const repeat = await post<{ id: number }>('/customers', body, 'create-keyed-replay');

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.text).toBe(first.text);
    expect(repeat.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(repeat.headers.get('location')).toBe(`/customers/${first.body.id}`);
    expect(await countCustomers('Keyed Replay Works')).toBe(1);
  });

  test('repeat with reordered keys replays', async () => {
    const body = customerBody('Keyed Reordered Works');
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await post('/customers', body, 'create-keyed-reordered');
    const repeat = await post('/customers', reordered, 'create-keyed-reordered');

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await countCustomers('Keyed Reordered Works')).toBe(1);
  });

  test('same key with different body returns 422', async () => {
    await post('/customers', customerBody('Keyed Reuse One'), 'create-keyed-reuse');
    const reply = await post('/customers', customerBody('Keyed Reuse Two'), 'create-keyed-reuse');

    expectProblem(reply, 422, '/problems/idempotency-key-reused');
    expect(reply.body.detail).toContain('"create-keyed-reuse"');
    expect(reply.body.detail).toContain('POST /customers');
    expect(await countCustomers('Keyed Reuse Two')).toBe(0);
  });

  test.each([
    ['empty', ''],
    ['201 characters', 'k'.repeat(201)],
    ['non-ASCII character', 'clé-1'],
  ])('invalid key (%s) returns 400', async (_case, key) => {
    const company = `Invalid Key ${_case}`;
    const reply = await post('/customers', customerBody(company), key);

    expectProblem(reply, 400, '/problems/validation');
    expect(reply.body.detail).toContain('Idempotency-Key');
    expect(reply.body.errors?.map((error) => error.path)).toEqual(['Idempotency-Key']);
    expect(await countCustomers(company)).toBe(0);
  });

  test('200-character key is accepted', async () => {
    const reply = await post('/customers', customerBody('Keyed Long Key'), `~ ${'k'.repeat(198)}`);

    expect(reply.status).toBe(201);
  });

  test('concurrent identical requests create one customer', async () => {
    const body = customerBody('Keyed Concurrent Works');
    const replies = await Promise.all(Array.from({ length: 5 }, () => post<{ id: number }>('/customers', body, 'create-keyed-concurrent')));

    expect(await countCustomers('Keyed Concurrent Works')).toBe(1);
    const created = replies.filter((reply) => reply.status === 201);
    const inProgress = replies.filter((reply) => reply.status === 409);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length + inProgress.length).toBe(5);
    for (const reply of created) expect(reply.text).toBe(created[0].text);
    for (const reply of inProgress) expectProblem(reply as unknown as Reply<Problem>, 409, '/problems/idempotency-key-in-progress');
  });

  test('invalid body 400 is replayed', async () => {
    const body = { company: 'Keyed Invalid Body' };
    const first = await post('/customers', body, 'create-keyed-invalid');
    const repeat = await post('/customers', body, 'create-keyed-invalid');

    expectProblem(first, 400, '/problems/validation');
    expectProblem(repeat, 400, '/problems/validation');
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.text).toBe(first.text);
  });

  test('requests without key are not deduplicated', async () => {
    const body = customerBody('Unkeyed Twice');
    const first = await post('/customers', body);
    const second = await post('/customers', body);

    expect(first.status).toBe(201);
    expectProblem(second, 409, '/problems/conflict');
    expect(second.headers.get('idempotent-replayed')).toBeNull();
  });

  test('keys are separate per user', async () => {
    const body = customerBody('Keyed Per User');
    const bySofia = await post('/customers', body, 'create-keyed-per-user', 'sofia');
    const byMark = await post('/customers', body, 'create-keyed-per-user', 'mark');

    expect(bySofia.status).toBe(201);
    // Mark's request runs the handler, which finds the company Sofia created.
    expectProblem(byMark, 409, '/problems/conflict');
    expect(byMark.headers.get('idempotent-replayed')).toBeNull();
    expect(await countKeyRows('create-keyed-per-user')).toBe(2);
  });

  test('403 is not stored', async () => {
    const body = customerBody('Keyed Forbidden');
    const first = await post('/customers', body, 'create-keyed-forbidden', 'quinn');
    const repeat = await post('/customers', body, 'create-keyed-forbidden', 'quinn');

    expectProblem(first, 403, '/problems/forbidden');
    expectProblem(repeat, 403, '/problems/forbidden');
    expect(repeat.headers.get('idempotent-replayed')).toBeNull();
    expect(await countKeyRows('create-keyed-forbidden')).toBe(0);
  });
});

describe('Idempotency-Key on POST /deals', () => {
  test('repeat returns the same deal', async () => {
    const customerId = await ensureCustomer(harness);
    const body = { customerId, source: 'trade show', interest: 'Keyed lead for a CNC lathe' };
    const first = await post<DealState>('/deals', body, 'create-lead-keyed');
    const repeat = await post<DealState>('/deals', body, 'create-lead-keyed');

    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body.dealNumber).toBe(first.body.dealNumber);
    const deals = await harness.db.models.Deal.count({ where: { customerId, source: 'trade show' } });
    expect(deals).toBe(1);
  });
});

describe('Idempotency-Key lifecycle', () => {
  test('repeat during first returns 409', async () => {
    closeGate();
    const callsBefore = gatedCalls;
    const first = post<{ call: number }>('/test/gated', { step: 1 }, 'gated-in-progress');
    await waitFor(() => gatedCalls === callsBefore + 1);

    const during = await post('/test/gated', { step: 1 }, 'gated-in-progress');
    openGate();
    const firstReply = await first;
    const after = await post<{ call: number }>('/test/gated', { step: 1 }, 'gated-in-progress');

    expectProblem(during, 409, '/problems/idempotency-key-in-progress');
    expect(during.body.detail).toContain('"gated-in-progress"');
    expect(firstReply.status).toBe(201);
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body.call).toBe(firstReply.body.call);
    expect(gatedCalls).toBe(callsBefore + 1);
  });

  test('500 releases key for retry', async () => {
    const first = await post('/test/fails-once', { attempt: 'same' }, 'fails-once');
    const afterFailure = await countKeyRows('fails-once');
    const retry = await post<{ call: number }>('/test/fails-once', { attempt: 'same' }, 'fails-once');

    expectProblem(first, 500, '/problems/internal');
    expect(afterFailure).toBe(0);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.call).toBe(2);
  });

  test('stale in-progress key is taken over', async () => {
    const staleApp = await startTestApp({ staleAfterMs: 200 });
    try {
      closeGate();
      const callsBefore = gatedCalls;
      const abandoned = post<{ call: number }>('/test/gated', { step: 2 }, 'gated-stale', 'sofia', staleApp);
      await waitFor(() => gatedCalls === callsBefore + 1);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const takeover = post<{ call: number }>('/test/gated', { step: 2 }, 'gated-stale', 'sofia', staleApp);
      await waitFor(() => gatedCalls === callsBefore + 2);
      openGate();
      const [abandonedReply, takeoverReply] = await Promise.all([abandoned, takeover]);
      const replay = await post<{ call: number }>('/test/gated', { step: 2 }, 'gated-stale', 'sofia', staleApp);

      expect(abandonedReply.status).toBe(201);
      expect(takeoverReply.status).toBe(201);
      // Only the request holding the key stores its response.
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.call).toBe(takeoverReply.body.call);
      expect(takeoverReply.body.call).toBe(callsBefore + 2);
    } finally {
      openGate();
      await staleApp.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
