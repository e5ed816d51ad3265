import { ApplicationFailure } from '@temporalio/activity';
import { DatabaseError, QueryTypes, type Transaction } from 'sequelize';
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
  write: (transaction: Transaction) => Promise<{ result: T; documents: string[]; phase?: Phase }>,
): Promise<{ result: T; entry: TimelineEntry }> {
  return runTransaction(db, async (transaction) => {
    const [existing] = await db.sequelize.query<EntryRow>(
      `SELECT ${entryColumns} FROM timeline_entries WHERE idempotency_key = :key`,
      { replacements: { key: record.key }, type: QueryTypes.SELECT, transaction },
    );
    if (existing) return { result: existing.result as T, entry: toTimelineEntry(existing) };

    // `phase` lets a write that also recorded a later step (see recordStepInTransaction) keep the
    // deal row in that step's phase.
    const { result, documents, phase } = await write(transaction);
    return { result, entry: await insertEntry(db, record, { result, documents, phase }, transaction) };
  });
}

/**
 * Records a step that writes nothing but its timeline entry and the deal row, in one statement and so
 * one round trip, at most once per step key. A retry after a committed attempt returns the stored entry.
 */
export async function recordStepOnly(db: Database, record: StepRecord): Promise<TimelineEntry> {
  const [row] = await failOnIntegrityViolation(() =>
    db.sequelize.query<EntryRow>(insertEntrySql(record, { ifNew: true }), {
      replacements: entryReplacements(record, null, []),
      type: QueryTypes.SELECT,
    }),
  );
  return toTimelineEntry(row);
}

/**
 * Records a further step (timeline entry and deal row) inside a transaction that another step's
 * `inStepTransaction` opened, so both commit together and a retry of that step repeats neither. The
 * write that calls it returns the further step's `phase`, because the outer step updates the deal row last.
 */
export function recordStepInTransaction(db: Database, record: StepRecord, transaction: Transaction): Promise<TimelineEntry> {
  return insertEntry(db, record, { result: null, documents: [] }, transaction);
}

/** Inserts a step's timeline entry and updates the deal row, in `phase` when given, else the record's. */
async function insertEntry(
  db: Database,
  record: StepRecord,
  written: { result: unknown; documents: string[]; phase?: Phase },
  transaction: Transaction,
): Promise<TimelineEntry> {
  const replacements = entryReplacements(record, written.result, written.documents);
  if (written.phase) replacements.phase = written.phase;
  const [row] = await db.sequelize.query<EntryRow>(insertEntrySql(record, { ifNew: false }), {
    replacements,
    type: QueryTypes.SELECT,
    transaction,
  });
  return toTimelineEntry(row);
}

const entryColumns = 'seq, at, actor, event, summary, documents, result';

interface EntryRow {
  seq: number;
  at: Date | string;
  actor: string;
  event: string;
  summary: string;
  documents: string[] | null;
  result: unknown;
}

/** Deal row columns a step may change, by the field name in `StepRecord.dealPatch`. */
const dealPatchColumns: Record<keyof NonNullable<StepRecord['dealPatch']>, string> = {
  owner: 'owner',
  stage: 'stage',
  title: 'title',
  estimateNumber: 'estimate_number',
  orderNumber: 'order_number',
  total: 'total',
  outcomeReason: 'outcome_reason',
};

/**
 * Builds one statement that inserts the timeline entry and updates the deal row. With `ifNew` the
 * statement first looks for an entry with the same key, and when one exists it returns that entry and
 * changes nothing.
 */
function insertEntrySql(record: StepRecord, options: { ifNew: boolean }): string {
  const sets = ['phase = :phase', 'updated_at = :at', ...patchFields(record).map(([field]) => `${dealPatchColumns[field as keyof typeof dealPatchColumns]} = :patch_${field}`)];
  const values = `:dealNumber, :seq, :at, :actor, :event, :summary, :data::jsonb,
    ARRAY(SELECT jsonb_array_elements_text(:documents::jsonb)), :result::jsonb, :key`;
  const columns = 'deal_number, seq, at, actor, event, summary, data, documents, result, idempotency_key';
  if (!options.ifNew) {
    return `WITH entry AS (INSERT INTO timeline_entries (${columns}) VALUES (${values}) RETURNING ${entryColumns}),
      deal AS (UPDATE deals SET ${sets.join(', ')} WHERE number = :dealNumber)
      SELECT * FROM entry`;
  }
  return `WITH previous AS (SELECT ${entryColumns} FROM timeline_entries WHERE idempotency_key = :key),
    entry AS (INSERT INTO timeline_entries (${columns}) SELECT ${values} WHERE NOT EXISTS (SELECT 1 FROM previous)
      RETURNING ${entryColumns}),
    deal AS (UPDATE deals SET ${sets.join(', ')} WHERE number = :dealNumber AND EXISTS (SELECT 1 FROM entry))
    SELECT * FROM entry UNION ALL SELECT * FROM previous`;
}

/** Lists the deal row fields the step sets, as [field, value] pairs. Undefined fields are left unchanged. */
function patchFields(record: StepRecord): [string, unknown][] {
  return Object.entries(record.dealPatch ?? {}).filter(([, value]) => value !== undefined);
}

function entryReplacements(record: StepRecord, result: unknown, documents: string[]): Record<string, unknown> {
  const patch = Object.fromEntries(patchFields(record).map(([field, value]) => [`patch_${field}`, value]));
  return {
    dealNumber: record.dealNumber,
    seq: record.entry.seq,
    at: record.entry.at,
    actor: record.entry.actor,
    event: record.entry.event,
    summary: record.entry.summary,
    data: JSON.stringify(record.entry.data ?? {}),
    documents: JSON.stringify(documents),
    result: result === undefined || result === null ? null : JSON.stringify(result),
    key: record.key,
    phase: record.phase,
    ...patch,
  };
}

/** Runs a transaction, with integrity violations sorted as `failOnIntegrityViolation` does. */
function runTransaction<T>(db: Database, body: (transaction: Transaction) => Promise<T>): Promise<T> {
  return failOnIntegrityViolation(() => db.sequelize.transaction(body));
}

/**
 * Runs database work and marks integrity violations other than a unique violation as non-retryable: a
 * failed check or not-null constraint fails the same way on every attempt. A unique violation is left
 * retryable, because it means a racing attempt of the same step committed first.
 */
async function failOnIntegrityViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { parent?: { code?: string } }).parent?.code;
    if (error instanceof DatabaseError && code?.startsWith('23') && code !== '23505') {
      throw ApplicationFailure.nonRetryable(`database rejected the step: ${error.message}`, 'IntegrityViolation');
    }
    throw error;
  }
}

function toTimelineEntry(row: EntryRow): TimelineEntry {
  const documents = row.documents ?? [];
  return {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    event: row.event,
    summary: row.summary,
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
