import { createHash, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { QueryTypes } from 'sequelize';
import type { Database } from '../models/db';
import { ProblemError, sendProblem } from './problem';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const MAX_KEY_LENGTH = 200;
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Response headers stored with a response and sent again when it is replayed. */
const STORED_RESPONSE_HEADERS = ['content-type', 'location'];

/** How many times a request tries to claim a key that a failed first request releases meanwhile. */
const CLAIM_ATTEMPTS = 3;

export interface IdempotencyOptions {
  /**
   * Age in milliseconds after which an in-progress key counts as abandoned by a crashed process, so the
   * next request with it runs the handler again. Default 5 minutes.
   * NOTE: a handler that is still running after this age (a stuck Temporal update) can then run twice.
   */
  staleAfterMs?: number;
  /** Returns who sent the request, because keys are separate per principal. Default: the authenticated user's key, or ''. */
  principalOf?: (req: Request, res: Response) => string;
}

/** Primary key of an idempotency_keys row. */
interface KeyId {
  principal: string;
  key: string;
  method: string;
  path: string;
}

interface StoredKey {
  request_sha256: string;
  status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  stale: boolean;
}

/**
 * Makes POST requests that carry an Idempotency-Key header safe to retry. The first request with a
 * key claims it and runs the handler. Its response is stored before the client receives it when the
 * status is 2xx to 4xx, except 401, 403 and 429. Any other status releases the key, so a retry runs
 * the handler again.
 *
 * A repeat with the same key, method, path and request (same canonical JSON body and query string)
 * receives the stored status, Content-Type, Location and body with `Idempotent-Replayed: true`, and
 * the handler does not run. The same key with a different request is rejected with 422. A repeat
 * while the first request still runs is rejected with 409. Requests without the header, and other
 * methods, pass through.
 *
 * Keys are separate per principal (the authenticated user), so mount this after authentication.
 * Stored responses are kept indefinitely (see models/migrations/0005-idempotency-keys.ts).
 * NOTE: nothing purges idempotency_keys yet.
 */
export function idempotency(db: Database, options: IdempotencyOptions = {}): RequestHandler {
  const keys = new IdempotencyKeys(db, options.staleAfterMs ?? 5 * 60_000);
  const principalOf = options.principalOf ?? authenticatedUserKey;

  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (req.method !== 'POST' || key === undefined) {
      next();
      return;
    }
    checkKey(key);
    const id: KeyId = { principal: principalOf(req, res), key, method: req.method, path: req.originalUrl.split('?')[0] };
    const requestHash = hashRequest(req);

    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const lockToken = randomUUID();
      if (await keys.claim(id, requestHash, lockToken)) {
        storeResponseBeforeSending(req, res, keys, id, lockToken);
        next();
        return;
      }

      const stored = await keys.find(id);
      // No row means the first request failed and released the key after our claim, so claim again.
      if (!stored) continue;
      if (stored.request_sha256 !== requestHash) {
        rejectReusedKey(req, res, id);
        return;
      }
      if (stored.status === null) {
        if (stored.stale && (await keys.takeOver(id, lockToken))) {
          req.log.warn({ idempotencyKey: key, path: id.path }, 'took over an Idempotency-Key left in progress past its stale age');
          storeResponseBeforeSending(req, res, keys, id, lockToken);
          next();
          return;
        }
        rejectKeyInProgress(req, res, id);
        return;
      }
      replay(req, res, stored.status, stored);
      return;
    }
    rejectKeyInProgress(req, res, id);
  };
}

function authenticatedUserKey(_req: Request, res: Response): string {
  const user = res.locals.user as { key?: string } | undefined;
  return user?.key ?? '';
}

function checkKey(key: string): void {
  let problem: string | undefined;
  if (key.length === 0) problem = 'is empty';
  else if (key.length > MAX_KEY_LENGTH) problem = `has ${key.length} characters`;
  else if (!PRINTABLE_ASCII.test(key)) problem = 'contains a character outside printable ASCII';
  if (problem === undefined) return;

  const rule = `must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters`;
  throw new ProblemError('validation', `invalid ${IDEMPOTENCY_KEY_HEADER} header: it ${problem}, but it ${rule}`, [
    { path: IDEMPOTENCY_KEY_HEADER, message: rule },
  ]);
}

/** SHA-256 of the parsed JSON body, with object keys sorted, and the raw query string. */
function hashRequest(req: Request): string {
  const queryStart = req.originalUrl.indexOf('?');
  const query = queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1);
  return createHash('sha256')
    .update(canonicalJson({ body: req.body ?? null, query }))
    .digest('hex');
}

/** JSON with object keys sorted at every level, so key order does not change the hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whether a response reports the request's outcome, so a retry must receive it again. */
function isReplayable(status: number): boolean {
  return status >= 200 && status < 500 && status !== 401 && status !== 403 && status !== 429;
}

/**
 * Wraps `res.write` and `res.end` so the response is stored (or the key released) before `end`
 * reaches the client: a client that retries right after a response finds it stored. Hooking `end`
 * captures the final status, headers and bytes, whichever Express method built the response.
 */
function storeResponseBeforeSending(req: Request, res: Response, keys: IdempotencyKeys, id: KeyId, lockToken: string): void {
  const originalWrite = res.write;
  const originalEnd = res.end;
  const chunks: Buffer[] = [];

  res.write = function writeAndCollect(this: Response, ...args: unknown[]) {
    collectChunk(chunks, args);
    return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
  } as Response['write'];

  res.end = function storeThenEnd(this: Response, ...args: unknown[]) {
    res.write = originalWrite;
    res.end = originalEnd;
    collectChunk(chunks, args);
    const status = res.statusCode;
    const finish = async () => {
      try {
        const stored = await keys.complete(id, lockToken, status, storedHeadersOf(res), Buffer.concat(chunks));
        if (!stored) {
          req.log.warn({ idempotencyKey: id.key, path: id.path, status }, 'response not stored: another request took over the Idempotency-Key');
        }
      } catch (error) {
        req.log.error(
          { err: error, idempotencyKey: id.key, path: id.path, status },
          'failed to store the response for an Idempotency-Key; the key stays in progress until it is stale',
        );
      }
      (originalEnd as (...a: unknown[]) => Response).apply(res, args);
    };
    void finish().catch((error: unknown) => req.log.error({ err: error }, 'failed to send a response after storing it'));
    return res;
  } as Response['end'];
}

/** Appends the chunk of a `write(chunk, encoding?, callback?)` or `end(...)` call, if it has one. */
function collectChunk(chunks: Buffer[], args: unknown[]): void {
  const [chunk, encoding] = args;
  if (typeof chunk === 'string') {
    chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
  } else if (chunk instanceof Uint8Array) {
    chunks.push(Buffer.from(chunk));
  }
}

function storedHeadersOf(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of STORED_RESPONSE_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

function replay(req: Request, res: Response, status: number, stored: StoredKey): void {
  req.log.info({ idempotencyKey: req.get(IDEMPOTENCY_KEY_HEADER), status }, 'replaying stored response');
  for (const [name, value] of Object.entries(stored.response_headers ?? {})) res.setHeader(name, value);
  res.setHeader(REPLAYED_HEADER, 'true');
  res.status(status).end(stored.response_body ?? Buffer.alloc(0));
}

function rejectReusedKey(req: Request, res: Response, id: KeyId): void {
  req.log.info({ idempotencyKey: id.key, path: id.path }, 'Idempotency-Key reused for a different request');
  sendProblem(res, {
    type: '/problems/idempotency-key-reused',
    title: 'Idempotency key reused',
    status: 422,
    detail: `${IDEMPOTENCY_KEY_HEADER} "${id.key}" was already used for a different request to ${id.method} ${id.path}; send a new key for a new request`,
  });
}

function rejectKeyInProgress(req: Request, res: Response, id: KeyId): void {
  req.log.info({ idempotencyKey: id.key, path: id.path }, 'Idempotency-Key still in progress');
  sendProblem(res, {
    type: '/problems/idempotency-key-in-progress',
    title: 'Idempotency key in progress',
    status: 409,
    detail: `a request with ${IDEMPOTENCY_KEY_HEADER} "${id.key}" to ${id.method} ${id.path} is still in progress; retry after it completes`,
  });
}

/** Raw SQL over the idempotency_keys table. Each method runs one statement, which is atomic on its own. */
class IdempotencyKeys {
  constructor(
    private readonly db: Database,
    private readonly staleAfterMs: number,
  ) {}

  /** Inserts an in-progress row. Returns false when the key exists, so of concurrent requests only one wins. */
  async claim(id: KeyId, requestHash: string, lockToken: string): Promise<boolean> {
    const rows = await this.db.sequelize.query(
      `INSERT INTO idempotency_keys (principal, key, method, path, request_sha256, lock_token)
       VALUES ($principal, $key, $method, $path, $requestHash, $lockToken)
       ON CONFLICT DO NOTHING
       RETURNING key`,
      { bind: { ...id, requestHash, lockToken }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }

  async find(id: KeyId): Promise<StoredKey | undefined> {
    const [row] = await this.db.sequelize.query<StoredKey>(
      `SELECT request_sha256, status, response_headers, response_body,
              created_at < now() - make_interval(secs => $staleSeconds::float8) AS stale
         FROM idempotency_keys
        WHERE principal = $principal AND key = $key AND method = $method AND path = $path`,
      { bind: { ...id, staleSeconds: this.staleAfterMs / 1000 }, type: QueryTypes.SELECT },
    );
    return row;
  }

  /**
   * Gives a stale in-progress row a new lock token and claim time. The staleness check is part of
   * the UPDATE, so of concurrent requests only the first takes the row over.
   */
  async takeOver(id: KeyId, lockToken: string): Promise<boolean> {
    const rows = await this.db.sequelize.query(
      `UPDATE idempotency_keys SET lock_token = $lockToken, created_at = now()
        WHERE principal = $principal AND key = $key AND method = $method AND path = $path
          AND status IS NULL AND created_at < now() - make_interval(secs => $staleSeconds::float8)
       RETURNING key`,
      { bind: { ...id, lockToken, staleSeconds: this.staleAfterMs / 1000 }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }

  /**
   * Stores a replayable response, or deletes the row for any other status so a retry runs again.
   * Returns false when the row no longer carries this lock token, because another request took it over.
   */
  async complete(id: KeyId, lockToken: string, status: number, headers: Record<string, string>, body: Buffer): Promise<boolean> {
    const rows = isReplayable(status)
      ? await this.db.sequelize.query(
          `UPDATE idempotency_keys
              SET status = $status, response_headers = $headers::jsonb, response_body = $body, completed_at = now()
            WHERE principal = $principal AND key = $key AND method = $method AND path = $path
              AND lock_token = $lockToken AND status IS NULL
           RETURNING key`,
          { bind: { ...id, lockToken, status, headers: JSON.stringify(headers), body }, type: QueryTypes.SELECT },
        )
      : await this.db.sequelize.query(
          `DELETE FROM idempotency_keys
            WHERE principal = $principal AND key = $key AND method = $method AND path = $path AND lock_token = $lockToken
           RETURNING key`,
          { bind: { ...id, lockToken }, type: QueryTypes.SELECT },
        );
    return rows.length === 1;
  }
}
