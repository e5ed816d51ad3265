import type { PricedLine } from '../domain/pricing';

/** Every email the deal workflow sends, with the data its template needs. */
export type EmailContent =
  | {
      kind: 'estimate';
      estimateNumber: string;
      revision: number;
      validUntil: string;
      /** Instant the revision expires, which also bounds its portal link. */
      expiresAt: string;
      lines: PricedLine[];
      totals: Totals;
      message?: string;
      /** Link to the customer portal, added by the email activity. */
      portalUrl?: string;
    }
  | { kind: 'order_confirmation'; orderNumber: string; purchaseOrderRef?: string; lines: PricedLine[]; totals: Totals }
  | { kind: 'shipment_notice'; orderNumber: string; shipmentNumber: string; carrier: string; trackingNumber: string; lines: { sku: string; quantity: number }[] }
  | { kind: 'invoice'; invoiceNumber: string; orderNumber: string; issueDate: string; dueDate: string; totals: Totals }
  | { kind: 'payment_receipt'; invoiceNumber: string; amount: string; method: string; reference: string; balance: string }
  | { kind: 'followup_reminder'; channel: string; subject: string; dueAt: string; customer: string }
  | { kind: 'followup_overdue'; channel: string; subject: string; dueAt: string; owner: string; customer: string }
  | { kind: 'assignment_notice'; assignedBy: string; customer: string; opportunityName: string; note?: string }
  | { kind: 'qa_passed'; orderNumber: string; inspector: string; customer: string }
  | { kind: 'cancellation_notice'; documents: string[]; reason: string }
  | { kind: 'payment_reminder'; invoiceNumber: string; dueDate: string; balance: string; currency: string; daysOverdue: number };

export interface Totals {
  subtotal: string;
  tax: string;
  total: string;
  currency: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
}

function lineTable(lines: PricedLine[], currency: string): string {
  const rows = lines.map((line) => {
    const discount = Number(line.discountPercent) > 0 ? ` less ${line.discountPercent}%` : '';
    return `${line.lineNo}. ${line.sku} ${line.description}\n   ${line.quantity} × ${line.unitPrice}${discount} = ${line.net} ${currency}`;
  });
  return rows.join('\n');
}

function totalsBlock(totals: Totals): string {
  return [
    `Subtotal: ${totals.subtotal} ${totals.currency}`,
    `Tax:      ${totals.tax} ${totals.currency}`,
    `Total:    ${totals.total} ${totals.currency}`,
  ].join('\n');
}

/** Renders the subject and plain-text body of an email; `company` signs customer-facing messages. */
export function renderEmail(content: EmailContent, company: string, dealNumber: number): RenderedEmail {
  switch (content.kind) {
    case 'estimate':
      return {
        subject: `Estimate ${content.estimateNumber} rev ${content.revision} from ${company}`,
        text: [
          content.message ?? '',
          `Estimate ${content.estimateNumber}, revision ${content.revision}, valid until ${content.validUntil}.`,
          lineTable(content.lines, content.totals.currency),
          totalsBlock(content.totals),
          content.portalUrl ? `Approve the estimate or ask for changes here:\n${content.portalUrl}` : '',
          company,
        ].join('\n\n'),
      };
    case 'order_confirmation':
      return {
        subject: `Order confirmation ${content.orderNumber}`,
        text: [
          `Thank you for your order${content.purchaseOrderRef ? ` (your reference ${content.purchaseOrderRef})` : ''}.`,
          `Sales order ${content.orderNumber}:`,
          lineTable(content.lines, content.totals.currency),
          totalsBlock(content.totals),
          company,
        ].join('\n\n'),
      };
    case 'shipment_notice':
      return {
        subject: `Shipment notice ${content.shipmentNumber} for order ${content.orderNumber}`,
        text: [
          `Your order ${content.orderNumber} has shipped with ${content.carrier}, tracking number ${content.trackingNumber}.`,
          content.lines.map((line) => `${line.quantity} × ${line.sku}`).join('\n'),
          company,
        ].join('\n\n'),
      };
    case 'invoice':
      return {
        subject: `Invoice ${content.invoiceNumber} from ${company}`,
        text: [
          `Invoice ${content.invoiceNumber} for order ${content.orderNumber}, issued ${content.issueDate}.`,
          totalsBlock(content.totals),
          `Payment is due by ${content.dueDate}.`,
          company,
        ].join('\n\n'),
      };
    case 'payment_receipt':
      return {
        subject: `Payment receipt for invoice ${content.invoiceNumber}`,
        text: [
          `We received your ${content.method} payment of ${content.amount} (reference ${content.reference}).`,
          `Open balance on invoice ${content.invoiceNumber}: ${content.balance}.`,
          company,
        ].join('\n\n'),
      };
    case 'followup_reminder':
      return {
        subject: `Follow-up reminder: ${content.channel} with ${content.customer}`,
        text: `Your ${content.channel} "${content.subject}" for deal ${dealNumber} is due at ${content.dueAt}.`,
      };
    case 'followup_overdue':
      return {
        subject: `Overdue follow-up on deal ${dealNumber}: ${content.channel} with ${content.customer}`,
        text: `${content.owner}'s ${content.channel} "${content.subject}" was due at ${content.dueAt} and is still open.`,
      };
    case 'assignment_notice':
      return {
        subject: `Deal ${dealNumber} assigned to you: ${content.opportunityName}`,
        text: [
          `${content.assignedBy} assigned the opportunity "${content.opportunityName}" with ${content.customer} to you.`,
          content.note ?? '',
        ].join('\n\n'),
      };
    case 'payment_reminder': {
      const when =
        content.daysOverdue < 0
          ? `is due on ${content.dueDate}`
          : content.daysOverdue === 0
            ? `is due today, ${content.dueDate}`
            : `was due on ${content.dueDate} and is ${content.daysOverdue} days overdue`;
      return {
        subject:
          content.daysOverdue > 0
            ? `Overdue: invoice ${content.invoiceNumber}, ${content.daysOverdue} days past due`
            : `Payment reminder: invoice ${content.invoiceNumber}`,
        text: [`Invoice ${content.invoiceNumber} ${when}.`, `Open balance: ${content.balance} ${content.currency}.`, company].join('\n\n'),
      };
    }
    case 'cancellation_notice':
      return {
        subject: `Cancellation of ${content.documents.join(', ')}`,
        text: [
          `We have cancelled ${content.documents.join(', ')}. Reason: ${content.reason}`,
          'No goods will be delivered and nothing is owed for these documents.',
          company,
        ].join('\n\n'),
      };
    case 'qa_passed':
      return {
        subject: `QA passed for order ${content.orderNumber}`,
        text: `${content.inspector} passed the QA inspection of order ${content.orderNumber} for ${content.customer}. It can be released and invoiced.`,
      };
  }
}
