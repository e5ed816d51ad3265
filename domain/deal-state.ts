import type { DocumentTotals, PricedLine } from './pricing';
import type { PipelineStage } from './step-inputs';
import type { DunningSettings } from './dunning';

/**
 * The phases a deal moves through. `paid`, `disqualified`, `lost` and `cancelled` are outcomes: the
 * workflow ends when it reaches one of them.
 */
export const phases = [
  'new',
  'lead',
  'opportunity',
  'estimate',
  'quality',
  'pick_release',
  'shipping',
  'invoicing',
  'payment',
  'paid',
  'disqualified',
  'lost',
  'cancelled',
] as const;
export type Phase = (typeof phases)[number];

export const finalPhases: readonly Phase[] = ['paid', 'disqualified', 'lost', 'cancelled'];

/** Company settings a deal is started with and keeps for its whole life. */
export interface DealSettings {
  currency: string;
  timeZone: string;
  /** User key of the sales manager who hears about overdue follow-ups. */
  salesManager: string;
  /** Default lead time of a follow-up reminder, as an ISO 8601 duration. */
  followUpRemindBefore: string;
  /** Whether invoices bill ordered quantities or only what has shipped. */
  invoicingPolicy: 'ordered' | 'shipped';
  dunning: DunningSettings;
}

export interface CustomerSnapshot {
  id: number;
  company: string;
  contactName: string;
  contactEmail: string;
  taxRatePercent: string;
  paymentTermsDays: number;
}

export interface FollowUp {
  seq: number;
  channel: string;
  subject: string;
  owner: string;
  dueAt: string;
  remindAt: string;
  status: 'open' | 'completed' | 'cancelled';
  outcome?: string;
  ownerRemindedAt?: string;
  managerNotifiedAt?: string;
}

export type RevisionStatus = 'draft' | 'sent' | 'changes_requested' | 'approved' | 'superseded' | 'expired' | 'void';

/**
 * Undo action for a document the deal created. Steps push one as they create the document, and
 * cancellation runs them newest first.
 */
export type Compensation =
  | { kind: 'void_estimate'; estimateNumber: string }
  | { kind: 'void_order'; orderNumber: string }
  | { kind: 'void_receipt'; receiptNumber: string }
  | { kind: 'release_reservations'; orderNumber: string };

export interface EstimateRevision extends DocumentTotals {
  revision: number;
  status: RevisionStatus;
  validForDays: number;
  lines: PricedLine[];
  sentAt?: string;
  validUntil?: string;
  /** Instant at which the estimate expires: the end of `validUntil` in the company's time zone. */
  expiresAt?: string;
  acceptedBy?: string;
  purchaseOrderRef?: string;
}

export interface EstimateSummary {
  number: string;
  revisions: EstimateRevision[];
}

export interface OrderLine extends PricedLine {
  /** Units held in stock for this line and not yet shipped; goods lines only. */
  reservedQuantity: number;
  shippedQuantity: number;
  invoicedQuantity: number;
}

export interface Inspection {
  seq: number;
  result: 'passed' | 'failed';
  inspector: string;
  checklist: string[];
  at: string;
}

export interface OrderSummary extends DocumentTotals {
  number: string;
  status: 'open' | 'cancelled';
  shippingStatus: 'to_ship' | 'partially_shipped' | 'shipped';
  estimateRevision: number;
  purchaseOrderRef?: string;
  lines: OrderLine[];
  inspections: Inspection[];
  salesReceiptNumber?: string;
  shipments: { number: string; carrier: string; trackingNumber: string; at: string; lines: { lineNo: number; quantity: number }[] }[];
}

export interface InvoiceSummary extends DocumentTotals {
  number: string;
  status: 'draft' | 'sent' | 'paid';
  issueDate: string;
  dueDate: string;
  amountPaid: string;
  balance: string;
  overdue: boolean;
  sentAt?: string;
  /** Dunning levels already sent, such as `due` and `overdue-7`. */
  remindersSent: string[];
}

export interface PaymentSummary {
  id: number;
  invoiceNumber: string;
  amount: string;
  method: string;
  reference: string;
  receivedAt: string;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  event: string;
  summary: string;
  documents?: string[];
}

export interface DealState {
  dealNumber: number;
  workflowId: string;
  settings: DealSettings;
  phase: Phase;
  owner: string;
  qualified: boolean;
  customer?: CustomerSnapshot;
  opportunityName?: string;
  stage?: PipelineStage;
  followUps: FollowUp[];
  estimate?: EstimateSummary;
  order?: OrderSummary;
  invoices: InvoiceSummary[];
  payments: PaymentSummary[];
  outcome?: { phase: Phase; reason?: string; at: string };
  compensations: Compensation[];
  /** Sequence number of the last step started; steps whose activity failed leave a gap in the timeline. */
  lastStepSeq: number;
  timeline: TimelineEntry[];
}

export function initialDealState(dealNumber: number, workflowId: string, settings: DealSettings): DealState {
  return {
    dealNumber,
    workflowId,
    settings,
    phase: 'new',
    owner: '',
    qualified: false,
    followUps: [],
    invoices: [],
    payments: [],
    compensations: [],
    lastStepSeq: 0,
    timeline: [],
  };
}

export function latestRevision(state: DealState): EstimateRevision | undefined {
  const revisions = state.estimate?.revisions ?? [];
  return revisions[revisions.length - 1];
}

export function isFinal(phase: Phase): boolean {
  return finalPhases.includes(phase);
}
