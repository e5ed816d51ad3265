import type { DocumentTotals, PricedLine } from '../domain/pricing';

/**
 * The business documents a deal produces, as the PDF renderer takes them. Amounts are decimal strings
 * ("59948.46") and are printed exactly as given. Dates are calendar dates (YYYY-MM-DD).
 */

/** Postal address with the fields the customer API accepts. */
export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2 code, such as US. */
  country: string;
}

/** Seller named in the document header. */
export interface CompanyParty {
  name: string;
  address: PostalAddress;
  email: string;
}

/** Buyer named in the bill-to and ship-to blocks. */
export interface CustomerParty {
  company: string;
  contactName: string;
  billingAddress: PostalAddress;
  shippingAddress: PostalAddress;
}

/** Numbered document line. A `PricedLine` from `priceLines` fits as it is. */
export type DocumentLine = Pick<
  PricedLine,
  'lineNo' | 'sku' | 'description' | 'quantity' | 'unitPrice' | 'discountPercent' | 'net' | 'tax'
>;

interface DocumentBase {
  company: CompanyParty;
  customer: CustomerParty;
  /** ISO 4217 code of every amount on the document. */
  currency: string;
  /** Date the document is issued on, which the renderer also writes as the PDF creation date. */
  issueDate: string;
}

/** Fields of every document that lists priced lines. Subtotal, tax and total are printed as given. */
interface LineDocumentBase extends DocumentBase, DocumentTotals {
  lines: DocumentLine[];
  /** Tax rate printed beside the tax total, such as "7.25". Without it the label reads "Tax". */
  taxRatePercent?: string;
}

export interface EstimateDocument extends LineDocumentBase {
  kind: 'estimate';
  number: string;
  revision: number;
  validUntil: string;
  notes?: string;
}

export interface OrderConfirmationDocument extends LineDocumentBase {
  kind: 'order_confirmation';
  /** Sales order number. */
  number: string;
  /** Customer's purchase order number. */
  purchaseOrderRef?: string;
}

export interface SalesReceiptDocument extends LineDocumentBase {
  kind: 'sales_receipt';
  number: string;
  orderNumber: string;
}

export interface InvoiceDocument extends LineDocumentBase {
  kind: 'invoice';
  number: string;
  orderNumber: string;
  dueDate: string;
  /** Days from the issue date to the due date, printed as the payment terms ("Net 30 days"). */
  paymentTermsDays: number;
}

export interface PaymentReceiptDocument extends DocumentBase {
  kind: 'payment_receipt';
  invoiceNumber: string;
  amount: string;
  /** Payment method, such as `wire` or `ach`, printed as a label ("Wire transfer") for the methods the API accepts. */
  method: string;
  /** Bank or card reference of the payment. */
  reference: string;
  /** Calendar date, or ISO 8601 instant with `Z` or an offset, which is printed in UTC. */
  receivedAt: string;
  /** Amount still open on the invoice after this payment. */
  balance: string;
}

export type BusinessDocument =
  | EstimateDocument
  | OrderConfirmationDocument
  | SalesReceiptDocument
  | InvoiceDocument
  | PaymentReceiptDocument;

export type DocumentKind = BusinessDocument['kind'];

/** Document kinds that list priced lines and totals. */
export type LineDocument = Exclude<BusinessDocument, PaymentReceiptDocument>;
