import PDFDocument from 'pdfkit';
import { drawAmountBlock, paymentRows, totalsRows } from './amounts';
import { LINE_COLUMNS, PAYMENT_COLUMNS, lineCells, paymentCells } from './columns';
import { describeDocument, type DocumentHeading } from './content';
import { BLOCK_GAP, COLOR, CONTENT_LEFT, CONTENT_WIDTH, FONT, FONT_SIZE, MARGINS, PAGE_SIZE, useBodyStyle } from './layout';
import { drawFirstPageHeader, drawFooters, drawParties, drawRunningHeader } from './page-frame';
import { drawTable } from './table';
import type { BusinessDocument } from './types';
import { validateDocument } from './validate';

/**
 * Renders a business document as a PDF, reading nothing but its argument and writing no file.
 * The PDF creation date is the document's issue date (midnight UTC), and no other clock or random
 * value reaches the file, so the same document renders to the same bytes as long as the pdfkit and
 * Node.js (zlib) versions stay the same.
 *
 * @throws InvalidDocumentError when a field cannot be printed as given (see `validateDocument`).
 */
export async function renderDocumentPdf(doc: BusinessDocument): Promise<Buffer> {
  validateDocument(doc);
  const heading = describeDocument(doc);

  const pdf = new PDFDocument({
    size: PAGE_SIZE,
    margins: MARGINS,
    bufferPages: true,
    info: {
      Title: heading.name,
      Author: doc.company.name,
      Subject: `${heading.name} for ${doc.customer.company}`,
      Creator: doc.company.name,
      CreationDate: new Date(`${doc.issueDate}T00:00:00Z`),
    },
  });
  const bytes = collectBytes(pdf);

  // Registered after the constructor has added the first page, so only continuation pages get it.
  pdf.on('pageAdded', () => drawRunningHeader(pdf, doc.company.name, heading));

  drawBody(pdf, doc, heading);
  drawFooters(pdf, doc.company, heading);
  pdf.end();
  return bytes;
}

function drawBody(pdf: PDFKit.PDFDocument, doc: BusinessDocument, heading: DocumentHeading): void {
  let y = drawFirstPageHeader(pdf, doc.company, heading);
  y = drawParties(pdf, doc.customer, y);

  if (doc.kind === 'payment_receipt') {
    y = drawTable(pdf, PAYMENT_COLUMNS, [paymentCells(doc)], y);
    y = drawAmountBlock(pdf, paymentRows(doc), y + BLOCK_GAP / 2);
  } else {
    pdf.font(FONT.regular).fontSize(FONT_SIZE.small).fillColor(COLOR.muted);
    pdf.text(`Amounts in ${doc.currency}`, CONTENT_LEFT, y - 12, { width: CONTENT_WIDTH, align: 'right' });
    y = drawTable(pdf, LINE_COLUMNS, doc.lines.map(lineCells), y);
    y = drawAmountBlock(pdf, totalsRows(doc), y + BLOCK_GAP / 2);
  }

  drawRemarks(pdf, heading.remarks, y + BLOCK_GAP);
}

/** Draws the closing paragraphs. A long one flows onto further pages through pdfkit's own page breaks. */
function drawRemarks(pdf: PDFKit.PDFDocument, remarks: string[], top: number): void {
  useBodyStyle(pdf);
  let y = top;
  for (const remark of remarks) {
    if (y + pdf.currentLineHeight(true) > pdf.page.maxY()) {
      pdf.addPage();
      y = pdf.page.margins.top;
    }
    pdf.text(remark, CONTENT_LEFT, y, { width: CONTENT_WIDTH, lineGap: 2 });
    y = pdf.y + 6;
  }
}

function collectBytes(pdf: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    pdf.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
}
