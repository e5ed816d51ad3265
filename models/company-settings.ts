import type { Database } from './db';
import type { Row } from './definitions';

/** How long a read of the company settings row is reused. */
const COMPANY_SETTINGS_TTL_MS = 60_000;

const cache = new WeakMap<Database, { row: Promise<Row | null>; readAt: number }>();

/**
 * Returns the company settings row (name, address, sender address), read at most once a minute per
 * database handle. Every email and every PDF prints it, and only the seed writes it.
 * NOTE: a change made directly in the table reaches emails and documents within a minute, not at once.
 */
export function readCompanySettings(db: Database): Promise<Row | null> {
  const cached = cache.get(db);
  if (cached && Date.now() - cached.readAt < COMPANY_SETTINGS_TTL_MS) return cached.row;
  const row = db.models.CompanySettings.findByPk(1);
  cache.set(db, { row, readAt: Date.now() });
  // A failed read or a missing row is not kept: the next call reads again.
  const forget = () => {
    if (cache.get(db)?.row === row) cache.delete(db);
  };
  row.then((found) => found ?? forget(), forget);
  return row;
}
