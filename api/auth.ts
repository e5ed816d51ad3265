import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '../models/db';
import { findUserByKeyHash, hashApiKey, type AuthenticatedUser } from '../models/api-keys';
import { checkPermission, type StepName } from '../domain/roles';
import { ProblemError } from './problem';

/** Reads the API key from `Authorization: Bearer <key>` or `X-Api-Key`. */
function apiKeyOf(req: Request): string | undefined {
  const authorization = req.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match?.[1];
  }
  return req.get('x-api-key') ?? undefined;
}

/** How long a key's user, once found, is reused without asking the database again. */
export const API_KEY_CACHE_MS = 5_000;
/** Maximum number of cached keys. The oldest entry is dropped to make room. */
const API_KEY_CACHE_SIZE = 10_000;

/**
 * Rejects a request with 401 unless it carries a valid API key, and stores the key's user for the routes.
 * A key found valid is cached for `cacheMs`, so a client sending many requests costs one lookup per
 * period. Unknown keys are looked up every time.
 * NOTE: revoking a key (`revoked_at`) or changing a user's roles reaches a running API within `cacheMs`.
 */
export function authenticate(db: Database, cacheMs = API_KEY_CACHE_MS): RequestHandler {
  const cache = new Map<string, { user: AuthenticatedUser; until: number }>();

  async function lookUp(apiKey: string): Promise<AuthenticatedUser | undefined> {
    // The cache is keyed by the stored digest, so it contains no usable key.
    const keyHash = hashApiKey(apiKey);
    const cached = cache.get(keyHash);
    if (cached && cached.until > Date.now()) return cached.user;
    cache.delete(keyHash);
    const user = await findUserByKeyHash(db, keyHash);
    if (user && cacheMs > 0) {
      if (cache.size >= API_KEY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(keyHash, { user, until: Date.now() + cacheMs });
    }
    return user;
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const apiKey = apiKeyOf(req);
    if (!apiKey) {
      next(new ProblemError('unauthenticated', 'missing API key: send it as "Authorization: Bearer <key>" or in X-Api-Key'));
      return;
    }
    const user = await lookUp(apiKey);
    if (!user) {
      next(new ProblemError('unauthenticated', 'invalid or revoked API key'));
      return;
    }
    res.locals.user = user;
    next();
  };
}

export function currentUser(res: Response): AuthenticatedUser {
  const user = res.locals.user as AuthenticatedUser | undefined;
  if (!user) throw new Error('route reached without authentication');
  return user;
}

/** Throws 403 unless the authenticated user may take the step; `dealOwner` matters for owner steps. */
export function requirePermission(res: Response, step: StepName, dealOwner?: string): AuthenticatedUser {
  const user = currentUser(res);
  const reason = checkPermission(step, user, dealOwner);
  if (reason) throw new ProblemError('forbidden', reason);
  return user;
}

/**
 * Returns the body with `actor` set to the authenticated user. A body that names another actor is
 * rejected, except `customer` on the steps where staff record a customer's decision.
 */
export function withActor(body: unknown, user: AuthenticatedUser, allowCustomer = false): Record<string, unknown> {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const named = fields.actor;
  if (named === undefined || named === user.key) return { ...fields, actor: user.key };
  if (allowCustomer && named === 'customer') return { ...fields, actor: 'customer' };
  throw new ProblemError('forbidden', `actor "${String(named)}" does not match the API key's user ${user.key}`);
}
