import fs from 'node:fs';
import path from 'node:path';
import { addDays, parseIsoDuration } from '../../domain/dates';
import { subtractAmount } from '../../domain/money';
import { type CatalogueItem, type LineRequest, type PricedDocument, priceLines } from '../../domain/pricing';
import type {
  CompanyParty,
  CustomerParty,
  EstimateDocument,
  InvoiceDocument,
  OrderConfirmationDocument,
  PaymentReceiptDocument,
  PostalAddress,
  SalesReceiptDocument,
} from '../../documents/types';

/**
 * Builds one document of each kind from scenarios/glocial-machineries.json, as the deal workflow would
 * issue them: estimate revision 2, the order confirmation, the sales receipt, the invoice and both
 * payment receipts. Document numbers follow the platform's PREFIX-NNNNNN form.
 */

export interface ScenarioFile {
  company: { name: string; currency: string; address: PostalAddress; emailFrom: string };
  products: CatalogueItem[];
  customer: {
    company: string;
    contact: { name: string; email: string };
    billingAddress: PostalAddress;
    shippingAddress: PostalAddress;
    taxRatePercent: string;
    paymentTermsDays: number;
  };
  steps: { at: string; actor: string; event: string; data: Record<string, unknown> }[];
  expected: {
    order: {
      lines: { sku: string; quantity: number; unitPrice: string; discountPercent?: string; net: string }[];
      subtotal: string;
      tax: string;
      total: string;
    };
    payments: string[];
    finalBalance: string;
  };
}

const scenarioPath = path.join(__dirname, '..', '..', 'scenarios', 'glocial-machineries.json');
export const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as ScenarioFile;

/** Calendar date of the scenario's first step, from which the step offsets are counted. */
export const SCENARIO_START = '2026-03-02';
const DAY_MS = 24 * 60 * 60 * 1000;

export const company: CompanyParty = {
  name: scenario.company.name,
  address: scenario.company.address,
  email: scenario.company.emailFrom,
};

export const customer: CustomerParty = {
  company: scenario.customer.company,
  contactName: scenario.customer.contact.name,
  billingAddress: scenario.customer.billingAddress,
  shippingAddress: scenario.customer.shippingAddress,
};

const currency = scenario.company.currency;
const taxRatePercent = scenario.customer.taxRatePercent;
export const catalogue = new Map(scenario.products.map((item) => [item.sku, item]));

function stepsOf(event: string): ScenarioFile['steps'] {
  const steps = scenario.steps.filter((step) => step.event === event);
  if (steps.length === 0) throw new Error(`scenario has no "${event}" step`);
  return steps;
}

/** Returns the calendar date of a step, counting whole days from SCENARIO_START. */
function dateOf(step: ScenarioFile['steps'][number]): string {
  return addDays(SCENARIO_START, Math.floor(parseIsoDuration(step.at) / DAY_MS));
}

function pricedLinesOf(step: ScenarioFile['steps'][number]): PricedDocument {
  return priceLines(step.data.lines as LineRequest[], catalogue, taxRatePercent, currency);
}

const created = stepsOf('estimate.created')[0];
const revised = stepsOf('estimate.revised')[0];
const sentRevision2 = stepsOf('estimate.sent')[1];
const approved = stepsOf('estimate.approved')[0];
const converted = stepsOf('estimate.converted_to_order')[0];
const released = stepsOf('order.pick_released')[0];
const invoiced = stepsOf('invoice.created')[0];
const payments = stepsOf('payment.recorded');

const priced = pricedLinesOf(revised);
const pricedFields = {
  lines: priced.lines,
  subtotal: priced.subtotal,
  tax: priced.tax,
  total: priced.total,
  taxRatePercent: priced.taxRatePercent,
};

const estimateIssueDate = dateOf(sentRevision2);
export const estimate: EstimateDocument = {
  kind: 'estimate',
  company,
  customer,
  currency,
  issueDate: estimateIssueDate,
  number: 'EST-000001',
  revision: 2,
  validUntil: addDays(estimateIssueDate, created.data.validForDays as number),
  notes: created.data.notes as string,
  ...pricedFields,
};

export const orderConfirmation: OrderConfirmationDocument = {
  kind: 'order_confirmation',
  company,
  customer,
  currency,
  issueDate: dateOf(converted),
  number: 'SO-000001',
  purchaseOrderRef: approved.data.purchaseOrderRef as string,
  ...pricedFields,
};

export const salesReceipt: SalesReceiptDocument = {
  kind: 'sales_receipt',
  company,
  customer,
  currency,
  issueDate: dateOf(released),
  number: 'SR-000001',
  orderNumber: 'SO-000001',
  ...pricedFields,
};

const invoiceIssueDate = dateOf(invoiced);
export const invoice: InvoiceDocument = {
  kind: 'invoice',
  company,
  customer,
  currency,
  issueDate: invoiceIssueDate,
  number: 'INV-000001',
  orderNumber: 'SO-000001',
  dueDate: addDays(invoiceIssueDate, scenario.customer.paymentTermsDays),
  paymentTermsDays: scenario.customer.paymentTermsDays,
  ...pricedFields,
};

/** One receipt per recorded payment. An amount of "balance" pays whatever is still open. */
export const paymentReceipts: PaymentReceiptDocument[] = [];
let openBalance = priced.total;
for (const payment of payments) {
  const amount = payment.data.amount === 'balance' ? openBalance : (payment.data.amount as string);
  openBalance = subtractAmount(openBalance, amount, currency);
  const receivedOn = dateOf(payment);
  paymentReceipts.push({
    kind: 'payment_receipt',
    company,
    customer,
    currency,
    issueDate: receivedOn,
    invoiceNumber: 'INV-000001',
    amount,
    method: payment.data.method as string,
    reference: payment.data.reference as string,
    receivedAt: receivedOn,
    balance: openBalance,
  });
}
