import { compareAmounts, isZero } from './money';
import { backorderedQuantity, invoiceableQuantities, resolveShipment } from './fulfilment';
import { type DealState, type Phase, isFinal, latestRevision } from './deal-state';
import type {
  ApproveEstimateInput,
  AssignInput,
  MoveStageInput,
  PaymentInput,
  RequestChangesInput,
  ShipmentInput,
} from './step-inputs';

/**
 * The deal's state machine. Each check returns the reason a step is not allowed now, or undefined when
 * it is. The workflow runs these in its update validators and again just before acting, so a rejected
 * step changes nothing.
 */

type Check = string | undefined;

function requirePhase(state: DealState, step: string, allowed: Phase[]): Check {
  if (allowed.includes(state.phase)) return undefined;
  if (isFinal(state.phase)) return `${step} is not allowed: the deal has ended as ${state.phase}`;
  return `${step} is not allowed in phase ${state.phase}; it needs phase ${allowed.join(' or ')}`;
}

export function checkCreateLead(state: DealState): Check {
  return state.phase === 'new' ? undefined : `the lead of deal ${state.dealNumber} already exists`;
}

export function checkQualifyLead(state: DealState): Check {
  return requirePhase(state, 'qualifying the lead', ['lead']) ?? (state.qualified ? 'the lead is already qualified' : undefined);
}

export function checkDisqualifyLead(state: DealState): Check {
  return requirePhase(state, 'disqualifying the lead', ['lead']);
}

export function checkConvertToOpportunity(state: DealState): Check {
  return (
    requirePhase(state, 'converting to an opportunity', ['lead']) ??
    (state.qualified ? undefined : 'the lead must be qualified before it is converted to an opportunity')
  );
}

const followUpPhases: Phase[] = ['opportunity', 'estimate'];

export function checkScheduleFollowUp(state: DealState): Check {
  return requirePhase(state, 'scheduling a follow-up', followUpPhases);
}

export function checkCloseFollowUp(state: DealState, seq: number, verb: 'completing' | 'cancelling'): Check {
  if (isFinal(state.phase)) return `${verb} follow-up ${seq} is not allowed: the deal has ended as ${state.phase}`;
  const followUp = state.followUps.find((candidate) => candidate.seq === seq);
  if (!followUp) return `follow-up ${seq} not found on deal ${state.dealNumber}`;
  if (followUp.status !== 'open') return `${verb} follow-up ${seq} is not allowed: it is already ${followUp.status}`;
  return undefined;
}

export function checkMoveStage(state: DealState, input: MoveStageInput): Check {
  return (
    requirePhase(state, 'moving the pipeline stage', ['opportunity']) ??
    (state.stage === input.to ? `the opportunity is already in stage ${input.to}` : undefined)
  );
}

export function checkAssign(state: DealState, input: AssignInput): Check {
  return (
    requirePhase(state, 'assigning the opportunity', ['opportunity', 'estimate']) ??
    (state.owner === input.to ? `the opportunity is already assigned to ${input.to}` : undefined)
  );
}

export function checkMarkLost(state: DealState): Check {
  return requirePhase(state, 'marking the deal lost', ['lead', 'opportunity', 'estimate']);
}

export function checkCreateEstimate(state: DealState): Check {
  return (
    requirePhase(state, 'creating an estimate', ['opportunity']) ??
    (state.estimate ? `estimate ${state.estimate.number} already exists; revise it instead` : undefined)
  );
}

export function checkReviseEstimate(state: DealState): Check {
  const latest = latestRevision(state);
  const phaseCheck = requirePhase(state, 'revising the estimate', ['estimate']);
  if (phaseCheck || !latest) return phaseCheck ?? 'there is no estimate to revise';
  if (latest.status === 'approved') return `revision ${latest.revision} is already approved; convert it to an order`;
  return undefined;
}

export function checkSendEstimate(state: DealState): Check {
  const latest = latestRevision(state);
  const phaseCheck = requirePhase(state, 'sending the estimate', ['estimate']);
  if (phaseCheck || !latest) return phaseCheck ?? 'there is no estimate to send';
  if (latest.status !== 'draft') {
    return `revision ${latest.revision} is ${latest.status}; revise the estimate to send a new revision`;
  }
  return undefined;
}

/** Checks a customer decision (approval or change request) against the latest sent revision. */
function checkCustomerDecision(
  state: DealState,
  step: string,
  input: { revision?: number },
  nowMs: number,
): Check {
  const latest = latestRevision(state);
  const phaseCheck = requirePhase(state, step, ['estimate']);
  if (phaseCheck || !latest) return phaseCheck ?? 'there is no estimate';
  if (input.revision !== undefined && input.revision !== latest.revision) {
    return `${step} is not allowed on revision ${input.revision}: the current revision is ${latest.revision}`;
  }
  if (latest.status === 'draft') return `revision ${latest.revision} has not been sent to the customer yet`;
  if (latest.status !== 'sent') return `revision ${latest.revision} is ${latest.status}`;
  if (latest.expiresAt && nowMs >= Date.parse(latest.expiresAt)) {
    return `revision ${latest.revision} expired at the end of ${latest.validUntil}; revise and send it again`;
  }
  return undefined;
}

export function checkRequestChanges(state: DealState, input: RequestChangesInput, nowMs: number): Check {
  return checkCustomerDecision(state, 'requesting changes', input, nowMs);
}

export function checkApproveEstimate(state: DealState, input: ApproveEstimateInput, nowMs: number): Check {
  return checkCustomerDecision(state, 'approving the estimate', input, nowMs);
}

export function checkConvertToOrder(state: DealState): Check {
  const latest = latestRevision(state);
  const phaseCheck = requirePhase(state, 'converting to an order', ['estimate']);
  if (phaseCheck || !latest) return phaseCheck ?? 'there is no estimate';
  if (latest.status !== 'approved') {
    return `revision ${latest.revision} is ${latest.status}; only an approved estimate can become an order`;
  }
  return undefined;
}

export function checkInspection(state: DealState): Check {
  return requirePhase(state, 'recording a QA inspection', ['quality']);
}

/** Pick release needs stock reserved for at least one goods line, unless the order is all services. */
export function checkPickRelease(state: DealState): Check {
  const phaseCheck = requirePhase(state, 'pick release', ['pick_release']);
  if (phaseCheck) return phaseCheck;
  const goods = state.order!.lines.filter((line) => line.kind === 'goods');
  if (goods.length === 0 || goods.some((line) => line.reservedQuantity > 0)) return undefined;
  const waiting = goods.reduce((sum, line) => sum + backorderedQuantity(line), 0);
  return `nothing on order ${state.order!.number} is reserved yet; ${waiting} unit(s) are backordered until stock arrives`;
}

export function checkShipment(state: DealState, input: Pick<ShipmentInput, 'lines'>): Check {
  const phaseCheck = requirePhase(state, 'shipping', ['shipping']);
  if (phaseCheck) return phaseCheck;
  const resolved = resolveShipment(state.order!, input.lines);
  return 'reason' in resolved ? resolved.reason : undefined;
}

const invoicingPhases: Phase[] = ['quality', 'pick_release', 'shipping', 'invoicing', 'payment'];

export function checkCreateInvoice(state: DealState): Check {
  const phaseCheck = requirePhase(state, 'creating an invoice', invoicingPhases);
  if (phaseCheck) return phaseCheck;
  const order = state.order!;
  if (invoiceableQuantities(order, state.settings.invoicingPolicy).size > 0) return undefined;
  if (order.lines.every((line) => line.invoicedQuantity >= line.quantity)) {
    return `every line of order ${order.number} is already invoiced`;
  }
  return `nothing on order ${order.number} can be invoiced yet: the company invoices shipped quantities, so ship first`;
}

export function checkSendInvoice(state: DealState, invoiceNumber: string): Check {
  if (isFinal(state.phase)) return `sending invoice ${invoiceNumber} is not allowed: the deal has ended as ${state.phase}`;
  const invoice = state.invoices.find((candidate) => candidate.number === invoiceNumber);
  if (!invoice) return `invoice ${invoiceNumber} not found on deal ${state.dealNumber}`;
  if (invoice.status !== 'draft') return `invoice ${invoiceNumber} was already sent`;
  return undefined;
}

/** Resolves the invoice a payment applies to: the named one, or the only open one. */
export function findPayableInvoice(state: DealState, invoiceNumber?: string) {
  if (invoiceNumber) return state.invoices.find((invoice) => invoice.number === invoiceNumber);
  const open = state.invoices.filter((invoice) => invoice.status === 'sent');
  return open.length === 1 ? open[0] : undefined;
}

export function checkPayment(state: DealState, input: PaymentInput): Check {
  if (isFinal(state.phase)) return `recording a payment is not allowed: the deal has ended as ${state.phase}`;
  if (state.invoices.every((invoice) => invoice.status === 'draft')) {
    return `recording a payment is not allowed before an invoice of deal ${state.dealNumber} is sent`;
  }
  const invoice = findPayableInvoice(state, input.invoiceNumber);
  if (!invoice && input.invoiceNumber) return `invoice ${input.invoiceNumber} not found on deal ${state.dealNumber}`;
  if (!invoice) {
    const open = state.invoices.filter((candidate) => candidate.status === 'sent').length;
    return open === 0
      ? `deal ${state.dealNumber} has no open invoice to pay`
      : 'name the invoice: this deal has more than one open invoice';
  }
  if (invoice.status !== 'sent') return `invoice ${invoice.number} is ${invoice.status} and takes no payment`;
  if (state.payments.some((payment) => payment.reference === input.reference)) {
    return `a payment with reference ${input.reference} is already recorded`;
  }
  if (compareAmounts(input.amount, invoice.balance) > 0) {
    return `payment of ${input.amount} exceeds the open balance of ${invoice.balance} on invoice ${invoice.number}`;
  }
  return undefined;
}

/** A deal is paid when every invoice is paid and no order quantity is left to invoice. */
export function isFullyPaid(state: DealState): boolean {
  const lines = state.order?.lines ?? [];
  const allInvoiced = lines.length > 0 && lines.every((line) => line.invoicedQuantity >= line.quantity);
  return allInvoiced && state.invoices.every((invoice) => isZero(invoice.balance));
}

/** A deal can be cancelled until its first shipment; after that goods have left and need a credit note. */
export function checkCancel(state: DealState): Check {
  if (state.phase === 'new') return `deal ${state.dealNumber} has no lead yet`;
  if (isFinal(state.phase)) return `cancelling is not allowed: the deal has ended as ${state.phase}`;
  const shipment = state.order?.shipments[0];
  if (shipment) {
    return `cancelling is not allowed after shipment ${shipment.number}; goods have left the warehouse and need a credit note`;
  }
  return undefined;
}
