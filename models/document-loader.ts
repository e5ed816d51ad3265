import type { Database } from './db';
import type { Row } from './definitions';
import type { BusinessDocument, CompanyParty, CustomerParty, DocumentLine, PostalAddress } from '../documents/types';
import { Op, QueryTypes } from 'sequelize';
import { formatAmount, subtractAmount } from '../domain/money';
import { localDate } from '../domain/dates';
import { readCompanySettings } from './company-settings';

/** Names one stored document to render: a document number, plus the revision for estimates. */
export type DocumentRef =
  | { kind: 'estimate'; number: string; revision: number }
  | { kind: 'order_confirmation'; number: string }
  | { kind: 'sales_receipt'; number: string }
  | { kind: 'invoice'; number: string }
  | { kind: 'payment_receipt'; paymentId: number };

export class DocumentNotFoundError extends Error {}

/** File name a document is attached or downloaded under, such as INV-000001.pdf. */
export function documentFileName(ref: DocumentRef): string {
  switch (ref.kind) {
    case 'estimate':
      return `${ref.number}-rev${ref.revision}.pdf`;
    case 'payment_receipt':
      return `payment-${ref.paymentId}.pdf`;
    default:
      return `${ref.number}.pdf`;
  }
}

/**
 * Reads a document and everything printed on it (company, customer, lines, totals) from the database,
 * in the shape the PDF renderer takes. Amounts are formatted to the currency's minor unit.
 */
export async function loadBusinessDocument(db: Database, ref: DocumentRef, timeZone: string): Promise<BusinessDocument> {
  const { models } = db;
  const company = await loadCompany(db);
  const dateOf = (value: unknown) => localDate(new Date(value as string).getTime(), timeZone);

  const requireRow = (row: Row | null, what: string): Row => {
    if (!row) throw new DocumentNotFoundError(`${what} not found`);
    return row;
  };

  switch (ref.kind) {
    case 'estimate': {
      const revision = requireRow(
        await models.EstimateRevision.findOne({ where: { estimateNumber: ref.number, revision: ref.revision } }),
        `estimate ${ref.number} revision ${ref.revision}`,
      );
      const estimate = requireRow(await models.Estimate.findByPk(ref.number), `estimate ${ref.number}`);
      const currency = revision.get('currency') as string;
      return {
        kind: 'estimate',
        number: ref.number,
        revision: ref.revision,
        validUntil: (revision.get('validUntil') as string | null) ?? 'not yet sent',
        notes: (revision.get('notes') as string | null) ?? undefined,
        company,
        customer: await loadCustomerOfDeal(db, estimate.get('dealNumber') as number),
        currency,
        issueDate: dateOf(revision.get('sentAt') ?? revision.get('createdAt')),
        taxRatePercent: String(Number(revision.get('taxRatePercent'))),
        lines: (revision.get('lines') as DocumentLine[]).map((line) => formatLine(line, currency)),
        ...totalsOf(revision, currency),
      };
    }
    case 'order_confirmation':
    case 'sales_receipt': {
      const orderNumber =
        ref.kind === 'sales_receipt'
          ? (requireRow(await models.SalesReceipt.findByPk(ref.number), `sales receipt ${ref.number}`).get('orderNumber') as string)
          : ref.number;
      const order = requireRow(await models.SalesOrder.findByPk(orderNumber), `order ${orderNumber}`);
      const currency = order.get('currency') as string;
      const lines = await models.OrderLine.findAll({ where: { orderNumber }, order: [['lineNo', 'ASC']] });
      const base = {
        company,
        customer: await loadCustomerOfDeal(db, order.get('dealNumber') as number),
        currency,
        lines: lines.map((line) => formatLine(line.get({ plain: true }) as DocumentLine, currency)),
        ...totalsOf(order, currency),
      };
      if (ref.kind === 'sales_receipt') {
        const receipt = await models.SalesReceipt.findByPk(ref.number);
        return { ...base, kind: 'sales_receipt', number: ref.number, orderNumber, issueDate: dateOf(receipt!.get('createdAt')) };
      }
      return {
        ...base,
        kind: 'order_confirmation',
        number: orderNumber,
        purchaseOrderRef: (order.get('purchaseOrderRef') as string | null) ?? undefined,
        issueDate: dateOf(order.get('createdAt')),
      };
    }
    case 'invoice': {
      const invoice = requireRow(await models.Invoice.findByPk(ref.number), `invoice ${ref.number}`);
      const currency = invoice.get('currency') as string;
      const lines = await models.InvoiceLine.findAll({ where: { invoiceNumber: ref.number }, order: [['lineNo', 'ASC']] });
      const customer = await loadCustomerRow(db, invoice.get('dealNumber') as number);
      return {
        kind: 'invoice',
        number: ref.number,
        orderNumber: invoice.get('orderNumber') as string,
        dueDate: invoice.get('dueDate') as string,
        paymentTermsDays: customer.get('paymentTermsDays') as number,
        company,
        customer: toCustomerParty(customer),
        currency,
        issueDate: invoice.get('issueDate') as string,
        taxRatePercent: String(Number(customer.get('taxRatePercent'))),
        lines: lines.map((line) => formatLine(line.get({ plain: true }) as DocumentLine, currency)),
        ...totalsOf(invoice, currency),
      };
    }
    case 'payment_receipt': {
      const payment = requireRow(await models.Payment.findByPk(ref.paymentId), `payment ${ref.paymentId}`);
      const invoice = requireRow(await models.Invoice.findByPk(payment.get('invoiceNumber') as string), 'invoice of the payment');
      const currency = invoice.get('currency') as string;
      // The balance as it stood right after this payment, from the payments recorded up to it.
      const [paid] = await db.sequelize.query<{ paid: string }>(
        'SELECT COALESCE(SUM(amount), 0)::text AS paid FROM payments WHERE invoice_number = :invoice AND id <= :id',
        { replacements: { invoice: invoice.get('number'), id: ref.paymentId }, type: QueryTypes.SELECT },
      );
      const balance = subtractAmount(formatAmount(invoice.get('total') as string, currency), formatAmount(paid.paid, currency), currency);
      return {
        kind: 'payment_receipt',
        invoiceNumber: invoice.get('number') as string,
        amount: formatAmount(payment.get('amount') as string, currency),
        method: payment.get('method') as string,
        reference: payment.get('reference') as string,
        receivedAt: new Date(payment.get('receivedAt') as string).toISOString(),
        balance,
        company,
        customer: await loadCustomerOfDeal(db, invoice.get('dealNumber') as number),
        currency,
        issueDate: dateOf(payment.get('receivedAt')),
      };
    }
  }
}

function totalsOf(row: Row, currency: string) {
  return {
    subtotal: formatAmount(row.get('subtotal') as string, currency),
    tax: formatAmount(row.get('tax') as string, currency),
    total: formatAmount(row.get('total') as string, currency),
  };
}

function formatLine(line: DocumentLine, currency: string): DocumentLine {
  return {
    lineNo: line.lineNo,
    sku: line.sku,
    description: line.description,
    quantity: line.quantity,
    unitPrice: formatAmount(String(line.unitPrice), currency),
    discountPercent: String(Number(line.discountPercent)),
    net: formatAmount(String(line.net), currency),
    tax: formatAmount(String(line.tax), currency),
  };
}

async function loadCompany(db: Database): Promise<CompanyParty> {
  const company = await readCompanySettings(db);
  if (!company) throw new DocumentNotFoundError('company settings not found');
  return {
    name: company.get('name') as string,
    address: company.get('address') as PostalAddress,
    email: company.get('emailFrom') as string,
  };
}

async function loadCustomerRow(db: Database, dealNumber: number): Promise<Row> {
  if (!Number.isSafeInteger(dealNumber)) throw new DocumentNotFoundError(`deal number ${String(dealNumber)} is not an integer`);
  // One query: the deal's customer id comes from a subquery on the integer checked above.
  const customer = await db.models.Customer.findOne({
    where: { id: { [Op.eq]: db.sequelize.literal(`(SELECT customer_id FROM deals WHERE number = ${dealNumber})`) } },
  });
  if (!customer) throw new DocumentNotFoundError(`customer of deal ${dealNumber} not found`);
  return customer;
}

async function loadCustomerOfDeal(db: Database, dealNumber: number): Promise<CustomerParty> {
  return toCustomerParty(await loadCustomerRow(db, dealNumber));
}

function toCustomerParty(customer: Row): CustomerParty {
  return {
    company: customer.get('company') as string,
    contactName: customer.get('contactName') as string,
    billingAddress: customer.get('billingAddress') as PostalAddress,
    shippingAddress: customer.get('shippingAddress') as PostalAddress,
  };
}
