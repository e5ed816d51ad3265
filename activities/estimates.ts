import { ApplicationFailure } from '@temporalio/activity';
import type { Transaction } from 'sequelize';
import type { Database } from '../models/db';
import type { EstimateRevision, RevisionStatus, TimelineEntry } from '../domain/deal-state';
import { priceLines, type CatalogueItem, type LineRequest } from '../domain/pricing';
import { formatAmount } from '../domain/money';
import { inStepTransaction, nextDocumentNumber, type StepRecord } from './step-record';

export interface SaveRevisionInput {
  record: StepRecord;
  /** Absent for the first revision: the estimate number is allocated then. */
  estimateNumber?: string;
  revision: number;
  /** Revision whose status becomes `superseded` in the same transaction, if any. */
  supersedes?: number;
  lines: LineRequest[];
  validForDays: number;
  notes?: string;
  currency: string;
  taxRatePercent: string;
}

export interface RevisionUpdate {
  record: StepRecord;
  estimateNumber: string;
  revision: number;
  status: RevisionStatus;
  sentAt?: string;
  validUntil?: string;
  customerComment?: string;
  acceptedBy?: string;
  purchaseOrderRef?: string;
}

/** Loads the catalogue entries for the requested SKUs; an unknown SKU fails without retrying. */
export async function loadCatalogue(
  db: Database,
  skus: string[],
  transaction?: Transaction,
): Promise<Map<string, CatalogueItem>> {
  const rows = await db.models.Product.findAll({ where: { sku: [...new Set(skus)] }, transaction });
  const catalogue = new Map<string, CatalogueItem>(
    rows.map((row) => [
      row.get('sku') as string,
      {
        sku: row.get('sku') as string,
        name: row.get('name') as string,
        kind: row.get('kind') as CatalogueItem['kind'],
        unitPrice: row.get('unitPrice') as string,
      },
    ]),
  );
  const missing = skus.filter((sku) => !catalogue.has(sku));
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(`unknown SKU ${missing.join(', ')}`, 'UnknownSku');
  }
  return catalogue;
}

export function createEstimateActivities(db: Database) {
  const { Estimate, EstimateRevision: Revisions } = db.models;

  /**
   * Prices and stores an estimate revision. A draft revision is rewritten in place under the same
   * number; a revision after sending is a new row, and the one it replaces becomes `superseded`.
   */
  async function saveEstimateRevision(
    input: SaveRevisionInput,
  ): Promise<{ estimateNumber: string; revision: EstimateRevision; entry: TimelineEntry }> {
    const catalogue = await loadCatalogue(db, input.lines.map((line) => line.sku));
    const priced = priceLines(input.lines, catalogue, input.taxRatePercent, input.currency);
    const at = input.record.entry.at;

    const { result: estimateNumber, entry } = await inStepTransaction<string>(db, input.record, async (transaction) => {
      const number = input.estimateNumber ?? (await nextDocumentNumber(db, 'estimate_number_seq', 'EST', transaction));
      if (!input.estimateNumber) {
        await Estimate.create({ number, dealNumber: input.record.dealNumber, createdAt: at }, { transaction });
      }
      if (input.supersedes !== undefined) {
        await Revisions.update(
          { status: 'superseded' },
          { where: { estimateNumber: number, revision: input.supersedes }, transaction },
        );
      }
      await Revisions.upsert(
        {
          estimateNumber: number,
          revision: input.revision,
          status: 'draft',
          validForDays: input.validForDays,
          currency: input.currency,
          taxRatePercent: input.taxRatePercent,
          lines: priced.lines,
          subtotal: priced.subtotal,
          tax: priced.tax,
          total: priced.total,
          notes: input.notes ?? null,
          idempotencyKey: input.record.key,
          createdAt: at,
        },
        { transaction },
      );
      return { result: number, documents: [`${number} rev ${input.revision}`] };
    });

    const revision: EstimateRevision = {
      revision: input.revision,
      status: 'draft',
      validForDays: input.validForDays,
      lines: priced.lines,
      subtotal: formatAmount(priced.subtotal, input.currency),
      tax: formatAmount(priced.tax, input.currency),
      total: formatAmount(priced.total, input.currency),
    };
    return { estimateNumber, revision, entry };
  }

  /** Changes a revision's status (sent, changes requested, approved, expired) and records the step. */
  async function updateEstimateRevision(input: RevisionUpdate): Promise<TimelineEntry> {
    const { entry } = await inStepTransaction(db, input.record, async (transaction) => {
      const [count] = await Revisions.update(
        {
          status: input.status,
          ...(input.sentAt ? { sentAt: input.sentAt } : {}),
          ...(input.validUntil ? { validUntil: input.validUntil } : {}),
          ...(input.customerComment ? { customerComment: input.customerComment } : {}),
          ...(input.acceptedBy ? { acceptedBy: input.acceptedBy } : {}),
          ...(input.purchaseOrderRef ? { purchaseOrderRef: input.purchaseOrderRef } : {}),
        },
        { where: { estimateNumber: input.estimateNumber, revision: input.revision }, transaction },
      );
      if (count !== 1) {
        throw ApplicationFailure.nonRetryable(
          `estimate ${input.estimateNumber} revision ${input.revision} not found`,
          'NotFound',
        );
      }
      return { result: undefined, documents: [`${input.estimateNumber} rev ${input.revision}`] };
    });
    return entry;
  }

  return { saveEstimateRevision, updateEstimateRevision };
}
