import { isZero } from '../domain/money';
import { isCalendarDate } from './validate';
import type { BusinessDocument, InvoiceDocument, PaymentReceiptDocument } from './types';

/** Label and value printed in the header block under the title. */
export interface DocumentFact {
  label: string;
  value: string;
}

/** Kind-specific text of a document: everything the layout prints that differs between kinds. */
export interface DocumentHeading {
  /** Document type as printed large in the header, such as "Estimate". */
  title: string;
  /** Number as customers quote it, such as "EST-000001 rev 2", printed under the title. */
  reference: string;
  /** Title and reference as one phrase, for the running header, the footer and the PDF Title. */
  name: string;
  facts: DocumentFact[];
  /** Paragraphs printed after the amounts. */
  remarks: string[];
}

/** Labels for the payment methods the API accepts. Any other method is printed as given. */
const paymentMethodLabels: Record<string, string> = {
  wire: 'Wire transfer',
  ach: 'ACH transfer',
  card: 'Card',
  check: 'Check',
  cash: 'Cash',
};

export function paymentMethodLabel(method: string): string {
  return paymentMethodLabels[method] ?? method;
}

/** Formats payment terms: "Net 30 days", or "Due on receipt" for zero days. */
export function paymentTerms(days: number): string {
  if (days === 0) return 'Due on receipt';
  return `Net ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** Formats a calendar date as given, and an instant as its UTC date and time ("2026-04-16 09:30 UTC"). */
export function formatDateOrInstant(value: string): string {
  if (isCalendarDate(value)) return value;
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Builds the title, reference, header facts and closing remarks for a document's kind. */
export function describeDocument(doc: BusinessDocument): DocumentHeading {
  switch (doc.kind) {
    case 'estimate': {
      const reference = `${doc.number} rev ${doc.revision}`;
      const remarks = [`This estimate is valid until ${doc.validUntil}.`];
      if (doc.notes) remarks.push(doc.notes);
      return {
        title: 'Estimate',
        reference,
        name: `Estimate ${reference}`,
        facts: [
          { label: 'Estimate date', value: doc.issueDate },
          { label: 'Valid until', value: doc.validUntil },
        ],
        remarks,
      };
    }
    case 'order_confirmation': {
      const facts = [{ label: 'Order date', value: doc.issueDate }];
      if (doc.purchaseOrderRef) facts.push({ label: 'Your order', value: doc.purchaseOrderRef });
      const yourReference = doc.purchaseOrderRef ? ` ${doc.purchaseOrderRef}` : '';
      return {
        title: 'Order confirmation',
        reference: doc.number,
        name: `Order confirmation ${doc.number}`,
        facts,
        remarks: [`Thank you for your order${yourReference}. This confirms the lines and prices above.`],
      };
    }
    case 'sales_receipt':
      return {
        title: 'Sales receipt',
        reference: doc.number,
        name: `Sales receipt ${doc.number}`,
        facts: [
          { label: 'Receipt date', value: doc.issueDate },
          { label: 'Sales order', value: doc.orderNumber },
        ],
        remarks: [`Sales receipt for sales order ${doc.orderNumber}.`],
      };
    case 'invoice':
      return describeInvoice(doc);
    case 'payment_receipt':
      return describePaymentReceipt(doc);
  }
}

function describeInvoice(doc: InvoiceDocument): DocumentHeading {
  const terms = paymentTerms(doc.paymentTermsDays);
  return {
    title: 'Invoice',
    reference: doc.number,
    name: `Invoice ${doc.number}`,
    facts: [
      { label: 'Invoice date', value: doc.issueDate },
      { label: 'Due date', value: doc.dueDate },
      { label: 'Payment terms', value: terms },
      { label: 'Sales order', value: doc.orderNumber },
    ],
    remarks: [
      `Payment terms: ${terms.toLowerCase()}. Please pay ${doc.total} ${doc.currency} by ${doc.dueDate} ` +
        `and quote invoice ${doc.number} with your payment.`,
    ],
  };
}

function describePaymentReceipt(doc: PaymentReceiptDocument): DocumentHeading {
  const balanceRemark = isZero(doc.balance)
    ? `Invoice ${doc.invoiceNumber} is paid in full.`
    : `A balance of ${doc.balance} ${doc.currency} remains open on invoice ${doc.invoiceNumber}.`;
  return {
    title: 'Payment receipt',
    reference: `Invoice ${doc.invoiceNumber}`,
    name: `Payment receipt for invoice ${doc.invoiceNumber}`,
    facts: [
      { label: 'Receipt date', value: doc.issueDate },
      { label: 'Payment reference', value: doc.reference },
    ],
    remarks: [`Thank you for your payment of ${doc.amount} ${doc.currency}. ${balanceRemark}`],
  };
}
