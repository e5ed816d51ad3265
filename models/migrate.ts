import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';

/** Advisory lock key that serialises migrations when several processes start against one database. */
const MIGRATION_LOCK = 7_240_301;

/**
 * Applies every migration under models/migrations that this database has not run yet, in name order.
 * The whole run holds a PostgreSQL advisory lock, so replicas starting together migrate one at a time.
 */
export async function migrate(sequelize: Sequelize, log: (message: string) => void = () => undefined): Promise<string[]> {
  const lockConnection = (await sequelize.connectionManager.getConnection({ type: 'write' })) as {
    query(sql: string): Promise<unknown>;
  };
  try {
    await lockConnection.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    return await applyMigrations(sequelize, log);
  } finally {
    await lockConnection.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    sequelize.connectionManager.releaseConnection(lockConnection as never);
  }
}

async function applyMigrations(sequelize: Sequelize, log: (message: string) => void): Promise<string[]> {
  const umzug = new Umzug({
    migrations: { glob: ['migrations/*.ts', { cwd: __dirname }], resolve: resolveMigration },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
  const applied = await umzug.up();
  for (const migration of applied) log(`applied migration ${migration.name}`);
  return applied.map((migration) => migration.name);
}

function resolveMigration({ name, path: file, context }: { name: string; path?: string; context: unknown }) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const migration = require(file!);
  return {
    name: path.basename(name, '.ts'),
    up: () => migration.up({ context }),
    down: () => migration.down({ context }),
  };
}
