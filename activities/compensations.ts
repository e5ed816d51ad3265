import type { Database } from '../models/db';
import type { Compensation, TimelineEntry } from '../domain/deal-state';
import { inStepTransaction, type StepRecord } from './step-record';

/** Activities that undo documents when a deal is cancelled. */
export function createCompensationActivities(db: Database) {
  const { EstimateRevision, SalesOrder, SalesReceipt } = db.models;

  /** Voids one document and records the step; voiding an already void document changes nothing. */
  async function applyCompensation(input: { record: StepRecord; compensation: Compensation }): Promise<TimelineEntry> {
    const { compensation } = input;
    const at = input.record.entry.at;
    const { entry } = await inStepTransaction(db, input.record, async (transaction) => {
      switch (compensation.kind) {
        case 'void_estimate':
          await EstimateRevision.update(
            { status: 'void', voidedAt: at },
            { where: { estimateNumber: compensation.estimateNumber, status: ['draft', 'sent', 'changes_requested', 'approved'] }, transaction },
          );
          return { result: undefined, documents: [compensation.estimateNumber] };
        case 'void_order':
          await SalesOrder.update(
            { status: 'cancelled', cancelledAt: at },
            { where: { number: compensation.orderNumber }, transaction },
          );
          return { result: undefined, documents: [compensation.orderNumber] };
        case 'void_receipt':
          await SalesReceipt.update(
            { status: 'void', voidedAt: at },
            { where: { number: compensation.receiptNumber }, transaction },
          );
          return { result: undefined, documents: [compensation.receiptNumber] };
        case 'release_reservations':
          throw new Error('release_reservations runs through the releaseReservations activity');
      }
    });
    return entry;
  }

  return { applyCompensation };
}
