import { ApplicationFailure } from '@temporalio/activity';
import { DatabaseError, type Transaction } from 'sequelize';
import type { Database } from '../models/db';
import type { Phase, TimelineEntry } from '../domain/deal-state';

/**
 * What every step writes besides its document: one timeline entry and the deal row's new phase and
 * fields. The workflow builds it; `key` is `<workflow id>/step-<seq>`, unique per step of a deal.
 */
export interface StepRecord {
  key: string;
  dealNumber: number;
  entry: Omit<TimelineEntry, 'documents'> & { data?: Record<string, unknown> };
  phase: Phase;
  dealPatch?: Partial<{
    owner: string;
    stage: string;
    title: string;
    estimateNumber: string;
    orderNumber: string;
    total: string;
    outcomeReason: string;
  }>;
}

/**
 * Runs a step's writes and its timeline entry in one transaction, at most once per step key.
 *
 * The timeline entry's unique `idempotency_key` doubles as the step's idempotency record: it stores the
 * step's result, so a retried activity whose first attempt committed returns that result and writes
 * nothing. Two attempts racing past the lookup cannot both commit, because the second insert of the
 * same key violates the unique constraint, rolls back, and the retry then finds the first one's row.
 */
export async function inStepTransaction<T>(
  db: Database,
  record: StepRecord,
  write: (transaction: Transaction) => Promise<{ result: T; documents: string[] }>,
): Promise<{ result: T; entry: TimelineEntry }> {
  const { TimelineEntry: Timeline, Deal } = db.models;
  return runTransaction(db, async (transaction) => {
    const existing = await Timeline.findOne({ where: { idempotencyKey: record.key }, transaction });
    if (existing) {
      return { result: existing.get('result') as T, entry: toTimelineEntry(existing.get()) };
    }

    const { result, documents } = await write(transaction);
    const row = await Timeline.create(
      {
        dealNumber: record.dealNumber,
        seq: record.entry.seq,
        at: record.entry.at,
        actor: record.entry.actor,
        event: record.entry.event,
        summary: record.entry.summary,
        data: record.entry.data ?? {},
        documents,
        result: result === undefined ? null : result,
        idempotencyKey: record.key,
      },
      { transaction },
    );
    await Deal.update(
      { ...record.dealPatch, phase: record.phase, updatedAt: record.entry.at },
      { where: { number: record.dealNumber }, transaction },
    );
    return { result, entry: toTimelineEntry(row.get()) };
  });
}

/**
 * Runs a transaction and marks integrity violations other than a unique violation as non-retryable: a
 * failed check or not-null constraint fails the same way on every attempt. A unique violation is left
 * retryable, because it means a racing attempt of the same step committed first.
 */
async function runTransaction<T>(db: Database, body: (transaction: Transaction) => Promise<T>): Promise<T> {
  try {
    return await db.sequelize.transaction(body);
  } catch (error) {
    const code = (error as { parent?: { code?: string } }).parent?.code;
    if (error instanceof DatabaseError && code?.startsWith('23') && code !== '23505') {
      throw ApplicationFailure.nonRetryable(`database rejected the step: ${error.message}`, 'IntegrityViolation');
    }
    throw error;
  }
}

function toTimelineEntry(row: Record<string, unknown>): TimelineEntry {
  const documents = (row.documents as string[] | null) ?? [];
  return {
    seq: row.seq as number,
    at: new Date(row.at as string).toISOString(),
    actor: row.actor as string,
    event: row.event as string,
    summary: row.summary as string,
    ...(documents.length > 0 ? { documents } : {}),
  };
}

/** Formats a document number from a sequence value, such as EST-000123. */
export function documentNumber(prefix: string, value: number | string): string {
  return `${prefix}-${String(value).padStart(6, '0')}`;
}

export async function nextDocumentNumber(
  db: Database,
  sequence: string,
  prefix: string,
  transaction: Transaction,
): Promise<string> {
  const [rows] = await db.sequelize.query(`SELECT nextval('${sequence}') AS value`, { transaction });
  return documentNumber(prefix, (rows as { value: string }[])[0].value);
}
