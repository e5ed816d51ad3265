import { COLOR, CONTENT_LEFT, CONTENT_WIDTH, FONT, FONT_SIZE } from './layout';

export interface TableColumn {
  header: string;
  /** Width in points, padding included. */
  width: number;
  align: 'left' | 'right';
}

const CELL_PADDING_X = 4;
const CELL_PADDING_Y = 4;

/**
 * Draws a table whose rows wrap their cells to the column width. A row that does not fit above the
 * bottom margin moves to a new page, added with `pdf.addPage()`, and the header row is drawn again at
 * the top of that page. A row taller than a whole page is split between words and continues on the
 * next page. Returns the y below the last row.
 */
export function drawTable(pdf: PDFKit.PDFDocument, columns: TableColumn[], rows: string[][], top: number): number {
  const tableWidth = columns.reduce((sum, column) => sum + column.width, 0);
  if (tableWidth > CONTENT_WIDTH) {
    throw new RangeError(`table columns are ${tableWidth} pt wide, more than the ${CONTENT_WIDTH} pt between the margins`);
  }

  const headerHeight = rowHeight(pdf, columns, columns.map((column) => column.header), FONT.bold);
  const oneLineRowHeight = rowHeight(pdf, columns, ['0'], FONT.regular);
  const startContinuation = () => drawHeaderRow(pdf, columns, startNewPage(pdf), headerHeight);

  // Keep the header row together with at least one line of the first row.
  let y = top;
  if (y + headerHeight + oneLineRowHeight > pdf.page.maxY()) y = startNewPage(pdf);
  y = drawHeaderRow(pdf, columns, y, headerHeight);

  for (const row of rows) {
    let cells = row;
    let height = rowHeight(pdf, columns, cells, FONT.regular);
    while (y + height > pdf.page.maxY()) {
      const pageSpace = pdf.page.maxY() - pdf.page.margins.top - headerHeight;
      const onFreshPage = y === pdf.page.margins.top + headerHeight;
      if (height > pageSpace && y + oneLineRowHeight <= pdf.page.maxY()) {
        const [head, tail] = splitRow(pdf, columns, cells, pdf.page.maxY() - y - 2 * CELL_PADDING_Y);
        if (head.some((cell) => cell !== '')) {
          y = drawRow(pdf, columns, head, y, tableWidth);
          cells = tail;
          height = rowHeight(pdf, columns, cells, FONT.regular);
        } else if (onFreshPage) {
          // NOTE: a single word taller than a page cannot be split, so pdfkit flows it past the margin.
          break;
        }
      }
      y = startContinuation();
    }
    y = drawRow(pdf, columns, cells, y, tableWidth);
  }
  return y;
}

function drawRow(pdf: PDFKit.PDFDocument, columns: TableColumn[], cells: string[], y: number, tableWidth: number): number {
  drawCells(pdf, columns, cells, y, FONT.regular);
  const bottom = y + rowHeight(pdf, columns, cells, FONT.regular);
  pdf.moveTo(CONTENT_LEFT, bottom).lineTo(CONTENT_LEFT + tableWidth, bottom).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
  return bottom;
}

/** Splits each cell after the last word that fits in `textHeight` into the fitting part and the rest. */
function splitRow(pdf: PDFKit.PDFDocument, columns: TableColumn[], cells: string[], textHeight: number): [string[], string[]] {
  pdf.font(FONT.regular).fontSize(FONT_SIZE.table);
  const head: string[] = [];
  const tail: string[] = [];
  columns.forEach((column, index) => {
    const [fitting, rest] = splitToFit(pdf, cells[index] ?? '', column.width - 2 * CELL_PADDING_X, textHeight);
    head.push(fitting);
    tail.push(rest);
  });
  return [head, tail];
}

/** Finds by binary search the most words of `text` whose wrapped height is at most `maxHeight`. */
function splitToFit(pdf: PDFKit.PDFDocument, text: string, width: number, maxHeight: number): [string, string] {
  if (pdf.heightOfString(text, { width }) <= maxHeight) return [text, ''];
  // Each word keeps the space or line break after it, so joining them back restores the text.
  const words = text.split(/(?<=\s)/);
  let fits = 0;
  let tooMany = words.length;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    if (pdf.heightOfString(words.slice(0, middle).join(''), { width }) <= maxHeight) fits = middle;
    else tooMany = middle;
  }
  return [words.slice(0, fits).join('').trimEnd(), words.slice(fits).join('').trimStart()];
}

/** Adds a page and returns the y where body content starts on it. */
function startNewPage(pdf: PDFKit.PDFDocument): number {
  pdf.addPage();
  return pdf.page.margins.top;
}

function rowHeight(pdf: PDFKit.PDFDocument, columns: TableColumn[], cells: string[], font: string): number {
  pdf.font(font).fontSize(FONT_SIZE.table);
  const heights = columns.map((column, index) =>
    pdf.heightOfString(cells[index] ?? '', { width: column.width - 2 * CELL_PADDING_X }),
  );
  return Math.max(...heights) + 2 * CELL_PADDING_Y;
}

function drawHeaderRow(pdf: PDFKit.PDFDocument, columns: TableColumn[], y: number, height: number): number {
  const tableWidth = columns.reduce((sum, column) => sum + column.width, 0);
  pdf.rect(CONTENT_LEFT, y, tableWidth, height).fillColor(COLOR.headerFill).fill();
  drawCells(
    pdf,
    columns,
    columns.map((column) => column.header),
    y,
    FONT.bold,
  );
  return y + height;
}

function drawCells(pdf: PDFKit.PDFDocument, columns: TableColumn[], cells: string[], y: number, font: string): void {
  pdf.font(font).fontSize(FONT_SIZE.table).fillColor(COLOR.text);
  let x = CONTENT_LEFT;
  columns.forEach((column, index) => {
    pdf.text(cells[index] ?? '', x + CELL_PADDING_X, y + CELL_PADDING_Y, {
      width: column.width - 2 * CELL_PADDING_X,
      align: column.align,
    });
    x += column.width;
  });
}
