import type { QueryInterface } from 'sequelize';

/**
 * Idempotency keys for POST requests (see api/idempotency.ts). A row is claimed with `status` NULL
 * while its first request runs, then holds the response to replay. `principal` is the authenticated
 * user's key, or '' without one, so two users cannot see each other's responses through a shared key.
 * `request_sha256` is a SHA-256 of the canonical JSON body and the query string, to detect reuse of a
 * key for a different request. `lock_token` identifies the request that holds an in-progress row, so
 * only that request stores or releases it. `response_body` is bytea, not jsonb: jsonb reorders object
 * keys, and a replay must send the bytes of the first response.
 *
 * Rows are kept after they complete, and nothing deletes them.
 * NOTE: no job purges old rows yet, so the table grows with every keyed POST.
 */
export async function up({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query(`
    CREATE TABLE idempotency_keys (
      principal text NOT NULL,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
      method text NOT NULL,
      path text NOT NULL,
      request_sha256 char(64) NOT NULL,
      lock_token uuid NOT NULL,
      status smallint CHECK (status BETWEEN 200 AND 499),
      response_headers jsonb,
      response_body bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (principal, key, method, path),
      CHECK ((status IS NULL) = (completed_at IS NULL))
    );
  `);
}

export async function down({ context }: { context: QueryInterface }): Promise<void> {
  await context.sequelize.query('DROP TABLE idempotency_keys');
}
