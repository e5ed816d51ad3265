/** Connection settings of the embedded PostgreSQL, apart from the package that starts it. */

export const EMBEDDED_DATABASE = 'o2c';
export const EMBEDDED_USER = 'o2c';
// NOTE: the embedded server listens on loopback only, so this fixed password protects nothing beyond
// the local machine. Production deployments set DATABASE_URL instead.
export const EMBEDDED_PASSWORD = 'o2c-local';

/** URL of the embedded PostgreSQL that `npm start` runs when DATABASE_URL is unset. */
export function embeddedDatabaseUrl(port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 5433)): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}
