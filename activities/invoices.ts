import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../models/db';
import type { InvoiceSummary, TimelineEntry } from '../domain/deal-state';
import { compareAmounts, formatAmount, subtractAmount, addAmounts, isZero } from '../domain/money';
import { priceQuantity, sumLines } from '../domain/pricing';
import { addDays } from '../domain/dates';
import { inStepTransaction, nextDocumentNumber, recordStepInTransaction, type StepRecord } from './step-record';

export interface CreateInvoiceInput {
  record: StepRecord;
  orderNumber: string;
  /** Quantity to bill per order line, as the invoicing policy allows. */
  quantities: { lineNo: number; quantity: number }[];
  issueDate: string;
  paymentTermsDays: number;
  taxRatePercent: string;
  currency: string;
}

export interface RecordPaymentInput {
  record: StepRecord;
  invoiceNumber: string;
  amount: string;
  method: string;
  reference: string;
  recordedBy: string;
  currency: string;
  /**
   * The deal.paid step, sent when this payment pays the deal. It is written in the same transaction if
   * the payment leaves the invoice paid.
   */
  closing?: StepRecord;
}

export interface PaymentResult {
  paymentId: number;
  amount: string;
  amountPaid: string;
  balance: string;
  status: InvoiceSummary['status'];
  /** Timeline entry of the `closing` step, when it was written. */
  closingEntry?: TimelineEntry;
}

/** Activities for invoices and payments. */
export function createInvoiceActivities(db: Database) {
  const { OrderLine, Invoice, InvoiceLine, Payment } = db.models;

  /**
   * Invoices the given quantities of the order's lines. The order lines are locked for the transaction
   * and each quantity is checked against what is not yet invoiced, so no quantity is billed twice.
   */
  async function createInvoice(input: CreateInvoiceInput): Promise<{ invoice: InvoiceSummary; entry: TimelineEntry }> {
    const { result: invoice, entry } = await inStepTransaction<InvoiceSummary>(db, input.record, async (transaction) => {
      const orderLines = await OrderLine.findAll({
        where: { orderNumber: input.orderNumber },
        order: [['lineNo', 'ASC']],
        lock: true,
        transaction,
      });
      if (input.quantities.length === 0) {
        throw ApplicationFailure.nonRetryable(`nothing on order ${input.orderNumber} to invoice`, 'NothingToInvoice');
      }
      const billed = input.quantities.map(({ lineNo, quantity }) => {
        const line = orderLines.find((candidate) => candidate.get('lineNo') === lineNo);
        const open = line ? (line.get('quantity') as number) - (line.get('invoicedQuantity') as number) : 0;
        if (!line || quantity > open) {
          throw ApplicationFailure.nonRetryable(
            `line ${lineNo} of order ${input.orderNumber} has ${open} left to invoice, not ${quantity}`,
            'AlreadyInvoiced',
          );
        }
        return { line, quantity };
      });
      const lines = billed.map(({ line, quantity }, index) => {
        const ordered = line.get('quantity') as number;
        const whole = { net: line.get('net') as string, tax: line.get('tax') as string };
        const amounts =
          quantity === ordered
            ? whole
            : priceQuantity(
                line.get('unitPrice') as string,
                quantity,
                line.get('discountPercent') as string,
                input.taxRatePercent,
                input.currency,
              );
        return {
          lineNo: index + 1,
          orderLineNo: line.get('lineNo') as number,
          sku: line.get('sku') as string,
          description: line.get('description') as string,
          quantity,
          unitPrice: line.get('unitPrice') as string,
          discountPercent: line.get('discountPercent') as string,
          net: formatAmount(amounts.net, input.currency),
          tax: formatAmount(amounts.tax, input.currency),
        };
      });
      const totals = sumLines(lines, input.currency);
      const number = await nextDocumentNumber(db, 'invoice_number_seq', 'INV', transaction);
      const dueDate = addDays(input.issueDate, input.paymentTermsDays);
      await Invoice.create(
        {
          number,
          dealNumber: input.record.dealNumber,
          orderNumber: input.orderNumber,
          issueDate: input.issueDate,
          dueDate,
          currency: input.currency,
          ...totals,
          amountPaid: '0',
          status: 'draft',
          idempotencyKey: input.record.key,
          createdAt: input.record.entry.at,
        },
        { transaction },
      );
      await InvoiceLine.bulkCreate(
        lines.map((line) => ({ ...line, invoiceNumber: number })),
        { transaction },
      );
      // One statement for all lines; the CHECK on invoiced_quantity still guards each.
      await db.sequelize.query(
        `UPDATE order_lines AS line SET invoiced_quantity = line.invoiced_quantity + billed.quantity
         FROM unnest(ARRAY[:lineNos]::integer[], ARRAY[:quantities]::integer[]) AS billed (line_no, quantity)
         WHERE line.order_number = :orderNumber AND line.line_no = billed.line_no`,
        {
          replacements: {
            orderNumber: input.orderNumber,
            lineNos: lines.map((line) => line.orderLineNo),
            quantities: lines.map((line) => line.quantity),
          },
          transaction,
        },
      );
      const summary: InvoiceSummary = {
        number,
        status: 'draft',
        issueDate: input.issueDate,
        dueDate,
        ...totals,
        amountPaid: formatAmount('0', input.currency),
        balance: totals.total,
        overdue: false,
        remindersSent: [],
      };
      return { result: summary, documents: [number] };
    });
    return { invoice, entry };
  }

  async function markInvoiceSent(input: { record: StepRecord; invoiceNumber: string }): Promise<TimelineEntry> {
    const { entry } = await inStepTransaction(db, input.record, async (transaction) => {
      const [count] = await Invoice.update(
        { status: 'sent', sentAt: input.record.entry.at },
        { where: { number: input.invoiceNumber, status: 'draft' }, transaction },
      );
      if (count !== 1) {
        throw ApplicationFailure.nonRetryable(`invoice ${input.invoiceNumber} is not a draft`, 'NotDraft');
      }
      return { result: undefined, documents: [input.invoiceNumber] };
    });
    return entry;
  }

  /**
   * Records a payment against an invoice. The invoice row is locked first, so concurrent payments see
   * each other's amounts and together can never exceed the total.
   */
  async function recordPayment(input: RecordPaymentInput): Promise<{ payment: PaymentResult; entry: TimelineEntry }> {
    const { result: payment, entry } = await inStepTransaction<PaymentResult>(db, input.record, async (transaction) => {
      const invoice = await Invoice.findByPk(input.invoiceNumber, { lock: true, transaction });
      if (!invoice) throw ApplicationFailure.nonRetryable(`invoice ${input.invoiceNumber} not found`, 'NotFound');
      const total = invoice.get('total') as string;
      const paidBefore = invoice.get('amountPaid') as string;
      const balanceBefore = subtractAmount(total, paidBefore, input.currency);
      if (compareAmounts(input.amount, balanceBefore) > 0) {
        throw ApplicationFailure.nonRetryable(
          `payment of ${input.amount} exceeds the open balance of ${balanceBefore} on invoice ${input.invoiceNumber}`,
          'Overpayment',
        );
      }
      const row = await Payment.create(
        {
          invoiceNumber: input.invoiceNumber,
          amount: input.amount,
          method: input.method,
          reference: input.reference,
          recordedBy: input.recordedBy,
          receivedAt: input.record.entry.at,
          idempotencyKey: input.record.key,
        },
        { transaction },
      );
      const amountPaid = addAmounts([paidBefore, input.amount], input.currency);
      const balance = subtractAmount(total, amountPaid, input.currency);
      const status = isZero(balance) ? 'paid' : 'sent';
      await invoice.update({ amountPaid, status }, { transaction });
      const closingEntry = input.closing && status === 'paid' ? await recordStepInTransaction(db, input.closing, transaction) : undefined;
      const result: PaymentResult = {
        paymentId: row.get('id') as number,
        amount: formatAmount(input.amount, input.currency),
        amountPaid,
        balance,
        status,
        ...(closingEntry ? { closingEntry } : {}),
      };
      return { result, documents: [input.invoiceNumber], ...(closingEntry ? { phase: input.closing!.phase } : {}) };
    });
    return { payment, entry };
  }

  return { createInvoice, markInvoiceSent, recordPayment };
}
