import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import type { SerializedRequest } from 'pino';
import { sendProblem } from './problem';

/**
 * Sets helmet's default headers (X-Content-Type-Options: nosniff, Strict-Transport-Security,
 * X-Frame-Options and others) and its default Content-Security-Policy (helmet 8.3). That policy
 * allows same-origin ('self') scripts and styles, which Swagger UI served from /docs needs. Other
 * origins are blocked, except fonts and styles from any https host, and data: URLs for images and fonts.
 * `upgrade-insecure-requests` is left out because the API is also served over plain HTTP, where
 * browsers would fail to load the upgraded /docs assets. A route may replace the policy with its own.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
}

export interface RateLimitOptions {
  /** Length of the counting window, in milliseconds. */
  windowMs?: number;
  /** Number of counted requests one IP address may make per window. */
  limit?: number;
}

/** Sends 429 with a problem body. The caller sets Retry-After. */
function sendRateLimited(res: Response, detail: string): void {
  sendProblem(res, { type: '/problems/rate-limited', title: 'Too many requests', status: 429, detail });
}

function describeWindow(windowMs: number): string {
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} minute(s)` : `${windowMs / 1000} second(s)`;
}

/**
 * Rejects every request from an IP address with 429 once `limit` of its requests (default 20) got
 * a 401 response within `windowMs` (default 15 minutes), so API keys cannot be guessed at speed. Mount it
 * before the authentication middleware. Only 401 responses count, and the count is checked before the
 * request runs: concurrent requests with a valid key are never rejected, however many there are.
 *
 * The window is fixed, not sliding: it starts at an address's first failure, and the block ends when it
 * does. Counts live in process memory (express-rate-limit's MemoryStore), so each API replica counts
 * on its own and a restart clears them.
 * NOTE: behind a reverse proxy, Express's `trust proxy` must be set, or every client shares the
 * proxy's address and one client's failures block all of them.
 */
export function authFailureLimiter(options: RateLimitOptions = {}): RequestHandler {
  const windowMs = options.windowMs ?? 15 * 60_000;
  const limit = options.limit ?? 20;
  const failures = new MemoryStore();
  failures.init({ windowMs } as Options);

  return async (req, res, next) => {
    const address = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const counted = await failures.get(address);
    if (counted && counted.totalHits >= limit && counted.resetTime) {
      const retryAfterSeconds = Math.max(1, Math.ceil((counted.resetTime.getTime() - Date.now()) / 1000));
      res.setHeader('Retry-After', String(retryAfterSeconds));
      req.log.warn({ address, failures: counted.totalHits }, 'request rejected after repeated authentication failures');
      sendRateLimited(
        res,
        `too many failed authentications from this address: ${limit} within ${describeWindow(windowMs)}; retry after ${retryAfterSeconds} seconds`,
      );
      return;
    }
    // 'close' also fires when the client disconnects before the response finishes.
    res.on('close', () => {
      if (res.statusCode === 401) void failures.increment(address);
    });
    next();
  };
}

/**
 * Limits each IP address to `limit` requests (default 60) per `windowMs` (default one minute), and
 * rejects further requests with 429, a problem body and Retry-After. Mount it on the customer portal's
 * routes. Counts live in process memory, per replica, like authFailureLimiter's.
 */
export function portalLimiter(options: RateLimitOptions = {}): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  const limit = options.limit ?? 60;
  return rateLimit({
    windowMs,
    limit,
    // draft-8 RateLimit headers; express-rate-limit sets Retry-After only when some headers are enabled.
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      sendRateLimited(
        res,
        `too many portal requests from this address: more than ${limit} within ${describeWindow(windowMs)}; retry after ${String(res.getHeader('Retry-After'))} seconds`,
      );
    },
  });
}

/**
 * Paths pino removes from every log line: API keys, session cookies and cookies set in responses.
 * Pass as `redact: { paths: logRedactPaths, censor: '[redacted]' }` to pino-http, which applies it to
 * the request logger it derives from the app's logger.
 */
export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Matches query parameters whose name ends in "token" (token, access_token, ...) with their value. */
const TOKEN_QUERY_PARAMETER = /([?&][^=&#]*token=)[^&#]*/gi;
const PORTAL_TOKEN_SEGMENT = /(\/portal\/)[^/?#]+/g;

/** Replaces portal tokens in a URL (the `/portal/<token>` segment and `...token=` query values) with `[redacted]`. */
export function redactUrlTokens(url: string): string {
  return url.replace(PORTAL_TOKEN_SEGMENT, '$1[redacted]').replace(TOKEN_QUERY_PARAMETER, '$1[redacted]');
}

function redactTokenFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, /token$/i.test(name) ? '[redacted]' : value]));
}

/**
 * pino-http's `serializers.req`: the standard request fields with portal tokens removed from the URL,
 * from query and route parameters named "...token", and from the Referer header, since a browser on a
 * portal page sends that page's URL as its Referer.
 */
export function serializeRequest(request: SerializedRequest): Record<string, unknown> {
  const referer = request.headers.referer;
  const headers = typeof referer === 'string' ? { ...request.headers, referer: redactUrlTokens(referer) } : request.headers;
  return {
    id: request.id,
    method: request.method,
    url: redactUrlTokens(request.url),
    query: redactTokenFields(request.query as Record<string, unknown> | undefined),
    params: redactTokenFields(request.params as Record<string, unknown> | undefined),
    headers,
    remoteAddress: request.remoteAddress,
    remotePort: request.remotePort,
  };
}
