import { isZero } from '../domain/money';
import { formatDateOrInstant, paymentMethodLabel } from './content';
import type { TableColumn } from './table';
import type { DocumentLine, PaymentReceiptDocument } from './types';

/** Columns of the line table. The widths add up to the 512 pt between the Letter page margins. */
export const LINE_COLUMNS: TableColumn[] = [
  { header: '#', width: 20, align: 'left' },
  { header: 'SKU', width: 96, align: 'left' },
  { header: 'Description', width: 150, align: 'left' },
  { header: 'Qty', width: 30, align: 'right' },
  { header: 'Unit price', width: 60, align: 'right' },
  { header: 'Disc.', width: 34, align: 'right' },
  { header: 'Net', width: 64, align: 'right' },
  { header: 'Tax', width: 58, align: 'right' },
];

/** Returns the cells of one line in `LINE_COLUMNS` order, with the amounts as given. */
export function lineCells(line: DocumentLine): string[] {
  return [
    String(line.lineNo),
    line.sku,
    line.description,
    String(line.quantity),
    line.unitPrice,
    isZero(line.discountPercent) ? '' : `${line.discountPercent}%`,
    line.net,
    line.tax,
  ];
}

export const PAYMENT_COLUMNS: TableColumn[] = [
  { header: 'Invoice', width: 96, align: 'left' },
  { header: 'Received', width: 100, align: 'left' },
  { header: 'Method', width: 96, align: 'left' },
  { header: 'Reference', width: 128, align: 'left' },
  { header: 'Amount', width: 92, align: 'right' },
];

/** Returns the one row of a payment receipt's table in `PAYMENT_COLUMNS` order. */
export function paymentCells(doc: PaymentReceiptDocument): string[] {
  return [
    doc.invoiceNumber,
    formatDateOrInstant(doc.receivedAt),
    paymentMethodLabel(doc.method),
    doc.reference,
    doc.amount,
  ];
}
