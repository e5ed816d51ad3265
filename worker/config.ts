import path from 'node:path';
import { z } from 'zod';
import { isValidTimeZone, parseIsoDuration } from '../domain/dates';
import { isCurrencyCode } from '../domain/money';

/**
 * Deals a worker keeps cached between steps. The SDK would size its cache from the heap limit (2,310
 * deals at a 4 GiB heap). Each cached deal takes about 0.5 to 0.6 MiB of resident memory, most of it
 * outside the JavaScript heap. Workers measured 911 and 1025 MiB with 1,000 cached deals (`npm run bench`).
 * A smaller cache costs a history replay for every step of an evicted deal.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

const port = z.coerce.number().int().min(1).max(65535);

/**
 * Settings read from environment variables at start-up. Each is optional: without DATABASE_URL an
 * embedded PostgreSQL starts, without TEMPORAL_ADDRESS a Temporal dev server starts, and without
 * SMTP_HOST emails are written to OUTBOX_DIR.
 */
const environmentSchema = z.object({
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: port.default(5433),
  TEMPORAL_ADDRESS: z.string().min(3).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('deals'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: z.string().optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_MAX_CACHED_WORKFLOWS),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: port.default(25),
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  OUTBOX_DIR: z.string().default('outbox'),
  SEED_FILE: z.string().default(path.join(__dirname, '..', 'scenarios', 'glocial-machineries.json')),
  COMPANY_TIME_ZONE: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/New_York').default('America/New_York'),
  SALES_MANAGER: z.string().min(1).default('dana'),
  FOLLOW_UP_REMIND_BEFORE: z
    .string()
    .refine((value) => {
      try {
        return parseIsoDuration(value) >= 0;
      } catch {
        return false;
      }
    }, 'must be an ISO 8601 duration such as PT2H')
    .default('PT2H'),
  DUNNING_REMIND_BEFORE_DAYS: z.coerce.number().int().min(0).max(60).default(3),
  DUNNING_OVERDUE_DAYS: z
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'must be a comma-separated list of days such as 7,14,30')
    .default('7,14,30'),
  INVOICING_POLICY: z.enum(['ordered', 'shipped']).default('ordered'),
  PORTAL_SECRET: z.string().min(32, 'must be at least 32 characters, for example from openssl rand -base64 32').optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type Environment = z.infer<typeof environmentSchema>;

/** Parses the environment; on an invalid value it throws one message that lists every bad variable. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function assertCurrency(currency: string): string {
  if (!isCurrencyCode(currency)) throw new Error(`invalid company currency "${currency}": expected an ISO 4217 code`);
  return currency;
}
