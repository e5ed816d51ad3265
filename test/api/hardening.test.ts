import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { startHarness, type Harness } from '../support/harness';
import { issueApiKey } from '../../models/api-keys';
import { authenticate } from '../../api/auth';
import { createHealthRouter } from '../../api/health';
import { createMasterDataRouter } from '../../api/master-data-routes';
import { ProblemError, sendProblem } from '../../api/problem';
import { idempotency } from '../../api/idempotency';
import { requestId, requestIdOf } from '../../api/request-id';
import {
  authFailureLimiter,
  logRedactPaths,
  portalLimiter,
  redactUrlTokens,
  securityHeaders,
  serializeRequest,
  type RateLimitOptions,
} from '../../api/security';

/**
 * Security headers, request ids, the body size limit, rate limits and log redaction. The test app
 * applies the middleware in the order createApp will: request id, request logging, security headers,
 * JSON body, portal rate limit, authentication failure limit, authentication, idempotency, routers.
 * `GET /portal/:token` is a stand-in route, so the portal limiter is tested apart from the real portal router.
 */

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

interface TestApp {
  baseUrl: string;
  close(): Promise<void>;
}

interface TestAppOptions {
  authFailures?: RateLimitOptions;
  portal?: RateLimitOptions;
  /** Receives each log line as JSON text. Without it, logging is silent. */
  logLines?: string[];
}

let harness: Harness;
let apiKey: string;
let app: TestApp;

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

function createLogger(lines?: string[]): pino.Logger {
  if (!lines) return pino({ level: 'silent' });
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      callback();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const logger = createLogger(options.logLines);
  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.use(requestId());
  expressApp.use(
    pinoHttp({
      logger,
      genReqId: requestIdOf,
      serializers: { req: serializeRequest },
      redact: { paths: logRedactPaths, censor: '[redacted]' },
    }),
  );
  expressApp.use(securityHeaders());
  expressApp.use(express.json({ limit: '256kb' }));

  expressApp.use(createHealthRouter(harness.client, harness.db));
  expressApp.use('/portal', portalLimiter(options.portal));
  expressApp.get('/portal/:token', (req, res) => {
    res.json({ portal: true, tokenLength: String(req.params.token).length });
  });
  expressApp.use(authFailureLimiter(options.authFailures));
  expressApp.use(authenticate(harness.db));
  expressApp.use(idempotency(harness.db));
  expressApp.use(createMasterDataRouter(harness.db));

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
  apiKey = await issueApiKey(harness.db, 'sofia');
  app = await startTestApp();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await harness?.close();
});

async function send<T = Problem>(
  target: TestApp,
  method: 'GET' | 'POST',
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Reply<T>> {
  const headers = { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
  const response = await fetch(`${target.baseUrl}${path}`, { method, headers, body: options.body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text, so an assertion on the body shows what the server sent.
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

function expectProblem(reply: Reply<Problem>, status: number, type: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.type).toBe(type);
  expect(reply.body.status).toBe(status);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('security headers', () => {
  test('helmet headers on JSON response', async () => {
    const reply = await send(app, 'GET', '/health');

    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(reply.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(reply.headers.get('x-powered-by')).toBeNull();
  });

  test('CSP allows same-origin scripts and styles', async () => {
    const reply = await send(app, 'GET', '/health');
    const policy = reply.headers.get('content-security-policy') ?? '';

    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toMatch(/style-src 'self'/);
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('upgrade-insecure-requests');
  });

  test('headers present on error responses', async () => {
    const reply = await send(app, 'GET', '/no-such-route', { headers: { authorization: `Bearer ${apiKey}` } });

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('X-Request-Id', () => {
  test("caller's id is echoed", async () => {
    const reply = await send(app, 'GET', '/health', { headers: { 'x-request-id': 'checkout-7f3a:retry-2' } });

    expect(reply.headers.get('x-request-id')).toBe('checkout-7f3a:retry-2');
  });

  test('missing id is generated', async () => {
    const first = await send(app, 'GET', '/health');
    const second = await send(app, 'GET', '/health');

    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  test.each([
    ['101 characters', 'r'.repeat(101)],
    ['space', 'two words'],
    ['quote', 'id"quoted'],
  ])('unsafe id (%s) is replaced', async (_case, given) => {
    const reply = await send(app, 'GET', '/health', { headers: { 'x-request-id': given } });

    expect(reply.headers.get('x-request-id')).toMatch(UUID);
  });

  test('generated on 404', async () => {
    const reply = await send(app, 'GET', '/no-such-route', { headers: { authorization: `Bearer ${apiKey}` } });

    expectProblem(reply, 404, '/problems/not-found');
    expect(reply.headers.get('x-request-id')).toMatch(UUID);
  });

  test('echoed on 401', async () => {
    const reply = await send(app, 'GET', '/customers', { headers: { 'x-request-id': 'unauthenticated-1' } });

    expectProblem(reply, 401, '/problems/unauthenticated');
    expect(reply.headers.get('x-request-id')).toBe('unauthenticated-1');
  });
});

describe('body size limit', () => {
  test('oversized body returns 413 problem', async () => {
    const body = JSON.stringify({ company: 'Oversized', notes: 'x'.repeat(300 * 1024) });
    const reply = await send(app, 'POST', '/customers', { headers: { authorization: `Bearer ${apiKey}` }, body });

    expectProblem(reply, 413, '/problems/too-large');
    expect(reply.headers.get('x-request-id')).toMatch(UUID);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('rate limits', () => {
  test('auth failures beyond limit return 429', async () => {
    const limited = await startTestApp({ authFailures: { limit: 3, windowMs: 60_000 } });
    try {
      const failures = [];
      for (let i = 0; i < 3; i++) {
        failures.push(await send(limited, 'GET', '/customers', { headers: { 'x-api-key': 'o2c_not-a-real-key' } }));
      }
      // Once blocked, even a valid key is rejected: the check runs before authentication.
      const blocked = await send(limited, 'GET', '/customers', { headers: { authorization: `Bearer ${apiKey}` } });

      for (const reply of failures) expectProblem(reply, 401, '/problems/unauthenticated');
      expectProblem(blocked, 429, '/problems/rate-limited');
      expect(blocked.body.detail).toContain('failed authentications');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    } finally {
      await limited.close();
    }
  });

  test('successful requests do not count', async () => {
    const limited = await startTestApp({ authFailures: { limit: 2, windowMs: 60_000 } });
    try {
      const replies = await Promise.all(
        Array.from({ length: 6 }, () => send(limited, 'GET', '/customers', { headers: { authorization: `Bearer ${apiKey}` } })),
      );

      expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      await limited.close();
    }
  });

  test('portal beyond limit returns 429', async () => {
    const limited = await startTestApp({ portal: { limit: 2, windowMs: 60_000 } });
    try {
      const allowed = [await send(limited, 'GET', '/portal/tok-1'), await send(limited, 'GET', '/portal/tok-1')];
      const blocked = await send(limited, 'GET', '/portal/tok-1');

      for (const reply of allowed) expect(reply.status).toBe(200);
      expectProblem(blocked, 429, '/problems/rate-limited');
      expect(blocked.body.detail).toContain('portal requests');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.get('x-request-id')).toMatch(UUID);
    } finally {
      await limited.close();
    }
  });
});

describe('log redaction', () => {
  test('redactUrlTokens removes portal tokens', () => {
    expect(redactUrlTokens('/portal/abc123/estimate?x=1')).toBe('/portal/[redacted]/estimate?x=1');
    expect(redactUrlTokens('/deals?token=abc&page=2')).toBe('/deals?token=[redacted]&page=2');
    expect(redactUrlTokens('https://shop.example/p?access_token=abc#top')).toBe('https://shop.example/p?access_token=[redacted]#top');
    expect(redactUrlTokens('/customers/12')).toBe('/customers/12');
  });

  test('request log carries no key or token', async () => {
    const lines: string[] = [];
    const logged = await startTestApp({ logLines: lines });
    const portalToken = 'pt_9d8c7b6a5f4e3d2c1b0a';
    const queryToken = 'qt_0a1b2c3d4e5f6a7b8c9d';
    try {
      const reply = await send(logged, 'GET', `/portal/${portalToken}?token=${queryToken}&view=estimate`, {
        headers: {
          'x-api-key': apiKey,
          authorization: `Bearer ${apiKey}`,
          cookie: 'session=s3cr3t-session',
          referer: `https://portal.example/portal/${portalToken}`,
          'x-request-id': 'redaction-check-1',
        },
      });
      expect(reply.status).toBe(200);
      await waitFor(() => lines.some((line) => line.includes('"request completed"')));
    } finally {
      await logged.close();
    }

    const text = lines.join('\n');
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(portalToken);
    expect(text).not.toContain(queryToken);
    expect(text).not.toContain('s3cr3t-session');

    const completed = JSON.parse(lines.find((line) => line.includes('"request completed"'))!);
    expect(completed.req.id).toBe('redaction-check-1');
    expect(completed.req.url).toBe('/portal/[redacted]?token=[redacted]&view=estimate');
    expect(completed.req.query).toEqual({ token: '[redacted]', view: 'estimate' });
    expect(completed.req.headers['x-api-key']).toBe('[redacted]');
    expect(completed.req.headers.authorization).toBe('[redacted]');
    expect(completed.req.headers.cookie).toBe('[redacted]');
    expect(completed.req.headers.referer).toBe('https://portal.example/portal/[redacted]');
    expect(completed.req.headers['user-agent']).toBeDefined();
  });
});
