import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed links to the customer portal. A token is `<payload>.<signature>`: the payload is the claims as
 * base64url JSON, and the signature is the base64url HMAC-SHA256 of the payload text under the portal
 * secret. Anyone holding the link can act on the estimate revision it names until it expires, so the
 * link is the customer's only credential.
 */

/** Deal, estimate and revision a token may view and act on, and when it stops working. */
export interface PortalTokenClaims {
  dealNumber: number;
  estimateNumber: string;
  revision: number;
  /** Expiry instant in epoch milliseconds. The token is expired from this instant on. */
  expiresAt: number;
}

export type PortalTokenFailure = 'malformed' | 'bad-signature' | 'expired';

export type PortalTokenResult = { ok: true; claims: PortalTokenClaims } | { ok: false; reason: PortalTokenFailure };

/** An HMAC key shorter than the hash output (32 bytes for SHA-256) weakens the signature. */
const MIN_SECRET_BYTES = 32;

/** Tokens longer than this are rejected before hashing. A token with a nine-digit deal number is 170 characters long. */
const MAX_TOKEN_LENGTH = 1024;

/** Length of a base64url HMAC-SHA256 digest without padding: 32 bytes take 43 characters. */
const SIGNATURE_LENGTH = 43;

const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

const claimsSchema = z.object({
  dealNumber: z.number().int().positive(),
  estimateNumber: z.string().min(1).max(32),
  revision: z.number().int().positive(),
  expiresAt: z.number().int().nonnegative(),
});

function requireSecret(secret: string): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new RangeError(
      `portal secret is too short: ${Buffer.byteLength(secret)} bytes, expected at least ${MIN_SECRET_BYTES} bytes; generate one with "openssl rand -base64 32"`,
    );
  }
}

function signatureOf(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Creates a portal token for the claims. Throws RangeError on a short secret or invalid claims. */
export function signPortalToken(claims: PortalTokenClaims, secret: string): string {
  requireSecret(secret);
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`invalid portal token claims: ${issue.path.join('.')} ${issue.message}`);
  }
  const payload = Buffer.from(JSON.stringify(parsed.data)).toString('base64url');
  return `${payload}.${signatureOf(payload, secret)}`;
}

/**
 * Checks a token's shape, signature and expiry, in that order, and returns its claims. The signature is
 * compared in constant time. Throws RangeError only on a short secret.
 */
export function verifyPortalToken(token: string, secret: string, nowMs: number): PortalTokenResult {
  requireSecret(secret);
  const match = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? TOKEN_SHAPE.exec(token) : null;
  if (!match || match[2].length !== SIGNATURE_LENGTH) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = match;

  const expected = Buffer.from(signatureOf(payload, secret));
  if (!timingSafeEqual(Buffer.from(signature), expected)) return { ok: false, reason: 'bad-signature' };

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const claims = claimsSchema.safeParse(decoded);
  if (!claims.success) return { ok: false, reason: 'malformed' };
  if (nowMs >= claims.data.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims.data };
}
