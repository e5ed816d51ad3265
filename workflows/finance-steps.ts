import { condition, log, patched } from '@temporalio/workflow';
import type { DealContext } from './context';
import type { DealState, InvoiceSummary } from '../domain/deal-state';
import { localDate } from '../domain/dates';
import { dunningSchedule } from '../domain/dunning';
import * as rules from '../domain/rules';
import { derivePhase, invoiceableQuantities } from '../domain/fulfilment';
import { compareAmounts } from '../domain/money';
import type { CreateInvoiceInput, PaymentInput, SendInvoiceInput } from '../domain/step-inputs';

/** Steps of invoicing and payment. */

/**
 * Patch marker for recording deal.paid in the transaction of the payment that pays the deal. Histories
 * recorded before it ran a second activity for deal.paid, and replay keeps doing so for them.
 */
export const PAYMENT_CLOSES_DEAL_PATCH = 'payment-closes-deal';

const PAID_SUMMARY = 'Every invoice is paid; the deal is closed';

export async function createInvoice(ctx: DealContext, input: CreateInvoiceInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkCreateInvoice(ctx.state),
    async () => {
      const order = ctx.state.order!;
      const { currency, timeZone } = ctx.state.settings;
      const quantities = [...invoiceableQuantities(order, ctx.state.settings.invoicingPolicy)].map(([lineNo, quantity]) => ({ lineNo, quantity }));
      const preview = JSON.parse(JSON.stringify(ctx.state)) as DealState;
      for (const { lineNo, quantity } of quantities) preview.order!.lines.find((line) => line.lineNo === lineNo)!.invoicedQuantity += quantity;
      preview.invoices.push({ status: 'draft', balance: '0' } as InvoiceSummary);
      const record = ctx.nextStep(input.actor, 'invoice.created', `Invoice drafted from order ${order.number}`, {
        phase: derivePhase(preview),
        data: { from: input.from, policy: ctx.state.settings.invoicingPolicy, quantities },
      });
      const { invoice, entry } = await ctx.activities.createInvoice({
        record,
        orderNumber: order.number,
        quantities,
        issueDate: localDate(Date.now(), timeZone),
        paymentTermsDays: ctx.state.customer!.paymentTermsDays,
        taxRatePercent: ctx.state.customer!.taxRatePercent,
        currency,
      });
      ctx.applyStep(record, entry);
      for (const { lineNo, quantity } of quantities) order.lines.find((line) => line.lineNo === lineNo)!.invoicedQuantity += quantity;
      ctx.state.invoices.push(invoice);
      return ctx.state;
    },
  );
}

export async function sendInvoice(ctx: DealContext, invoiceNumber: string, input: SendInvoiceInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkSendInvoice(ctx.state, invoiceNumber),
    async () => {
      const invoice = ctx.state.invoices.find((candidate) => candidate.number === invoiceNumber)!;
      const to = ctx.customerRecipient(input.to);
      const preview = JSON.parse(JSON.stringify(ctx.state)) as DealState;
      preview.invoices.find((candidate) => candidate.number === invoiceNumber)!.status = 'sent';
      const record = ctx.nextStep(input.actor, 'invoice.sent', `Invoice ${invoice.number} sent to ${to.address}, due ${invoice.dueDate}`, {
        phase: derivePhase(preview),
        data: { invoiceNumber, to: to.address },
      });
      ctx.applyStep(record, await ctx.activities.markInvoiceSent({ record, invoiceNumber }));
      invoice.status = 'sent';
      invoice.sentAt = record.entry.at;
      await ctx.sendEmail(record.key, to, {
        kind: 'invoice',
        invoiceNumber,
        orderNumber: ctx.state.order!.number,
        issueDate: invoice.issueDate,
        dueDate: invoice.dueDate,
        totals: { subtotal: invoice.subtotal, tax: invoice.tax, total: invoice.total, currency: ctx.state.settings.currency },
      }, { kind: 'invoice', number: invoiceNumber });
      void runDunning(ctx, invoice);
      return ctx.state;
    },
  );
}

/**
 * Sends the invoice's payment reminders as their days come: before the due date, on it, and at each
 * overdue level, marking the invoice overdue once its due date has passed. Paying the invoice ends the
 * wait. Levels already sent are skipped, so a run that continued as new does not repeat them.
 */
export async function runDunning(ctx: DealContext, invoice: InvoiceSummary): Promise<void> {
  const { timeZone, dunning, currency } = ctx.state.settings;
  const settled = () => invoice.status === 'paid' || ctx.state.outcome !== undefined;
  for (const step of dunningSchedule(invoice.dueDate, timeZone, dunning)) {
    if (invoice.remindersSent.includes(step.level)) continue;
    if (await condition(settled, Math.max(1, step.at - Date.now()))) return;
    await ctx.exclusive(
      () => undefined,
      async () => {
        if (settled() || invoice.remindersSent.includes(step.level)) return;
        const overdue = step.daysOverdue > 0;
        const summary = overdue
          ? `Invoice ${invoice.number} is ${step.daysOverdue} days overdue with ${invoice.balance} open; reminder sent`
          : `Payment reminder for invoice ${invoice.number} (${step.level}) sent`;
        const record = ctx.nextStep('system', overdue ? 'invoice.overdue_reminder_sent' : 'invoice.reminder_sent', summary, {
          data: { invoiceNumber: invoice.number, level: step.level, balance: invoice.balance },
        });
        ctx.applyStep(record, await ctx.activities.recordDealStep(record));
        invoice.remindersSent.push(step.level);
        if (overdue) invoice.overdue = true;
        await ctx.sendEmail(record.key, ctx.customerRecipient(), {
          kind: 'payment_reminder',
          invoiceNumber: invoice.number,
          dueDate: invoice.dueDate,
          balance: invoice.balance,
          currency,
          daysOverdue: step.daysOverdue,
        });
      },
    );
  }
}

/**
 * Records a payment and emails the receipt. When every invoice is paid and nothing is left to invoice,
 * the deal ends as paid.
 */
export async function recordPayment(ctx: DealContext, input: PaymentInput): Promise<DealState> {
  return ctx.exclusive(
    () => rules.checkPayment(ctx.state, input),
    async () => {
      const invoice = rules.findPayableInvoice(ctx.state, input.invoiceNumber)!;
      const { currency } = ctx.state.settings;
      const record = ctx.nextStep(input.actor, 'payment.recorded', `${input.method} payment of ${input.amount} on ${invoice.number}, reference ${input.reference}`, {
        data: { invoiceNumber: invoice.number, amount: input.amount, method: input.method, reference: input.reference },
      });
      const closing = paysDeal(ctx.state, invoice, input.amount) && patched(PAYMENT_CLOSES_DEAL_PATCH)
        ? ctx.nextStep('system', 'deal.paid', PAID_SUMMARY, { phase: 'paid' })
        : undefined;
      const { payment, entry } = await ctx.activities.recordPayment({
        record,
        invoiceNumber: invoice.number,
        amount: input.amount,
        method: input.method,
        reference: input.reference,
        recordedBy: input.actor,
        currency,
        ...(closing ? { closing } : {}),
      });
      ctx.applyStep(record, entry);
      Object.assign(invoice, { amountPaid: payment.amountPaid, balance: payment.balance, status: payment.status });
      ctx.state.payments.push({
        id: payment.paymentId,
        invoiceNumber: invoice.number,
        amount: payment.amount,
        method: input.method,
        reference: input.reference,
        receivedAt: entry.at,
      });
      await ctx.sendEmail(record.key, ctx.customerRecipient(), {
        kind: 'payment_receipt',
        invoiceNumber: invoice.number,
        amount: payment.amount,
        method: input.method,
        reference: input.reference,
        balance: payment.balance,
      }, { kind: 'payment_receipt', paymentId: payment.paymentId });

      if (closing && payment.closingEntry) {
        ctx.applyStep(closing, payment.closingEntry);
        ctx.state.outcome = { phase: 'paid', at: payment.closingEntry.at };
      } else if (derivePhase(ctx.state) === 'paid') {
        await markPaid(ctx);
      }
      return ctx.state;
    },
  );
}

/** Returns whether paying `amount` on `invoice` leaves every invoice paid, nothing to invoice and all goods shipped. */
function paysDeal(state: DealState, invoice: InvoiceSummary, amount: string): boolean {
  if (compareAmounts(amount, invoice.balance) !== 0) return false;
  const after = { ...state, invoices: state.invoices.map((candidate) => (candidate === invoice ? { ...candidate, balance: '0' } : candidate)) };
  return derivePhase(after) === 'paid';
}

async function markPaid(ctx: DealContext): Promise<void> {
  const record = ctx.nextStep('system', 'deal.paid', PAID_SUMMARY, { phase: 'paid' });
  const entry = await ctx.activities.recordDealStep(record);
  ctx.applyStep(record, entry);
  ctx.state.outcome = { phase: 'paid', at: entry.at };
}

/**
 * Handles a payment notice from a bank or payment provider. A signal cannot be rejected, so a notice the
 * rules do not allow (a repeated reference, an overpayment) is logged and dropped, leaving the deal unchanged.
 */
export async function handlePaymentNotice(ctx: DealContext, input: PaymentInput): Promise<void> {
  const reason = rules.checkPayment(ctx.state, input);
  if (reason) {
    log.warn('payment notice ignored', { dealNumber: ctx.state.dealNumber, reference: input.reference, reason });
    return;
  }
  try {
    await recordPayment(ctx, input);
  } catch (error) {
    log.warn('payment notice not recorded', { dealNumber: ctx.state.dealNumber, reference: input.reference, error: String(error) });
  }
}
