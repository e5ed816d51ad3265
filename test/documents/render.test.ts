import { type CatalogueItem, type LineRequest, priceLines } from '../../domain/pricing';
import { InvalidDocumentError, renderDocumentPdf } from '../../documents';
import type { BusinessDocument, EstimateDocument, InvoiceDocument, LineDocument } from '../../documents/types';
import { pdfInfo, pdfPages, pdfText, rowsContaining } from './pdf-text';
import {
  company,
  customer,
  estimate,
  invoice,
  orderConfirmation,
  paymentReceipts,
  salesReceipt,
  scenario,
} from './scenario-documents';

const expectedOrder = scenario.expected.order;
const billing = scenario.customer.billingAddress;
const shipping = scenario.customer.shippingAddress;

/** Name, document, title and the reference printed under the title. */
const everyKind: [string, BusinessDocument, string, string][] = [
  ['estimate', estimate, 'Estimate', 'EST-000001 rev 2'],
  ['order confirmation', orderConfirmation, 'Order confirmation', 'SO-000001'],
  ['sales receipt', salesReceipt, 'Sales receipt', 'SR-000001'],
  ['invoice', invoice, 'Invoice', 'INV-000001'],
  ['payment receipt', paymentReceipts[0], 'Payment receipt', 'Invoice INV-000001'],
];
const lineKinds = everyKind.filter((entry): entry is [string, LineDocument, string, string] => entry[1].kind !== 'payment_receipt');

const textCache = new Map<BusinessDocument, Promise<string>>();

/** Renders a document once per test file and returns its extracted text. */
function textOf(doc: BusinessDocument): Promise<string> {
  let text = textCache.get(doc);
  if (!text) {
    text = renderDocumentPdf(doc).then(pdfText);
    textCache.set(doc, text);
  }
  return text;
}

/** Builds an estimate with `count` lines over the scenario's products, every fifth with a long description. */
function estimateWithLines(count: number): EstimateDocument {
  const items: CatalogueItem[] = [];
  const requests: LineRequest[] = [];
  for (let index = 1; index <= count; index += 1) {
    const product = scenario.products[index % scenario.products.length];
    const sku = `GM-PART-${String(index).padStart(3, '0')}`;
    const name =
      index % 5 === 0
        ? `${product.name}, configured to the customer's drawing ${index} with guards, chip conveyor, ` +
          `coolant filtration and operator training for two shifts`
        : product.name;
    items.push({ ...product, sku, name });
    requests.push({ sku, quantity: (index % 3) + 1, discountPercent: index % 4 === 0 ? '2.5' : undefined });
  }
  const priced = priceLines(requests, new Map(items.map((item) => [item.sku, item])), '7.25', 'USD');
  return {
    ...estimate,
    lines: priced.lines,
    subtotal: priced.subtotal,
    tax: priced.tax,
    total: priced.total,
  };
}

describe('documents/renderDocumentPdf', () => {
  test('scenario totals match expected block', () => {
    expect([estimate.subtotal, estimate.tax, estimate.total]).toEqual([
      expectedOrder.subtotal,
      expectedOrder.tax,
      expectedOrder.total,
    ]);
  });

  test.each(everyKind)('%s returns a PDF file', async (_name, doc) => {
    const pdf = await renderDocumentPdf(doc);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test.each(everyKind)('%s shows title', async (_name, doc, title) => {
    expect(rowsContaining(await textOf(doc), title)).not.toHaveLength(0);
  });

  test.each(everyKind)('%s shows reference', async (_name, doc, _title, reference) => {
    expect(rowsContaining(await textOf(doc), reference)).not.toHaveLength(0);
  });

  test.each(everyKind)('%s shows company header', async (_name, doc) => {
    const text = await textOf(doc);
    expect(text).toContain(company.name);
    expect(text).toContain(company.address.line1);
    expect(text).toContain(`${company.address.city}, ${company.address.region} ${company.address.postalCode}`);
    expect(text).toContain(company.email);
  });

  test.each(everyKind)('%s shows billing address', async (_name, doc) => {
    const text = await textOf(doc);
    expect(text).toContain(customer.company);
    expect(text).toContain(`Attn: ${customer.contactName}`);
    expect(text).toContain(billing.line1);
    expect(text).toContain(billing.line2);
    expect(text).toContain(`${billing.city}, ${billing.region} ${billing.postalCode}`);
  });

  test.each(everyKind)('%s shows shipping address', async (_name, doc) => {
    const text = await textOf(doc);
    expect(text).toContain(shipping.line1);
    expect(text).toContain(`${shipping.city}, ${shipping.region} ${shipping.postalCode}`);
  });

  test.each(everyKind)('%s sets PDF title and date', async (_name, doc, title, reference) => {
    const info = pdfInfo(await renderDocumentPdf(doc));
    const expectedTitle = doc.kind === 'payment_receipt' ? `Payment receipt for invoice ${doc.invoiceNumber}` : `${title} ${reference}`;
    expect(info.Title).toBe(expectedTitle);
    expect(info.CreationDate).toBe(`${doc.issueDate}T00:00:00Z`);
    expect(info.Pages).toBe('1');
  });

  const lineCases = lineKinds.flatMap(([name, doc]) =>
    expectedOrder.lines.map((line, index) => [name, line.sku, doc, index + 1, line.net] as const),
  );
  test.each(lineCases)('%s line %s shows number, SKU and net', async (_name, sku, doc, lineNo, net) => {
    const rows = rowsContaining(await textOf(doc), String(lineNo), sku, net);
    expect(rows).toHaveLength(1);
  });

  test.each(lineKinds)('%s shows unit price and discount', async (_name, doc) => {
    const text = await textOf(doc);
    const lathe = expectedOrder.lines[0];
    expect(rowsContaining(text, lathe.sku, lathe.unitPrice, `${lathe.discountPercent}%`)).toHaveLength(1);
  });

  test.each(lineKinds)('%s shows subtotal row', async (_name, doc) => {
    expect(rowsContaining(await textOf(doc), 'Subtotal', expectedOrder.subtotal)).toHaveLength(1);
  });

  test.each(lineKinds)('%s shows tax row', async (_name, doc) => {
    expect(rowsContaining(await textOf(doc), `Tax ${scenario.customer.taxRatePercent}%`, expectedOrder.tax)).toHaveLength(1);
  });

  test.each(lineKinds)('%s shows total row', async (_name, doc) => {
    expect(rowsContaining(await textOf(doc), 'Total USD', expectedOrder.total)).toHaveLength(1);
  });

  test('estimate shows validity and notes', async () => {
    const text = await textOf(estimate);
    expect(text).toContain(`This estimate is valid until ${estimate.validUntil}.`);
    expect(rowsContaining(text, 'Valid until', estimate.validUntil)).toHaveLength(1);
    expect(text).toContain('Delivery 3 weeks after order. Price includes crating; freight billed at cost.');
  });

  test('order confirmation shows purchase order', async () => {
    const text = await textOf(orderConfirmation);
    expect(rowsContaining(text, 'Your order', 'NF-PO-20417')).toHaveLength(1);
    expect(text).toContain('Thank you for your order NF-PO-20417.');
  });

  test('sales receipt shows sales order', async () => {
    expect(rowsContaining(await textOf(salesReceipt), 'Sales order', 'SO-000001')).toHaveLength(1);
  });

  test('invoice shows due date and terms', async () => {
    const text = await textOf(invoice);
    expect(rowsContaining(text, 'Due date', invoice.dueDate)).toHaveLength(1);
    expect(rowsContaining(text, 'Payment terms', 'Net 30 days')).toHaveLength(1);
    expect(text).toContain(`Please pay ${expectedOrder.total} USD by ${invoice.dueDate}`);
  });

  test('first payment receipt shows amount and balance', async () => {
    const [first] = paymentReceipts;
    const text = await textOf(first);
    expect(first.amount).toBe(scenario.expected.payments[0]);
    expect(rowsContaining(text, 'INV-000001', 'Wire transfer', 'NF-WIRE-88121', '30000.00')).toHaveLength(1);
    expect(rowsContaining(text, 'Amount received USD', '30000.00')).toHaveLength(1);
    expect(rowsContaining(text, 'Balance on INV-000001', '29948.46')).toHaveLength(1);
    expect(text).toContain('A balance of 29948.46 USD remains open on invoice INV-000001.');
  });

  test('last payment receipt shows paid in full', async () => {
    const last = paymentReceipts[1];
    const text = await textOf(last);
    expect(last.amount).toBe(scenario.expected.payments[1]);
    expect(rowsContaining(text, 'ACH transfer', 'NF-ACH-90455', '29948.46')).toHaveLength(1);
    expect(rowsContaining(text, 'Balance on INV-000001', scenario.expected.finalBalance)).toHaveLength(1);
    expect(text).toContain('Invoice INV-000001 is paid in full.');
  });

  test('receipt prints instant in UTC', async () => {
    const doc = { ...paymentReceipts[0], receivedAt: '2026-04-16T11:30:00-04:00' };
    expect(await renderDocumentPdf(doc).then(pdfText)).toContain('2026-04-16 15:30 UTC');
  });

  describe('60-line estimate', () => {
    const long = estimateWithLines(60);
    let pages: string[];

    beforeAll(async () => {
      pages = pdfPages(await renderDocumentPdf(long));
    });

    test('spans more than one page', () => {
      expect(pages.length).toBeGreaterThan(1);
    });

    test('repeats table header on pages with lines', () => {
      const pagesWithLines = pages.filter((page) => /GM-PART-\d{3}/.test(page));
      expect(pagesWithLines.length).toBeGreaterThan(1);
      pagesWithLines.forEach((page) => {
        expect(rowsContaining(page, '#', 'SKU', 'Description', 'Qty', 'Unit price', 'Disc.', 'Net', 'Tax')).toHaveLength(1);
      });
    });

    test('marks continuation pages', () => {
      pages.slice(1).forEach((page) => {
        expect(page).toContain(`${company.name}`);
        expect(page).toContain('Estimate EST-000001 rev 2 (continued)');
      });
    });

    test('numbers every page in footer', () => {
      pages.forEach((page, index) => {
        expect(page).toContain(`Page ${index + 1} of ${pages.length}`);
      });
    });

    test('shows every SKU with its net', () => {
      const text = pages.join('\n');
      const missing = long.lines.filter((line) => rowsContaining(text, line.sku, line.net).length !== 1);
      expect(missing.map((line) => line.sku)).toEqual([]);
    });

    test('wraps long description in its cell', () => {
      const text = pages.join('\n');
      const line = long.lines[4];
      expect(line.description).toContain('operator training for two shifts');
      const firstRow = rowsContaining(text, line.sku, line.net);
      expect(firstRow).toHaveLength(1);
      expect(firstRow[0]).not.toContain('two shifts');
      expect(rowsContaining(text, 'shifts')).not.toHaveLength(0);
    });

    test('prints totals after last line', () => {
      const rows = pages.join('\n').split('\n');
      const lastLine = long.lines[long.lines.length - 1];
      const lastLineRow = rows.findIndex((row) => rowsContaining(row, lastLine.sku, lastLine.net).length === 1);
      const subtotalRow = rows.findIndex((row) => rowsContaining(row, 'Subtotal', long.subtotal).length === 1);
      const totalRow = rows.findIndex((row) => rowsContaining(row, 'Total USD', long.total).length === 1);
      expect(lastLineRow).toBeGreaterThan(0);
      expect(subtotalRow).toBeGreaterThan(lastLineRow);
      expect(totalRow).toBeGreaterThan(subtotalRow);
    });
  });

  test('splits row taller than a page', async () => {
    const words = Array.from({ length: 400 }, (_, index) => `part${index}`);
    const lines = estimate.lines.map((line) => (line.lineNo === 2 ? { ...line, description: words.join(' ') } : line));
    const pages = pdfPages(await renderDocumentPdf({ ...estimate, lines }));
    const text = pages.join('\n');
    const tallLine = lines[1];

    expect(pages.length).toBeGreaterThan(1);
    expect(words.filter((word) => rowsContaining(text, word).length !== 1)).toEqual([]);
    expect(rowsContaining(text, '2', tallLine.sku, 'part0', tallLine.net)).toHaveLength(1);
    expect(rowsContaining(pages[1], '#', 'SKU', 'Description', 'Net')).toHaveLength(1);
    expect(rowsContaining(text, '3', lines[2].sku, lines[2].net)).toHaveLength(1);
    expect(rowsContaining(text, 'Total USD', estimate.total)).toHaveLength(1);
  });

  test('long notes flow onto next page', async () => {
    const notes = Array.from({ length: 40 }, (_, index) => `Condition ${index + 1}: the machine ships crated on a steel skid.`).join('\n');
    const pages = pdfPages(await renderDocumentPdf({ ...estimateWithLines(30), notes }));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.join('\n')).toContain('Condition 40: the machine ships crated on a steel skid.');
    pages.slice(1).forEach((page) => expect(page).toContain('Estimate EST-000001 rev 2 (continued)'));
  });

  test('same input renders identical bytes', async () => {
    const first = await renderDocumentPdf(invoice);
    const second = await renderDocumentPdf(structuredClone(invoice));
    expect(first.equals(second)).toBe(true);
  });

  test('other issue date changes bytes', async () => {
    const first = await renderDocumentPdf(invoice);
    const later = await renderDocumentPdf({ ...invoice, issueDate: '2026-05-01' } satisfies InvoiceDocument);
    expect(first.equals(later)).toBe(false);
  });

  test('rejects amount with thousands separator', async () => {
    const doc = { ...invoice, total: '59,948.46' };
    await expect(renderDocumentPdf(doc)).rejects.toThrow(InvalidDocumentError);
    await expect(renderDocumentPdf(doc)).rejects.toThrow('invalid invoice document: total "59,948.46" is not a decimal string');
  });

  test('rejects invalid calendar date', async () => {
    const doc = { ...estimate, validUntil: '2026-02-30' };
    await expect(renderDocumentPdf(doc)).rejects.toThrow('validUntil "2026-02-30" is not a calendar date');
  });

  test('rejects characters outside Windows-1252', async () => {
    const doc = { ...estimate, customer: { ...customer, company: 'Łódź Machining' } };
    await expect(renderDocumentPdf(doc)).rejects.toThrow('customer.company contains "Ł" (U+0141)');
  });

  test('prints Windows-1252 accents', async () => {
    const doc = { ...estimate, customer: { ...customer, contactName: 'Zoë Müller-Søndergård' } };
    expect(await renderDocumentPdf(doc).then(pdfText)).toContain('Attn: Zoë Müller-Søndergård');
  });
});
