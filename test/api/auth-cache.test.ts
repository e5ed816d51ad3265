import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { startHarness, type Harness } from '../support/harness';
import { authenticate, currentUser } from '../../api/auth';
import { issueApiKey } from '../../models/api-keys';

const CACHE_MS = 300;

let harness: Harness;
let server: Server;
let baseUrl: string;
let lookups = 0;

beforeAll(async () => {
  harness = await startHarness();
  const app = express();
  app.use(authenticate(harness.db, CACHE_MS));
  app.get('/whoami', (_req, res) => {
    res.json({ user: currentUser(res).key });
  });
  app.use((error: { status?: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).json({ detail: error.message });
  });
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const query = harness.db.sequelize.query.bind(harness.db.sequelize);
  harness.db.sequelize.query = ((sql: unknown, options: unknown) => {
    if (String(sql).includes('FROM api_keys')) lookups += 1;
    return query(sql as string, options as never);
  }) as typeof harness.db.sequelize.query;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await harness?.close();
});

async function whoami(key: string): Promise<number> {
  return (await fetch(`${baseUrl}/whoami`, { headers: { authorization: `Bearer ${key}` } })).status;
}

test('valid key looked up once', async () => {
  const key = await issueApiKey(harness.db, 'quinn');
  lookups = 0;
  expect(await whoami(key)).toBe(200);
  expect(await whoami(key)).toBe(200);
  expect(await whoami(key)).toBe(200);
  expect(lookups).toBe(1);
});

test('unknown key looked up every time', async () => {
  lookups = 0;
  expect(await whoami('o2c_unknown-key-1')).toBe(401);
  expect(await whoami('o2c_unknown-key-1')).toBe(401);
  expect(lookups).toBe(2);
});

test('revoked key rejected after cache period', async () => {
  const key = await issueApiKey(harness.db, 'quinn');
  expect(await whoami(key)).toBe(200);
  await harness.db.sequelize.query(`UPDATE api_keys SET revoked_at = now() WHERE prefix = :prefix`, { replacements: { prefix: key.slice(0, 10) } });
  expect(await whoami(key)).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, CACHE_MS + 50));
  expect(await whoami(key)).toBe(401);
});
