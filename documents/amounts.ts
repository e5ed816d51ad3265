import { COLOR, CONTENT_RIGHT, FONT, FONT_SIZE, useBodyStyle } from './layout';
import type { LineDocument, PaymentReceiptDocument } from './types';

/** One row of a right-aligned amount block, such as the subtotal, tax and total under the line table. */
export interface AmountRow {
  label: string;
  /** Decimal string, printed as given. */
  amount: string;
  /** Prints the row in bold with a rule above it, as for the total. */
  emphasis?: boolean;
}

const LABEL_WIDTH = 140;
const AMOUNT_WIDTH = 100;
const ROW_HEIGHT = 15;
const EMPHASIS_GAP = 5;

export function totalsRows(doc: LineDocument): AmountRow[] {
  const taxLabel = doc.taxRatePercent === undefined ? 'Tax' : `Tax ${doc.taxRatePercent}%`;
  return [
    { label: 'Subtotal', amount: doc.subtotal },
    { label: taxLabel, amount: doc.tax },
    { label: `Total ${doc.currency}`, amount: doc.total, emphasis: true },
  ];
}

export function paymentRows(doc: PaymentReceiptDocument): AmountRow[] {
  return [
    { label: `Amount received ${doc.currency}`, amount: doc.amount, emphasis: true },
    { label: `Balance on ${doc.invoiceNumber}`, amount: doc.balance },
  ];
}

/**
 * Draws amount rows against the right margin from `top`, moving the whole block to a new page when it
 * does not fit above the bottom margin. Returns the y below it.
 */
export function drawAmountBlock(pdf: PDFKit.PDFDocument, rows: AmountRow[], top: number): number {
  const blockHeight = rows.reduce((sum, row) => sum + ROW_HEIGHT + (row.emphasis ? EMPHASIS_GAP : 0), 0);
  let y = top;
  if (y + blockHeight > pdf.page.maxY()) {
    pdf.addPage();
    y = pdf.page.margins.top;
  }

  const amountLeft = CONTENT_RIGHT - AMOUNT_WIDTH;
  const labelLeft = amountLeft - LABEL_WIDTH;
  for (const row of rows) {
    if (row.emphasis) {
      pdf.moveTo(labelLeft, y).lineTo(CONTENT_RIGHT, y).lineWidth(1).strokeColor(COLOR.text).stroke();
      y += EMPHASIS_GAP;
    }
    const fontSize = row.emphasis ? FONT_SIZE.reference : FONT_SIZE.body;
    pdf.font(row.emphasis ? FONT.bold : FONT.regular).fontSize(fontSize);
    pdf.fillColor(row.emphasis ? COLOR.text : COLOR.muted).text(row.label, labelLeft, y, { width: LABEL_WIDTH });
    pdf.fillColor(COLOR.text).text(row.amount, amountLeft, y, { width: AMOUNT_WIDTH, align: 'right' });
    y += ROW_HEIGHT;
  }
  useBodyStyle(pdf);
  return y;
}
