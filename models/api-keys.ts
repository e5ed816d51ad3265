import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Database } from './db';

export interface AuthenticatedUser {
  key: string;
  name: string;
  email: string;
  roles: string[];
}

/** Returns the SHA-256 hex digest under which an API key is stored. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** Creates an API key for a user and returns it; the key itself is not stored and cannot be shown again. */
export async function issueApiKey(db: Database, userKey: string): Promise<string> {
  const apiKey = `o2c_${randomBytes(24).toString('base64url')}`;
  await db.sequelize.query('INSERT INTO api_keys (user_key, key_hash, prefix) VALUES (:userKey, :hash, :prefix)', {
    replacements: { userKey, hash: hashApiKey(apiKey), prefix: apiKey.slice(0, 10) },
  });
  return apiKey;
}

/** Returns the user of the unrevoked API key with this digest (see hashApiKey), or undefined. */
export async function findUserByKeyHash(db: Database, keyHash: string): Promise<AuthenticatedUser | undefined> {
  const [row] = await db.sequelize.query<AuthenticatedUser>(
    `SELECT u.key, u.name, u.email, u.roles FROM api_keys k JOIN users u ON u.key = k.user_key
      WHERE k.key_hash = :hash AND k.revoked_at IS NULL`,
    { replacements: { hash: keyHash }, type: QueryTypes.SELECT },
  );
  return row;
}
