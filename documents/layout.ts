/**
 * Page geometry, fonts and colors shared by every part of a rendered document. Lengths are PDF points
 * (1/72 inch), and y grows downwards from the top edge, as in pdfkit.
 */

/** US Letter, because the seller in the scenario is a US company. */
export const PAGE_SIZE = 'LETTER';
export const PAGE_WIDTH = 612;
export const PAGE_HEIGHT = 792;

/**
 * pdfkit's page margins. Body text flows between the top and bottom margins. The running header of a
 * continuation page is drawn inside the top margin, and the footer inside the bottom margin.
 */
export const MARGINS = { top: 70, bottom: 56, left: 50, right: 50 } as const;

export const CONTENT_LEFT = MARGINS.left;
export const CONTENT_RIGHT = PAGE_WIDTH - MARGINS.right;
export const CONTENT_WIDTH = CONTENT_RIGHT - CONTENT_LEFT;

/** Top of the company header on the first page, which starts above the body margin. */
export const FIRST_PAGE_TOP = 40;
export const RUNNING_HEADER_TOP = 36;
export const FOOTER_TOP = PAGE_HEIGHT - 40;

/** PDF standard fonts, which PDF viewers supply, so no font file is embedded. */
export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold' } as const;

export const FONT_SIZE = {
  companyName: 16,
  title: 20,
  reference: 11,
  body: 9,
  table: 8.5,
  small: 7.5,
} as const;

export const COLOR = {
  text: '#1a1a1a',
  muted: '#5f6368',
  rule: '#c7c9cc',
  headerFill: '#eef0f2',
} as const;

/** Vertical gap between blocks (header, addresses, table, totals, remarks). */
export const BLOCK_GAP = 18;

/** Sets the font, size and colour of ordinary body text. */
export function useBodyStyle(pdf: PDFKit.PDFDocument): void {
  pdf.font(FONT.regular).fontSize(FONT_SIZE.body).fillColor(COLOR.text);
}
