import { Router } from 'express';
import type { Client, Connection } from '@temporalio/client';
import type { Database } from '../models/db';

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await check();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** GET /health: whether PostgreSQL and Temporal answer; 503 when either does not. */
export function createHealthRouter(client: Client, db: Database): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [database, temporal] = await Promise.all([
      probe(() => db.sequelize.query('SELECT 1')),
      probe(() => (client.connection as Connection).healthService.check({})),
    ]);
    const ok = database.ok && temporal.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database, temporal });
  });
  return router;
}
