import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

/**
 * Returns the secret that signs customer portal links: PORTAL_SECRET when set, otherwise one generated
 * on first start and kept in DATA_DIR, so links in emails already sent keep working after a restart.
 * NOTE: replicas that share a database but not a DATA_DIR need the same PORTAL_SECRET set explicitly.
 */
export function resolvePortalSecret(configured: string | undefined, dataDir: string, logger: Pick<Logger, 'warn'>): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'portal-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  logger.warn({ file }, 'PORTAL_SECRET is not set; generated one for the customer portal links');
  return secret;
}
