import { formatAddress } from './address';
import type { DocumentHeading } from './content';
import {
  BLOCK_GAP,
  COLOR,
  CONTENT_LEFT,
  CONTENT_RIGHT,
  CONTENT_WIDTH,
  FIRST_PAGE_TOP,
  FONT,
  FONT_SIZE,
  FOOTER_TOP,
  RUNNING_HEADER_TOP,
  useBodyStyle,
} from './layout';
import type { CompanyParty, CustomerParty } from './types';

/** Everything on a page that is not body content: headers, the address blocks and the footer. */

const HEADER_RIGHT_WIDTH = 250;
const FACT_LABEL_WIDTH = 100;

/**
 * Draws the first page's header: the company with its address and email on the left, the title,
 * reference and facts on the right. Returns the y below it.
 */
export function drawFirstPageHeader(pdf: PDFKit.PDFDocument, company: CompanyParty, heading: DocumentHeading): number {
  pdf.font(FONT.bold).fontSize(FONT_SIZE.companyName).fillColor(COLOR.text);
  pdf.text(company.name, CONTENT_LEFT, FIRST_PAGE_TOP, { width: CONTENT_WIDTH - HEADER_RIGHT_WIDTH - 10 });
  pdf.moveDown(0.3);
  pdf.font(FONT.regular).fontSize(FONT_SIZE.body).fillColor(COLOR.muted);
  for (const line of [...formatAddress(company.address), company.email]) {
    pdf.text(line, CONTENT_LEFT, pdf.y, { width: CONTENT_WIDTH - HEADER_RIGHT_WIDTH - 10 });
  }
  const leftBottom = pdf.y;

  const rightLeft = CONTENT_RIGHT - HEADER_RIGHT_WIDTH;
  pdf.font(FONT.bold).fontSize(FONT_SIZE.title).fillColor(COLOR.text);
  pdf.text(heading.title, rightLeft, FIRST_PAGE_TOP, { width: HEADER_RIGHT_WIDTH, align: 'right' });
  pdf.font(FONT.regular).fontSize(FONT_SIZE.reference);
  pdf.text(heading.reference, rightLeft, pdf.y, { width: HEADER_RIGHT_WIDTH, align: 'right' });
  pdf.moveDown(0.6);

  pdf.fontSize(FONT_SIZE.body);
  const valueLeft = rightLeft + FACT_LABEL_WIDTH;
  const valueWidth = HEADER_RIGHT_WIDTH - FACT_LABEL_WIDTH;
  for (const fact of heading.facts) {
    const rowTop = pdf.y;
    pdf.fillColor(COLOR.muted).text(fact.label, rightLeft, rowTop, { width: FACT_LABEL_WIDTH });
    const labelBottom = pdf.y;
    pdf.fillColor(COLOR.text).text(fact.value, valueLeft, rowTop, { width: valueWidth, align: 'right' });
    pdf.y = Math.max(labelBottom, pdf.y) + 1;
  }
  const rightBottom = pdf.y;

  const y = Math.max(leftBottom, rightBottom) + BLOCK_GAP / 2;
  pdf.moveTo(CONTENT_LEFT, y).lineTo(CONTENT_RIGHT, y).lineWidth(1).strokeColor(COLOR.rule).stroke();
  useBodyStyle(pdf);
  return y + BLOCK_GAP;
}

/** Draws the bill-to and ship-to blocks side by side from `top`. Returns the y below the taller one. */
export function drawParties(pdf: PDFKit.PDFDocument, customer: CustomerParty, top: number): number {
  const columnWidth = (CONTENT_WIDTH - 20) / 2;
  const billTo = [`Attn: ${customer.contactName}`, ...formatAddress(customer.billingAddress)];
  const billBottom = drawParty(pdf, 'Bill to', customer.company, billTo, CONTENT_LEFT, top, columnWidth);
  const shipTo = formatAddress(customer.shippingAddress);
  const shipBottom = drawParty(pdf, 'Ship to', customer.company, shipTo, CONTENT_LEFT + columnWidth + 20, top, columnWidth);
  useBodyStyle(pdf);
  return Math.max(billBottom, shipBottom) + BLOCK_GAP;
}

function drawParty(
  pdf: PDFKit.PDFDocument,
  label: string,
  company: string,
  lines: string[],
  left: number,
  top: number,
  width: number,
): number {
  pdf.font(FONT.bold).fontSize(FONT_SIZE.small).fillColor(COLOR.muted);
  pdf.text(label.toUpperCase(), left, top, { width, characterSpacing: 0.5 });
  pdf.moveDown(0.3);
  pdf.font(FONT.bold).fontSize(FONT_SIZE.body).fillColor(COLOR.text);
  pdf.text(company, left, pdf.y, { width });
  pdf.font(FONT.regular);
  for (const line of lines) pdf.text(line, left, pdf.y, { width });
  return pdf.y;
}

/**
 * Draws the compact header of a continuation page inside the top margin, then restores the body text
 * style and position, because pdfkit continues a text flow with the current font at the top margin.
 */
export function drawRunningHeader(pdf: PDFKit.PDFDocument, companyName: string, heading: DocumentHeading): void {
  pdf.font(FONT.bold).fontSize(FONT_SIZE.body).fillColor(COLOR.text);
  pdf.text(companyName, CONTENT_LEFT, RUNNING_HEADER_TOP, { width: CONTENT_WIDTH / 2 });
  pdf.font(FONT.regular);
  pdf.text(`${heading.name} (continued)`, CONTENT_LEFT + CONTENT_WIDTH / 2, RUNNING_HEADER_TOP, {
    width: CONTENT_WIDTH / 2,
    align: 'right',
  });
  const ruleY = RUNNING_HEADER_TOP + 18;
  pdf.moveTo(CONTENT_LEFT, ruleY).lineTo(CONTENT_RIGHT, ruleY).lineWidth(1).strokeColor(COLOR.rule).stroke();
  useBodyStyle(pdf);
  pdf.x = CONTENT_LEFT;
  pdf.y = pdf.page.margins.top;
}

/**
 * Draws the footer of every buffered page: the company's contact on the left, the document name and
 * "Page N of M" on the right. Needs the document to be created with `bufferPages: true`.
 */
export function drawFooters(pdf: PDFKit.PDFDocument, company: CompanyParty, heading: DocumentHeading): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let index = start; index < start + count; index += 1) {
    pdf.switchToPage(index);
    // The footer sits inside the bottom margin. With the margin left in place, pdfkit would treat the
    // text as overflowing and add a page.
    pdf.page.margins.bottom = 0;
    const ruleY = FOOTER_TOP - 6;
    pdf.moveTo(CONTENT_LEFT, ruleY).lineTo(CONTENT_RIGHT, ruleY).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    pdf.font(FONT.regular).fontSize(FONT_SIZE.small).fillColor(COLOR.muted);
    pdf.text(`${company.name} · ${company.email}`, CONTENT_LEFT, FOOTER_TOP, { width: CONTENT_WIDTH / 2 });
    pdf.text(`${heading.name} · Page ${index - start + 1} of ${count}`, CONTENT_LEFT + CONTENT_WIDTH / 2, FOOTER_TOP, {
      width: CONTENT_WIDTH / 2,
      align: 'right',
    });
  }
}
