import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { DealContext, rejectStep } from './context';
import * as sales from './sales-steps';
import * as estimates from './estimate-steps';
import * as fulfilment from './fulfilment-steps';
import * as finance from './finance-steps';
import * as cancellation from './cancellation';
import { type DealSettings, type DealState, initialDealState, isFinal, latestRevision } from '../domain/deal-state';
import * as rules from '../domain/rules';
import type * as Inputs from '../domain/step-inputs';

// Human steps are Updates: the validator rejects a step the state machine does not allow, before
// anything is written, and the handler returns the deal as stored after the step.
export const createLead = defineUpdate<DealState, [Inputs.CreateLeadInput]>('createLead');
export const qualifyLead = defineUpdate<DealState, [Inputs.QualifyLeadInput]>('qualifyLead');
export const disqualifyLead = defineUpdate<DealState, [Inputs.DisqualifyLeadInput]>('disqualifyLead');
export const convertToOpportunity = defineUpdate<DealState, [Inputs.ConvertToOpportunityInput]>('convertToOpportunity');
export const scheduleFollowUp = defineUpdate<DealState, [Inputs.ScheduleFollowUpInput]>('scheduleFollowUp');
export const completeFollowUp = defineUpdate<DealState, [Inputs.CompleteFollowUpInput]>('completeFollowUp');
export const cancelFollowUp = defineUpdate<DealState, [Inputs.CancelFollowUpInput]>('cancelFollowUp');
export const moveStage = defineUpdate<DealState, [Inputs.MoveStageInput]>('moveStage');
export const assignOpportunity = defineUpdate<DealState, [Inputs.AssignInput]>('assignOpportunity');
export const markLost = defineUpdate<DealState, [Inputs.MarkLostInput]>('markLost');
export const cancelDeal = defineUpdate<DealState, [Inputs.CancelDealInput]>('cancelDeal');
export const createEstimate = defineUpdate<DealState, [Inputs.CreateEstimateInput]>('createEstimate');
export const reviseEstimate = defineUpdate<DealState, [Inputs.ReviseEstimateInput]>('reviseEstimate');
export const sendEstimate = defineUpdate<DealState, [Inputs.SendEstimateInput]>('sendEstimate');
export const requestChanges = defineUpdate<DealState, [Inputs.RequestChangesInput]>('requestChanges');
export const approveEstimate = defineUpdate<DealState, [Inputs.ApproveEstimateInput]>('approveEstimate');
export const convertToOrder = defineUpdate<DealState, [Inputs.ConvertToOrderInput]>('convertToOrder');
export const recordInspection = defineUpdate<DealState, [Inputs.InspectionInput]>('recordInspection');
export const releaseForPicking = defineUpdate<DealState, [Inputs.PickReleaseInput]>('releaseForPicking');
export const shipOrder = defineUpdate<DealState, [Inputs.ShipmentInput]>('shipOrder');
export const createInvoice = defineUpdate<DealState, [Inputs.CreateInvoiceInput]>('createInvoice');
export const sendInvoice = defineUpdate<DealState, [string, Inputs.SendInvoiceInput]>('sendInvoice');
export const recordPayment = defineUpdate<DealState, [Inputs.PaymentInput]>('recordPayment');

// A bank's or payment provider's notice must never be refused, so it arrives as a signal.
export const paymentNotice = defineSignal<[Inputs.PaymentInput]>('paymentNotice');

// Stock receipts and other deals' cancellations hand stock to this deal's backordered lines.
export const stockReserved = defineSignal<[Inputs.StockReservedInput]>('stockReserved');

export const getDeal = defineQuery<DealState>('getDeal');

export interface DealInput {
  dealNumber: number;
  settings: DealSettings;
  /** The state a previous run carried over when it continued as new. */
  carriedState?: DealState;
  /** History length after which the run continues as new; the server's own suggestion also triggers it. */
  maxHistoryEvents?: number;
}

const DEFAULT_MAX_HISTORY_EVENTS = 5000;

/** Returns the validator for a step: it throws the rule's reason when the step is not allowed now. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function allowedWhen(check: (...args: any[]) => string | undefined): (...args: any[]) => void {
  return (...args) => {
    const reason = check(...args);
    if (reason) throw rejectStep(reason);
  };
}

/**
 * One deal from lead to paid, lost, disqualified or cancelled. A long deal continues as new before its
 * history grows large, carrying its state, and the new run resumes the timers that state implies.
 */
export async function deal(input: DealInput): Promise<DealState> {
  const ctx = new DealContext(input.carriedState ?? initialDealState(input.dealNumber, workflowInfo().workflowId, input.settings));
  const state = ctx.state;

  setHandler(getDeal, () => state);

  setHandler(createLead, (step) => sales.createLead(ctx, step), { validator: allowedWhen(() => rules.checkCreateLead(state)) });
  setHandler(qualifyLead, (step) => sales.qualifyLead(ctx, step), { validator: allowedWhen(() => rules.checkQualifyLead(state)) });
  setHandler(disqualifyLead, (step) => sales.disqualifyLead(ctx, step), {
    validator: allowedWhen(() => rules.checkDisqualifyLead(state)),
  });
  setHandler(convertToOpportunity, (step) => sales.convertToOpportunity(ctx, step), {
    validator: allowedWhen(() => rules.checkConvertToOpportunity(state)),
  });
  setHandler(scheduleFollowUp, (step) => sales.scheduleFollowUp(ctx, step), {
    validator: allowedWhen(() => rules.checkScheduleFollowUp(state)),
  });
  setHandler(completeFollowUp, (step) => sales.closeFollowUp(ctx, step, 'completed'), {
    validator: allowedWhen((step: Inputs.CompleteFollowUpInput) => rules.checkCloseFollowUp(state, step.seq, 'completing')),
  });
  setHandler(cancelFollowUp, (step) => sales.closeFollowUp(ctx, step, 'cancelled'), {
    validator: allowedWhen((step: Inputs.CancelFollowUpInput) => rules.checkCloseFollowUp(state, step.seq, 'cancelling')),
  });
  setHandler(moveStage, (step) => sales.moveStage(ctx, step), {
    validator: allowedWhen((step: Inputs.MoveStageInput) => rules.checkMoveStage(state, step)),
  });
  setHandler(assignOpportunity, (step) => sales.assignOpportunity(ctx, step), {
    validator: allowedWhen((step: Inputs.AssignInput) => rules.checkAssign(state, step)),
  });
  setHandler(markLost, (step) => sales.markLost(ctx, step), { validator: allowedWhen(() => rules.checkMarkLost(state)) });

  setHandler(createEstimate, (step) => estimates.createEstimate(ctx, step), {
    validator: allowedWhen(() => rules.checkCreateEstimate(state)),
  });
  setHandler(reviseEstimate, (step) => estimates.reviseEstimate(ctx, step), {
    validator: allowedWhen(() => rules.checkReviseEstimate(state)),
  });
  setHandler(sendEstimate, (step) => estimates.sendEstimate(ctx, step), {
    validator: allowedWhen(() => rules.checkSendEstimate(state)),
  });
  setHandler(requestChanges, (step) => estimates.requestChanges(ctx, step), {
    validator: allowedWhen((step: Inputs.RequestChangesInput) => rules.checkRequestChanges(state, step, Date.now())),
  });
  setHandler(approveEstimate, (step) => estimates.approveEstimate(ctx, step), {
    validator: allowedWhen((step: Inputs.ApproveEstimateInput) => rules.checkApproveEstimate(state, step, Date.now())),
  });
  setHandler(convertToOrder, (step) => estimates.convertToOrder(ctx, step), {
    validator: allowedWhen(() => rules.checkConvertToOrder(state)),
  });

  setHandler(recordInspection, (step) => fulfilment.recordInspection(ctx, step), {
    validator: allowedWhen(() => rules.checkInspection(state)),
  });
  setHandler(releaseForPicking, (step) => fulfilment.releaseForPicking(ctx, step), {
    validator: allowedWhen(() => rules.checkPickRelease(state)),
  });
  setHandler(shipOrder, (step) => fulfilment.shipOrder(ctx, step), {
    validator: allowedWhen((step: Inputs.ShipmentInput) => rules.checkShipment(state, step)),
  });
  setHandler(stockReserved, (reservations) => fulfilment.takeStockReservations(ctx, reservations));

  setHandler(createInvoice, (step) => finance.createInvoice(ctx, step), {
    validator: allowedWhen(() => rules.checkCreateInvoice(state)),
  });
  setHandler(sendInvoice, (invoiceNumber, step) => finance.sendInvoice(ctx, invoiceNumber, step), {
    validator: allowedWhen((invoiceNumber: string) => rules.checkSendInvoice(state, invoiceNumber)),
  });
  setHandler(recordPayment, (step) => finance.recordPayment(ctx, step), {
    validator: allowedWhen((step: Inputs.PaymentInput) => rules.checkPayment(state, step)),
  });
  setHandler(paymentNotice, (notice) => finance.handlePaymentNotice(ctx, notice));

  setHandler(cancelDeal, (step) => cancellation.cancelDeal(ctx, step), { validator: allowedWhen(() => rules.checkCancel(state)) });

  if (input.carriedState) {
    resumeTimers(ctx);
    log.info('deal continued as new', { dealNumber: input.dealNumber, phase: state.phase, steps: state.timeline.length });
  } else {
    log.info('deal started', { dealNumber: input.dealNumber });
  }

  const maxHistoryEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistoryEvents;
  await condition(() => isFinal(state.phase) || historyIsLong());

  // Let running and queued steps finish, so no update is left unfinished by either ending.
  await condition(() => allHandlersFinished() && ctx.isIdle());
  if (isFinal(state.phase)) {
    log.info('deal ended', { dealNumber: input.dealNumber, phase: state.phase });
    return state;
  }
  log.info('deal continuing as new', { dealNumber: input.dealNumber, historyLength: workflowInfo().historyLength });
  return continueAsNew<typeof deal>({ ...input, carriedState: state });
}

/** Restarts the waits of open follow-ups, a sent estimate revision and sent invoices in a new run. */
function resumeTimers(ctx: DealContext): void {
  for (const followUp of ctx.state.followUps) {
    if (followUp.status === 'open') void sales.watchFollowUp(ctx, followUp);
  }
  const latest = latestRevision(ctx.state);
  if (latest?.status === 'sent') void estimates.watchExpiry(ctx, latest);
  for (const invoice of ctx.state.invoices) {
    if (invoice.status === 'sent') void finance.runDunning(ctx, invoice);
  }
}
