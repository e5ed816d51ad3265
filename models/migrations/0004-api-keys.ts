import type { QueryInterface } from 'sequelize';

/** API keys: only a SHA-256 hash of each key is stored, with a short prefix to tell keys apart. */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    CREATE TABLE api_keys (
      id serial PRIMARY KEY,
      user_key text NOT NULL REFERENCES users (key),
      key_hash char(64) NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query('DROP TABLE api_keys');
}
