import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../models/db';

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  /** Closes the pool and drops the database, even while other processes are still connected. */
  drop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest, whose global setup starts the services`);
  return value;
}

/**
 * Creates a database from the seeded template on the shared PostgreSQL, as startHarness does, for tests
 * that run the worker outside the test process. Deal numbers start at a base taken from the clock, so
 * that workflow ids of different test files on the shared Temporal server do not collide.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `o2c_test_${randomBytes(4).toString('hex')}`;
  const adminUrl = required('TEST_DATABASE_ADMIN_URL');
  const admin = openDatabase(adminUrl);
  await admin.sequelize.query(`CREATE DATABASE ${name} TEMPLATE o2c_template`);
  await admin.sequelize.close();

  const url = adminUrl.replace(/\/[^/]+$/, `/${name}`);
  const db = openDatabase(url);
  const dealNumberBase = (Date.now() % 1_000_000_000) + 1;
  await db.sequelize.query(`ALTER SEQUENCE deal_number_seq RESTART WITH ${dealNumberBase}`);

  return {
    name,
    url,
    db,
    async drop() {
      await db.sequelize.close();
      const cleanup = openDatabase(adminUrl);
      await cleanup.sequelize.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await cleanup.sequelize.close();
    },
  };
}
