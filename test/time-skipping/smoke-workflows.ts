import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** Workflow for the time-skipping smoke test: an invoice that waits 30 days for payment before dunning. */

export interface SmokeInvoice {
  invoiceNumber: string;
  amountCents: number;
}

export interface SmokeInvoiceState {
  invoiceNumber: string;
  amountCents: number;
  paidCents: number;
  notes: string[];
  status: 'open' | 'paid' | 'overdue';
  /** Workflow time, which the test server moves forward when it skips time. */
  openedAt: string;
  closedAt?: string;
}

export interface DunningNotice {
  invoiceNumber: string;
  outstandingCents: number;
  /** Workflow time when the notice was requested. */
  sentAt: string;
}

export interface SmokeActivities {
  sendDunningNotice(notice: DunningNotice): Promise<void>;
}

export const PAYMENT_TERM = '30 days';

export const recordPayment = defineUpdate<SmokeInvoiceState, [number]>('recordPayment');
export const addNote = defineSignal<[string]>('addNote');
export const getInvoice = defineQuery<SmokeInvoiceState>('getInvoice');

const { sendDunningNotice } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '1 minute' });

/**
 * Waits up to 30 days for full payment. Payments arrive as updates whose validator rejects amounts that
 * are not positive or exceed the outstanding balance. An invoice still unpaid at the due date gets one
 * dunning notice and ends as overdue.
 */
export async function invoiceDueWorkflow(invoice: SmokeInvoice): Promise<SmokeInvoiceState> {
  const state: SmokeInvoiceState = {
    invoiceNumber: invoice.invoiceNumber,
    amountCents: invoice.amountCents,
    paidCents: 0,
    notes: [],
    status: 'open',
    openedAt: new Date().toISOString(),
  };

  setHandler(getInvoice, () => state);
  setHandler(addNote, (note) => {
    state.notes.push(note);
  });
  setHandler(
    recordPayment,
    (amountCents) => {
      state.paidCents += amountCents;
      return state;
    },
    {
      validator: (amountCents) => {
        if (!Number.isInteger(amountCents) || amountCents <= 0) {
          throw new Error(`invalid payment ${amountCents}: expected a positive whole number of cents`);
        }
        const outstandingCents = state.amountCents - state.paidCents;
        if (amountCents > outstandingCents) {
          throw new Error(`invalid payment ${amountCents}: exceeds the outstanding ${outstandingCents} cents`);
        }
      },
    },
  );

  const paid = await condition(() => state.paidCents >= state.amountCents, PAYMENT_TERM);
  if (!paid) {
    await sendDunningNotice({
      invoiceNumber: state.invoiceNumber,
      outstandingCents: state.amountCents - state.paidCents,
      sentAt: new Date().toISOString(),
    });
  }

  state.status = paid ? 'paid' : 'overdue';
  state.closedAt = new Date().toISOString();
  return state;
}
