import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { DealContext } from './context';
import type { LineReservation } from '../models/stock';
import type { Compensation, DealState } from '../domain/deal-state';
import * as rules from '../domain/rules';
import type { CancelDealInput } from '../domain/step-inputs';

/** Cancellation before shipment: undoes every document the deal created, newest first, as one saga. */

function describe(compensation: Compensation): { event: string; summary: string; document: string } {
  switch (compensation.kind) {
    case 'void_receipt':
      return { event: 'receipt.voided', summary: `Sales receipt ${compensation.receiptNumber} voided`, document: compensation.receiptNumber };
    case 'void_order':
      return { event: 'order.cancelled', summary: `Sales order ${compensation.orderNumber} cancelled`, document: compensation.orderNumber };
    case 'void_estimate':
      return { event: 'estimate.voided', summary: `Estimate ${compensation.estimateNumber} voided`, document: compensation.estimateNumber };
    case 'release_reservations':
      return { event: 'stock.released', summary: `Stock reserved for order ${compensation.orderNumber} released`, document: compensation.orderNumber };
  }
}

/** Tells the deals whose orders received the released stock, one signal per order. */
async function notifyReassigned(reassigned: LineReservation[]): Promise<void> {
  const byOrder = new Map<string, LineReservation[]>();
  for (const line of reassigned) byOrder.set(line.orderNumber, [...(byOrder.get(line.orderNumber) ?? []), line]);
  for (const [orderNumber, lines] of byOrder) {
    const handle = getExternalWorkflowHandle(`deal-${lines[0].dealNumber}`);
    await handle.signal('stockReserved', { orderNumber, lines: lines.map(({ lineNo, reservedQuantity }) => ({ lineNo, reservedQuantity })) });
  }
}

/** Marks in the workflow state what a compensation did in the database. */
function applyToState(state: DealState, compensation: Compensation): void {
  if (compensation.kind === 'void_estimate') {
    for (const revision of state.estimate?.revisions ?? []) {
      // Superseded and expired revisions keep their status: each is an outcome of its own.
      if (revision.status !== 'superseded' && revision.status !== 'expired') revision.status = 'void';
    }
  }
  if (compensation.kind === 'void_order' && state.order) state.order.status = 'cancelled';
  if (compensation.kind === 'release_reservations' && state.order) {
    for (const line of state.order.lines) line.reservedQuantity = 0;
  }
}

/**
 * Runs the compensations in reverse order of the documents' creation, each as its own step on the
 * timeline, then tells the customer when they had received any document, and ends the deal as
 * cancelled. A worker crash part-way resumes the remaining compensations on replay.
 */
export async function cancelDeal(ctx: DealContext, input: CancelDealInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkCancel(ctx.state),
    async () => {
      const state = ctx.state;
      const started = ctx.nextStep(input.actor, 'deal.cancellation_started', `Cancellation requested: ${input.reason}`, {
        data: { reason: input.reason },
      });
      ctx.applyStep(started, await ctx.activities.recordDealStep(started));

      const voided: string[] = [];
      while (state.compensations.length > 0) {
        const compensation = state.compensations[state.compensations.length - 1];
        const { event, summary, document } = describe(compensation);
        const record = ctx.nextStep('system', event, summary, { data: { ...compensation } });
        if (compensation.kind === 'release_reservations') {
          const released = await ctx.activities.releaseReservations({ record, orderNumber: compensation.orderNumber });
          ctx.applyStep(record, released.entry);
          await notifyReassigned(released.reassigned);
        } else {
          ctx.applyStep(record, await ctx.activities.applyCompensation({ record, compensation }));
        }
        applyToState(state, compensation);
        state.compensations.pop();
        if (compensation.kind !== 'release_reservations') voided.push(document);
      }

      const customerHasDocuments = state.estimate?.revisions.some((revision) => revision.sentAt) || state.order !== undefined;
      const closing = ctx.nextStep(input.actor, 'deal.cancelled', `Deal cancelled: ${input.reason}`, {
        phase: 'cancelled',
        data: { reason: input.reason, voided },
        dealPatch: { outcomeReason: input.reason },
      });
      const entry = await ctx.activities.recordDealStep(closing);
      ctx.applyStep(closing, entry);
      state.outcome = { phase: 'cancelled', reason: input.reason, at: entry.at };
      if (customerHasDocuments && voided.length > 0) {
        await ctx.sendEmail(closing.key, ctx.customerRecipient(), { kind: 'cancellation_notice', documents: voided, reason: input.reason });
      }
      return state;
    },
  );
}
