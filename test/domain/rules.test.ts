import {
  type DealSettings,
  type DealState,
  type EstimateRevision,
  type FollowUp,
  type InvoiceSummary,
  type OrderLine,
  type Phase,
  finalPhases,
  initialDealState,
  phases,
} from '../../domain/deal-state';
import * as rules from '../../domain/rules';
import type { PaymentInput } from '../../domain/step-inputs';

const settings: DealSettings = {
  currency: 'USD',
  timeZone: 'America/New_York',
  salesManager: 'dana',
  followUpRemindBefore: 'P1D',
  invoicingPolicy: 'ordered',
  dunning: { remindBeforeDays: 3, overdueDays: [7, 14, 30] },
};

/** 2026-03-10 10:00 in New York, a few days before the estimates below expire. */
const NOW_MS = Date.parse('2026-03-10T14:00:00.000Z');

/** End of 2026-03-15 in New York (EDT, UTC-4). */
const EXPIRES_AT = '2026-03-16T04:00:00.000Z';

function dealIn(phase: Phase): DealState {
  const state = initialDealState(42, 'deal-42', settings);
  state.phase = phase;
  state.owner = 'sofia';
  return state;
}

function revision(number: number, status: EstimateRevision['status']): EstimateRevision {
  return {
    revision: number,
    status,
    validForDays: 5,
    lines: [],
    subtotal: '55896.00',
    tax: '4052.46',
    total: '59948.46',
    sentAt: status === 'draft' ? undefined : '2026-03-10T14:00:00.000Z',
    validUntil: status === 'draft' ? undefined : '2026-03-15',
    expiresAt: status === 'draft' ? undefined : EXPIRES_AT,
  };
}

/** Builds a deal in the estimate phase whose revisions have the given statuses, oldest first. */
function dealWithRevisions(...statuses: EstimateRevision['status'][]): DealState {
  const state = dealIn('estimate');
  state.estimate = { number: 'EST-0042', revisions: statuses.map((status, index) => revision(index + 1, status)) };
  return state;
}

function orderLine(lineNo: number, quantity: number, invoicedQuantity: number): OrderLine {
  return {
    lineNo,
    sku: `SKU-${lineNo}`,
    description: `Item ${lineNo}`,
    kind: 'goods',
    quantity,
    unitPrice: '100.00',
    discountPercent: '0',
    net: (100 * quantity).toFixed(2),
    tax: '0.00',
    reservedQuantity: 0,
    shippedQuantity: quantity,
    invoicedQuantity,
  };
}

/** A goods line whose whole quantity is reserved and not yet shipped. */
function reservedLine(lineNo: number, quantity: number): OrderLine {
  return { ...orderLine(lineNo, quantity, 0), reservedQuantity: quantity, shippedQuantity: 0 };
}

function dealWithOrder(phase: Phase, lines: OrderLine[]): DealState {
  const state = dealIn(phase);
  state.order = {
    number: 'SO-0042',
    status: 'open',
    shippingStatus: 'to_ship',
    estimateRevision: 2,
    lines,
    inspections: [],
    shipments: [],
    subtotal: '0.00',
    tax: '0.00',
    total: '0.00',
  };
  return state;
}

function invoice(number: string, status: InvoiceSummary['status'], balance: string): InvoiceSummary {
  return {
    number,
    status,
    issueDate: '2026-03-20',
    dueDate: '2026-04-19',
    subtotal: '55896.00',
    tax: '4052.46',
    total: '59948.46',
    amountPaid: '0.00',
    balance,
    overdue: false,
    remindersSent: [],
  };
}

/** Builds a fully invoiced deal in the payment phase with the given invoices. */
function dealWithInvoices(...invoices: InvoiceSummary[]): DealState {
  const state = dealWithOrder('payment', [orderLine(1, 1, 1), orderLine(2, 2, 2)]);
  state.invoices = invoices;
  return state;
}

function payment(amount: string, reference: string, invoiceNumber?: string): PaymentInput {
  return { actor: 'finance', amount, method: 'wire', reference, invoiceNumber };
}

function followUp(seq: number, status: FollowUp['status']): FollowUp {
  return {
    seq,
    channel: 'call',
    subject: 'Discuss the lathe configuration',
    owner: 'sofia',
    dueAt: '2026-03-12T15:00:00.000Z',
    remindAt: '2026-03-11T15:00:00.000Z',
    status,
  };
}

interface PhaseCase {
  name: string;
  step: string;
  allowed: Phase[];
  /** Runs the check on a deal that meets every other condition of the step. */
  run: (phase: Phase) => string | undefined;
}

const phaseCases: PhaseCase[] = [
  {
    name: 'checkQualifyLead',
    step: 'qualifying the lead',
    allowed: ['lead'],
    run: (phase) => rules.checkQualifyLead(dealIn(phase)),
  },
  {
    name: 'checkDisqualifyLead',
    step: 'disqualifying the lead',
    allowed: ['lead'],
    run: (phase) => rules.checkDisqualifyLead(dealIn(phase)),
  },
  {
    name: 'checkConvertToOpportunity',
    step: 'converting to an opportunity',
    allowed: ['lead'],
    run: (phase) => rules.checkConvertToOpportunity({ ...dealIn(phase), qualified: true }),
  },
  {
    name: 'checkScheduleFollowUp',
    step: 'scheduling a follow-up',
    allowed: ['opportunity', 'estimate'],
    run: (phase) => rules.checkScheduleFollowUp(dealIn(phase)),
  },
  {
    name: 'checkMoveStage',
    step: 'moving the pipeline stage',
    allowed: ['opportunity'],
    run: (phase) =>
      rules.checkMoveStage({ ...dealIn(phase), stage: 'qualification' }, { actor: 'sofia', to: 'proposal' }),
  },
  {
    name: 'checkAssign',
    step: 'assigning the opportunity',
    allowed: ['opportunity', 'estimate'],
    run: (phase) => rules.checkAssign(dealIn(phase), { actor: 'sofia', to: 'mark' }),
  },
  {
    name: 'checkMarkLost',
    step: 'marking the deal lost',
    allowed: ['lead', 'opportunity', 'estimate'],
    run: (phase) => rules.checkMarkLost(dealIn(phase)),
  },
  {
    name: 'checkCreateEstimate',
    step: 'creating an estimate',
    allowed: ['opportunity'],
    run: (phase) => rules.checkCreateEstimate(dealIn(phase)),
  },
  {
    name: 'checkReviseEstimate',
    step: 'revising the estimate',
    allowed: ['estimate'],
    run: (phase) => rules.checkReviseEstimate({ ...dealWithRevisions('sent'), phase }),
  },
  {
    name: 'checkSendEstimate',
    step: 'sending the estimate',
    allowed: ['estimate'],
    run: (phase) => rules.checkSendEstimate({ ...dealWithRevisions('draft'), phase }),
  },
  {
    name: 'checkRequestChanges',
    step: 'requesting changes',
    allowed: ['estimate'],
    run: (phase) =>
      rules.checkRequestChanges({ ...dealWithRevisions('sent'), phase }, { actor: 'priya', comment: 'Add tooling' }, NOW_MS),
  },
  {
    name: 'checkApproveEstimate',
    step: 'approving the estimate',
    allowed: ['estimate'],
    run: (phase) =>
      rules.checkApproveEstimate({ ...dealWithRevisions('sent'), phase }, { actor: 'priya', acceptedBy: 'Priya Raman' }, NOW_MS),
  },
  {
    name: 'checkConvertToOrder',
    step: 'converting to an order',
    allowed: ['estimate'],
    run: (phase) => rules.checkConvertToOrder({ ...dealWithRevisions('sent', 'approved'), phase }),
  },
  {
    name: 'checkInspection',
    step: 'recording a QA inspection',
    allowed: ['quality'],
    run: (phase) => rules.checkInspection(dealWithOrder(phase, [orderLine(1, 1, 0)])),
  },
  {
    name: 'checkPickRelease',
    step: 'pick release',
    allowed: ['pick_release'],
    run: (phase) => rules.checkPickRelease(dealWithOrder(phase, [reservedLine(1, 1)])),
  },
  {
    name: 'checkShipment',
    step: 'shipping',
    allowed: ['shipping'],
    run: (phase) => rules.checkShipment(dealWithOrder(phase, [reservedLine(1, 1)]), { lines: 'all' }),
  },
  {
    name: 'checkCreateInvoice',
    step: 'creating an invoice',
    allowed: ['quality', 'pick_release', 'shipping', 'invoicing', 'payment'],
    run: (phase) => rules.checkCreateInvoice(dealWithOrder(phase, [orderLine(1, 1, 0), orderLine(2, 2, 0)])),
  },
];

const allowedRows = phaseCases.flatMap((item) => item.allowed.map((phase) => [item.name, phase, item] as const));
const ongoingPhases = phases.filter((phase) => !finalPhases.includes(phase));
const rejectedRows = phaseCases.flatMap((item) =>
  ongoingPhases.filter((phase) => !item.allowed.includes(phase)).map((phase) => [item.name, phase, item] as const),
);
const endedRows = phaseCases.flatMap((item) => finalPhases.map((phase) => [item.name, phase, item] as const));

describe('domain/rules', () => {
  test.each(allowedRows)('%s allows phase %s', (_name, phase, item) => {
    expect(item.run(phase)).toBeUndefined();
  });

  test.each(rejectedRows)('%s rejects phase %s', (_name, phase, item) => {
    expect(item.run(phase)).toBe(`${item.step} is not allowed in phase ${phase}; it needs phase ${item.allowed.join(' or ')}`);
  });

  test.each(endedRows)('%s rejects ended deal %s', (_name, phase, item) => {
    expect(item.run(phase)).toBe(`${item.step} is not allowed: the deal has ended as ${phase}`);
  });

  test('checkCreateLead allows new deal', () => {
    expect(rules.checkCreateLead(dealIn('new'))).toBeUndefined();
  });

  test.each(phases.filter((phase) => phase !== 'new'))('checkCreateLead rejects phase %s', (phase) => {
    expect(rules.checkCreateLead(dealIn(phase))).toBe('the lead of deal 42 already exists');
  });

  test('checkQualifyLead rejects qualified lead', () => {
    const state = { ...dealIn('lead'), qualified: true };
    expect(rules.checkQualifyLead(state)).toBe('the lead is already qualified');
  });

  test('checkConvertToOpportunity needs qualified lead', () => {
    const state = dealIn('lead');
    expect(rules.checkConvertToOpportunity(state)).toBe(
      'the lead must be qualified before it is converted to an opportunity',
    );
  });

  test('checkCloseFollowUp allows open follow-up', () => {
    const state = { ...dealIn('opportunity'), followUps: [followUp(1, 'open')] };
    expect(rules.checkCloseFollowUp(state, 1, 'completing')).toBeUndefined();
  });

  test('checkCloseFollowUp rejects unknown follow-up', () => {
    const state = { ...dealIn('opportunity'), followUps: [followUp(1, 'open')] };
    expect(rules.checkCloseFollowUp(state, 7, 'completing')).toBe('follow-up 7 not found on deal 42');
  });

  test.each([
    ['completing', 'completed'],
    ['completing', 'cancelled'],
    ['cancelling', 'completed'],
    ['cancelling', 'cancelled'],
  ] as const)('checkCloseFollowUp %s already %s', (verb, status) => {
    const state = { ...dealIn('estimate'), followUps: [followUp(1, 'open'), followUp(2, status)] };
    expect(rules.checkCloseFollowUp(state, 2, verb)).toBe(`${verb} follow-up 2 is not allowed: it is already ${status}`);
  });

  // Ending a deal leaves its open follow-ups open, so the check itself must reject them.
  test.each(finalPhases)('checkCloseFollowUp rejects ended deal %s', (phase) => {
    const state = { ...dealIn(phase), followUps: [followUp(1, 'open')] };
    expect(rules.checkCloseFollowUp(state, 1, 'completing')).toContain(`ended as ${phase}`);
  });

  test('checkMoveStage rejects current stage', () => {
    const state = { ...dealIn('opportunity'), stage: 'proposal' as const };
    expect(rules.checkMoveStage(state, { actor: 'sofia', to: 'proposal' })).toBe(
      'the opportunity is already in stage proposal',
    );
  });

  test('checkAssign rejects current owner', () => {
    expect(rules.checkAssign(dealIn('estimate'), { actor: 'dana', to: 'sofia' })).toBe(
      'the opportunity is already assigned to sofia',
    );
  });

  test('checkCreateEstimate rejects second estimate', () => {
    const state = { ...dealWithRevisions('draft'), phase: 'opportunity' as const };
    expect(rules.checkCreateEstimate(state)).toBe('estimate EST-0042 already exists; revise it instead');
  });

  test.each(['draft', 'sent', 'changes_requested', 'expired'] as const)('checkReviseEstimate allows %s revision', (status) => {
    expect(rules.checkReviseEstimate(dealWithRevisions('superseded', status))).toBeUndefined();
  });

  test('checkReviseEstimate rejects approved revision', () => {
    expect(rules.checkReviseEstimate(dealWithRevisions('superseded', 'approved'))).toBe(
      'revision 2 is already approved; convert it to an order',
    );
  });

  test('checkReviseEstimate without estimate', () => {
    expect(rules.checkReviseEstimate(dealIn('estimate'))).toBe('there is no estimate to revise');
  });

  test.each(['sent', 'changes_requested', 'approved', 'expired'] as const)('checkSendEstimate rejects %s revision', (status) => {
    expect(rules.checkSendEstimate(dealWithRevisions('superseded', status))).toBe(
      `revision 2 is ${status}; revise the estimate to send a new revision`,
    );
  });

  test('checkSendEstimate without estimate', () => {
    expect(rules.checkSendEstimate(dealIn('estimate'))).toBe('there is no estimate to send');
  });

  test('checkApproveEstimate allows current revision', () => {
    const state = dealWithRevisions('superseded', 'sent');
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman', revision: 2 }, NOW_MS)).toBeUndefined();
  });

  test('checkApproveEstimate rejects older revision', () => {
    const state = dealWithRevisions('superseded', 'sent');
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman', revision: 1 }, NOW_MS)).toBe(
      'approving the estimate is not allowed on revision 1: the current revision is 2',
    );
  });

  test('checkRequestChanges rejects older revision', () => {
    const state = dealWithRevisions('superseded', 'sent');
    expect(rules.checkRequestChanges(state, { actor: 'priya', comment: 'Cheaper kit', revision: 1 }, NOW_MS)).toBe(
      'requesting changes is not allowed on revision 1: the current revision is 2',
    );
  });

  test('checkApproveEstimate allows before expiry', () => {
    const state = dealWithRevisions('superseded', 'sent');
    const lastMs = Date.parse(EXPIRES_AT) - 1;
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman' }, lastMs)).toBeUndefined();
  });

  test.each([
    ['at expiry', 0],
    ['after expiry', 24 * 60 * 60 * 1000],
  ])('checkApproveEstimate rejects %s', (_case, delayMs) => {
    const state = dealWithRevisions('superseded', 'sent');
    const nowMs = Date.parse(EXPIRES_AT) + delayMs;
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman' }, nowMs)).toBe(
      'revision 2 expired at the end of 2026-03-15; revise and send it again',
    );
  });

  test('checkRequestChanges rejects expired revision', () => {
    const state = dealWithRevisions('sent');
    const nowMs = Date.parse(EXPIRES_AT) + 1;
    expect(rules.checkRequestChanges(state, { actor: 'priya', comment: 'Cheaper kit' }, nowMs)).toBe(
      'revision 1 expired at the end of 2026-03-15; revise and send it again',
    );
  });

  test('checkApproveEstimate rejects draft revision', () => {
    const state = dealWithRevisions('superseded', 'draft');
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman' }, NOW_MS)).toBe(
      'revision 2 has not been sent to the customer yet',
    );
  });

  test.each(['changes_requested', 'approved', 'expired'] as const)('checkApproveEstimate rejects %s revision', (status) => {
    const state = dealWithRevisions('superseded', status);
    expect(rules.checkApproveEstimate(state, { actor: 'priya', acceptedBy: 'Priya Raman' }, NOW_MS)).toBe(
      `revision 2 is ${status}`,
    );
  });

  test('checkApproveEstimate without estimate', () => {
    expect(rules.checkApproveEstimate(dealIn('estimate'), { actor: 'priya', acceptedBy: 'Priya Raman' }, NOW_MS)).toBe(
      'there is no estimate',
    );
  });

  test.each(['draft', 'sent', 'changes_requested', 'expired'] as const)('checkConvertToOrder rejects %s revision', (status) => {
    expect(rules.checkConvertToOrder(dealWithRevisions('superseded', status))).toBe(
      `revision 2 is ${status}; only an approved estimate can become an order`,
    );
  });

  test('checkCreateInvoice allows partly invoiced order', () => {
    const state = dealWithOrder('invoicing', [orderLine(1, 1, 1), orderLine(2, 2, 1)]);
    expect(rules.checkCreateInvoice(state)).toBeUndefined();
  });

  test('checkCreateInvoice rejects fully invoiced order', () => {
    const state = dealWithOrder('invoicing', [orderLine(1, 1, 1), orderLine(2, 2, 2)]);
    expect(rules.checkCreateInvoice(state)).toBe('every line of order SO-0042 is already invoiced');
  });

  test('checkSendInvoice allows draft invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'draft', '59948.46'));
    expect(rules.checkSendInvoice({ ...state, phase: 'invoicing' }, 'INV-0042-1')).toBeUndefined();
  });

  test.each(['sent', 'paid'] as const)('checkSendInvoice rejects %s invoice', (status) => {
    const state = dealWithInvoices(invoice('INV-0042-1', status, '0.00'));
    expect(rules.checkSendInvoice(state, 'INV-0042-1')).toBe('invoice INV-0042-1 was already sent');
  });

  test('checkSendInvoice rejects unknown invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'draft', '59948.46'));
    expect(rules.checkSendInvoice(state, 'INV-0099-1')).toBe('invoice INV-0099-1 not found on deal 42');
  });

  test('checkSendInvoice rejects paid deal', () => {
    const state = { ...dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00')), phase: 'paid' as const };
    expect(rules.checkSendInvoice(state, 'INV-0042-1')).toBe(
      'sending invoice INV-0042-1 is not allowed: the deal has ended as paid',
    );
  });

  test.each(['lost', 'disqualified'] as const)('checkSendInvoice rejects %s deal', (phase) => {
    expect(rules.checkSendInvoice(dealIn(phase), 'INV-0042-1')).toBe(
      `sending invoice INV-0042-1 is not allowed: the deal has ended as ${phase}`,
    );
  });

  test.each([
    ['part of balance', '30000.00', '59948.46'],
    ['whole balance', '59948.46', '59948.46'],
    ['rest of balance', '29948.46', '29948.46'],
    ['shorter digit string', '99.5', '100.00'],
  ])('checkPayment allows %s', (_case, amount, balance) => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', balance));
    expect(rules.checkPayment(state, payment(amount, 'WIRE-2'))).toBeUndefined();
  });

  test.each([
    ['59948.47', '59948.46'],
    ['30000.00', '29948.46'],
    ['100.00', '99.5'],
  ])('checkPayment rejects %s over %s', (amount, balance) => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', balance));
    expect(rules.checkPayment(state, payment(amount, 'WIRE-2'))).toBe(
      `payment of ${amount} exceeds the open balance of ${balance} on invoice INV-0042-1`,
    );
  });

  test('checkPayment rejects paid invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00'));
    expect(rules.checkPayment(state, payment('100.00', 'WIRE-2', 'INV-0042-1'))).toBe(
      'invoice INV-0042-1 is paid and takes no payment',
    );
  });

  test('checkPayment rejects before any invoice sent', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'draft', '59948.46'));
    expect(rules.checkPayment(state, payment('100.00', 'WIRE-2', 'INV-0042-1'))).toBe(
      'recording a payment is not allowed before an invoice of deal 42 is sent',
    );
  });

  test.each(['quality', 'shipping', 'payment'] as const)('checkPayment allows phase %s', (phase) => {
    const state = { ...dealWithInvoices(invoice('INV-0042-1', 'sent', '59948.46')), phase };
    expect(rules.checkPayment(state, payment('30000.00', 'WIRE-1'))).toBeUndefined();
  });

  test.each(finalPhases)('checkPayment rejects ended deal %s', (phase) => {
    const state = { ...dealWithInvoices(invoice('INV-0042-1', 'sent', '59948.46')), phase };
    expect(rules.checkPayment(state, payment('30000.00', 'WIRE-1'))).toBe(
      `recording a payment is not allowed: the deal has ended as ${phase}`,
    );
  });

  test('checkPayment rejects duplicate reference', () => {
    const state = dealWithInvoices({ ...invoice('INV-0042-1', 'sent', '29948.46'), amountPaid: '30000.00' });
    state.payments = [
      { id: 1, invoiceNumber: 'INV-0042-1', amount: '30000.00', method: 'wire', reference: 'WIRE-1', receivedAt: '2026-04-01T15:00:00.000Z' },
    ];
    expect(rules.checkPayment(state, payment('29948.46', 'WIRE-1'))).toBe('a payment with reference WIRE-1 is already recorded');
  });

  test('checkPayment needs invoice among two', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', '30000.00'), invoice('INV-0042-2', 'sent', '29948.46'));
    expect(rules.checkPayment(state, payment('100.00', 'WIRE-2'))).toBe(
      'name the invoice: this deal has more than one open invoice',
    );
  });

  test('checkPayment without open invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00'));
    expect(rules.checkPayment(state, payment('100.00', 'WIRE-2'))).toBe('deal 42 has no open invoice to pay');
  });

  test('checkPayment allows named invoice among two', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', '30000.00'), invoice('INV-0042-2', 'sent', '29948.46'));
    expect(rules.checkPayment(state, payment('29948.46', 'WIRE-2', 'INV-0042-2'))).toBeUndefined();
  });

  test('checkPayment checks named invoice balance', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', '30000.00'), invoice('INV-0042-2', 'sent', '29948.46'));
    expect(rules.checkPayment(state, payment('30000.00', 'WIRE-2', 'INV-0042-2'))).toBe(
      'payment of 30000.00 exceeds the open balance of 29948.46 on invoice INV-0042-2',
    );
  });

  test('checkPayment picks only open invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00'), invoice('INV-0042-2', 'sent', '29948.46'));
    expect(rules.checkPayment(state, payment('29948.46', 'WIRE-2'))).toBeUndefined();
  });

  test('checkPayment rejects unknown invoice', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', '59948.46'));
    expect(rules.checkPayment(state, payment('100.00', 'WIRE-2', 'INV-0099-1'))).toBe('invoice INV-0099-1 not found on deal 42');
  });

  test('isFullyPaid when balances are zero', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00'));
    expect(rules.isFullyPaid(state)).toBe(true);
  });

  test('isFullyPaid accepts unpadded zero', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0'));
    expect(rules.isFullyPaid(state)).toBe(true);
  });

  test('isFullyPaid false with open balance', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'sent', '29948.46'));
    expect(rules.isFullyPaid(state)).toBe(false);
  });

  test('isFullyPaid false with one cent open', () => {
    const state = dealWithInvoices(invoice('INV-0042-1', 'paid', '0.00'), invoice('INV-0042-2', 'sent', '0.01'));
    expect(rules.isFullyPaid(state)).toBe(false);
  });

  test('isFullyPaid false with uninvoiced quantity', () => {
    const state = dealWithOrder('payment', [orderLine(1, 1, 1), orderLine(2, 2, 1)]);
    state.invoices = [invoice('INV-0042-1', 'paid', '0.00')];
    expect(rules.isFullyPaid(state)).toBe(false);
  });

  test('isFullyPaid false without order', () => {
    expect(rules.isFullyPaid(dealIn('payment'))).toBe(false);
  });

  test('isFullyPaid false for empty order', () => {
    expect(rules.isFullyPaid(dealWithOrder('payment', []))).toBe(false);
  });
});
