import type { DealContext } from './context';
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
  }
}

/** Marks in the workflow state what a compensation did in the database. */
function applyToState(state: DealState, compensation: Compensation): void {
  if (compensation.kind === 'void_estimate') {
    for (const revision of state.estimate?.revisions ?? []) {
      if (revision.status !== 'superseded') revision.status = 'void';
    }
  }
  if (compensation.kind === 'void_order' && state.order) state.order.status = 'cancelled';
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
        ctx.applyStep(record, await ctx.activities.applyCompensation({ record, compensation }));
        applyToState(state, compensation);
        state.compensations.pop();
        voided.push(document);
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
