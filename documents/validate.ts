import { isCurrencyCode, isDecimalString } from '../domain/money';
import { findUnprintableCharacter } from './charset';
import type { BusinessDocument, DocumentLine, PostalAddress } from './types';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const documentKinds = ['estimate', 'order_confirmation', 'sales_receipt', 'invoice', 'payment_receipt'];

/** Error for a document the renderer cannot print, with a message that names the document kind and the field. */
export class InvalidDocumentError extends RangeError {
  override name = 'InvalidDocumentError';
}

export function isCalendarDate(value: string): boolean {
  if (!CALENDAR_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

export function isIsoInstant(value: string): boolean {
  return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Checks that a document can be printed as given: known kind, ISO 4217 currency, calendar dates,
 * decimal-string amounts, positive line numbers and quantities, and only characters the standard
 * fonts can print.
 *
 * @throws InvalidDocumentError naming the first field that fails.
 */
export function validateDocument(doc: BusinessDocument): void {
  if (!documentKinds.includes(doc.kind)) {
    throw new InvalidDocumentError(`invalid document kind "${String(doc.kind)}": expected one of ${documentKinds.join(', ')}`);
  }
  const fail = (field: string, problem: string): never => {
    throw new InvalidDocumentError(`invalid ${doc.kind} document: ${field} ${problem}`);
  };
  const requireText = (field: string, value: string | undefined) => {
    if (typeof value !== 'string' || value.trim() === '') fail(field, 'is missing');
  };
  const requireDate = (field: string, value: string) => {
    if (!isCalendarDate(value)) fail(field, `"${value}" is not a calendar date (expected YYYY-MM-DD)`);
  };
  const requireAmount = (field: string, value: string) => {
    if (typeof value !== 'string' || !isDecimalString(value)) {
      fail(field, `${JSON.stringify(value)} is not a decimal string such as "1275.50"`);
    }
  };

  if (!isCurrencyCode(doc.currency)) fail('currency', `"${doc.currency}" is not an ISO 4217 code such as USD`);
  requireDate('issueDate', doc.issueDate);
  requireText('company.name', doc.company.name);
  requireText('company.email', doc.company.email);
  requireAddress('company.address', doc.company.address, requireText);
  requireText('customer.company', doc.customer.company);
  requireText('customer.contactName', doc.customer.contactName);
  requireAddress('customer.billingAddress', doc.customer.billingAddress, requireText);
  requireAddress('customer.shippingAddress', doc.customer.shippingAddress, requireText);

  if (doc.kind === 'payment_receipt') {
    requireText('invoiceNumber', doc.invoiceNumber);
    requireAmount('amount', doc.amount);
    requireAmount('balance', doc.balance);
    requireText('method', doc.method);
    requireText('reference', doc.reference);
    if (!isCalendarDate(doc.receivedAt) && !isIsoInstant(doc.receivedAt)) {
      fail('receivedAt', `"${doc.receivedAt}" is neither a calendar date nor an ISO 8601 instant with Z or an offset`);
    }
  } else {
    requireText('number', doc.number);
    doc.lines.forEach((line, index) => validateLine(line, `lines[${index}]`, fail, requireAmount));
    requireAmount('subtotal', doc.subtotal);
    requireAmount('tax', doc.tax);
    requireAmount('total', doc.total);
    if (doc.taxRatePercent !== undefined) requireAmount('taxRatePercent', doc.taxRatePercent);
  }

  switch (doc.kind) {
    case 'estimate':
      if (!Number.isInteger(doc.revision) || doc.revision < 1) fail('revision', `${doc.revision} is not a positive integer`);
      requireDate('validUntil', doc.validUntil);
      break;
    case 'sales_receipt':
      requireText('orderNumber', doc.orderNumber);
      break;
    case 'invoice':
      requireText('orderNumber', doc.orderNumber);
      requireDate('dueDate', doc.dueDate);
      if (!Number.isInteger(doc.paymentTermsDays) || doc.paymentTermsDays < 0) {
        fail('paymentTermsDays', `${doc.paymentTermsDays} is not a whole number of days`);
      }
      break;
  }

  requirePrintableText(doc, '', fail);
}

function requireAddress(field: string, address: PostalAddress, requireText: (field: string, value: string) => void): void {
  requireText(`${field}.line1`, address.line1);
  requireText(`${field}.city`, address.city);
  requireText(`${field}.postalCode`, address.postalCode);
  requireText(`${field}.country`, address.country);
}

function validateLine(
  line: DocumentLine,
  field: string,
  fail: (field: string, problem: string) => never,
  requireAmount: (field: string, value: string) => void,
): void {
  if (!Number.isInteger(line.lineNo) || line.lineNo < 1) fail(`${field}.lineNo`, `${line.lineNo} is not a positive integer`);
  if (!Number.isFinite(line.quantity) || line.quantity <= 0) fail(`${field}.quantity`, `${line.quantity} is not a positive number`);
  if (typeof line.sku !== 'string' || line.sku === '') fail(`${field}.sku`, 'is missing');
  requireAmount(`${field}.unitPrice`, line.unitPrice);
  requireAmount(`${field}.discountPercent`, line.discountPercent);
  requireAmount(`${field}.net`, line.net);
  requireAmount(`${field}.tax`, line.tax);
}

/** Walks every string in the document and rejects the first one the standard fonts cannot print. */
function requirePrintableText(value: unknown, field: string, fail: (field: string, problem: string) => never): void {
  if (typeof value === 'string') {
    const character = findUnprintableCharacter(value);
    if (character !== undefined) {
      const codePoint = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      fail(field, `contains "${character}" (${codePoint}), which the PDF standard fonts cannot print (Windows-1252 only)`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => requirePrintableText(item, `${field}[${index}]`, fail));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) requirePrintableText(item, field ? `${field}.${key}` : key, fail);
  }
}
