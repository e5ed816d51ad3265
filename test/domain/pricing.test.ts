import fs from 'node:fs';
import path from 'node:path';
import { type CatalogueItem, type LineRequest, priceLines, priceQuantity, sumLines } from '../../domain/pricing';

interface ScenarioFile {
  products: CatalogueItem[];
  customer: { taxRatePercent: string };
  company: { currency: string };
  expected: {
    order: {
      lines: { sku: string; quantity: number; unitPrice: string; discountPercent?: string; net: string }[];
      subtotal: string;
      tax: string;
      total: string;
    };
  };
}

const scenarioPath = path.join(__dirname, '..', '..', 'scenarios', 'glocial-machineries.json');
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as ScenarioFile;
const expectedOrder = scenario.expected.order;
const scenarioCatalogue = new Map(scenario.products.map((item) => [item.sku, item]));
const scenarioRequests: LineRequest[] = expectedOrder.lines.map((line) => ({
  sku: line.sku,
  quantity: line.quantity,
  discountPercent: line.discountPercent,
}));

function catalogueOf(...items: [sku: string, unitPrice: string][]): Map<string, CatalogueItem> {
  return new Map(items.map(([sku, unitPrice]) => [sku, { sku, name: `Item ${sku}`, kind: 'goods', unitPrice }]));
}

describe('domain/pricing', () => {
  test('scenario uses USD at 7.25%', () => {
    expect([scenario.company.currency, scenario.customer.taxRatePercent]).toEqual(['USD', '7.25']);
  });

  test.each(expectedOrder.lines.map((line, index) => [line.sku, index, line.net] as const))(
    'scenario line %s net',
    (_sku, index, net) => {
      const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
      expect(document.lines[index].net).toBe(net);
    },
  );

  test.each([
    ['GM-CNC-2200', 0, '3410.76'],
    ['GM-TOOL-KIT', 1, '184.95'],
    ['SVC-INSTALL', 2, '246.50'],
    ['SVC-WARRANTY-24', 3, '210.25'],
  ])('scenario line %s tax', (_sku, index, tax) => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect(document.lines[index].tax).toBe(tax);
  });

  test('scenario subtotal matches expected', () => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect(document.subtotal).toBe(expectedOrder.subtotal);
  });

  test('scenario tax matches expected', () => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect(document.tax).toBe(expectedOrder.tax);
  });

  test('scenario total matches expected', () => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect(document.total).toBe(expectedOrder.total);
  });

  test('priceLines copies catalogue data', () => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect(document.lines[2]).toEqual({
      lineNo: 3,
      sku: 'SVC-INSTALL',
      description: 'Installation and commissioning (2 days on site)',
      kind: 'service',
      quantity: 1,
      unitPrice: '3400.00',
      discountPercent: '0',
      net: '3400.00',
      tax: '246.50',
    });
  });

  test('priceLines keeps currency and rate', () => {
    const document = priceLines(scenarioRequests, scenarioCatalogue, '7.25', 'USD');
    expect([document.currency, document.taxRatePercent]).toEqual(['USD', '7.25']);
  });

  test('priceLines formats unit price', () => {
    const document = priceLines([{ sku: 'KIT', quantity: 1 }], catalogueOf(['KIT', '1275.5']), '0', 'USD');
    expect(document.lines[0].unitPrice).toBe('1275.50');
  });

  test('priceLines rejects unknown SKU', () => {
    const requests = [
      { sku: 'GM-CNC-2200', quantity: 1 },
      { sku: 'GM-CNC-9999', quantity: 1 },
    ];
    expect(() => priceLines(requests, scenarioCatalogue, '7.25', 'USD')).toThrow('unknown SKU "GM-CNC-9999" on line 2');
  });

  test('priceLines rounds tax per line', () => {
    // Each 2.00 line has tax 0.145, which rounds to 0.15, so three lines carry 0.45. Taxing the 6.00
    // subtotal in one step would give 0.435, rounded to 0.44.
    const requests = [1, 2, 3].map(() => ({ sku: 'PIN', quantity: 1 }));
    const document = priceLines(requests, catalogueOf(['PIN', '2.00']), '7.25', 'USD');
    expect(document.tax).toBe('0.45');
  });

  test('priceLines total adds rounded lines', () => {
    const requests = [1, 2, 3].map(() => ({ sku: 'PIN', quantity: 1 }));
    const document = priceLines(requests, catalogueOf(['PIN', '2.00']), '7.25', 'USD');
    expect(document.total).toBe('6.45');
  });

  test('priceLines prices JPY without decimals', () => {
    const requests = [
      { sku: 'BOLT', quantity: 3, discountPercent: '5' },
      { sku: 'NUT', quantity: 1 },
    ];
    const document = priceLines(requests, catalogueOf(['BOLT', '999'], ['NUT', '1005']), '10', 'JPY');
    expect(document).toMatchObject({
      subtotal: '3852',
      tax: '386',
      total: '4238',
      lines: [
        { unitPrice: '999', net: '2847', tax: '285' },
        { unitPrice: '1005', net: '1005', tax: '101' },
      ],
    });
  });

  test.each([
    // The first three rows are exact half-cent ties, which round up. Binary floats land just below the
    // half (2.01 × 0.5 is 1.00499…), so rounding a JavaScript number would round them down.
    ['net tie rounds up', '2.01', 1, '50', '0', 'USD', '1.01', '0.00'],
    ['tax tie rounds up', '2.00', 1, '0', '7.25', 'USD', '2.00', '0.15'],
    ['tax 0.725 rounds up', '10.00', 1, '0', '7.25', 'USD', '10.00', '0.73'],
    ['net 0.994 rounds down', '1.00', 1, '0.6', '0', 'USD', '0.99', '0.00'],
    ['zero discount', '1275.50', 2, '0', '7.25', 'USD', '2551.00', '184.95'],
    ['full discount', '48500.00', 1, '100', '7.25', 'USD', '0.00', '0.00'],
    ['three percent discount', '48500.00', 1, '3', '7.25', 'USD', '47045.00', '3410.76'],
    ['fractional discount', '1000.00', 1, '12.5', '0', 'USD', '875.00', '0.00'],
    ['float-prone quantity', '1275.50', 3, '0', '7.25', 'USD', '3826.50', '277.42'],
    ['tenths times three', '0.10', 3, '0', '0', 'USD', '0.30', '0.00'],
    ['1.10 times three', '1.10', 3, '0', '0', 'USD', '3.30', '0.00'],
    ['zero tax rate', '3400.00', 1, '0', '0', 'USD', '3400.00', '0.00'],
    ['JPY tax tie', '1005', 1, '0', '10', 'JPY', '1005', '101'],
    ['JPY discount rounds', '999', 1, '5', '0', 'JPY', '949', '0'],
    ['KWD three decimals', '12.345', 1, '0', '5', 'KWD', '12.345', '0.617'],
  ])('priceQuantity %s', (_case, unitPrice, quantity, discount, rate, currency, net, tax) => {
    expect(priceQuantity(unitPrice, quantity, discount, rate, currency)).toEqual({ net, tax });
  });

  test('priceQuantity rejects invalid discount', () => {
    expect(() => priceQuantity('10.00', 1, '5%', '7.25', 'USD')).toThrow('invalid decimal amount "5%"');
  });

  test('sumLines adds float-prone amounts', () => {
    const totals = sumLines(
      [
        { net: '0.10', tax: '0.01' },
        { net: '0.20', tax: '0.02' },
      ],
      'USD',
    );
    expect(totals).toEqual({ subtotal: '0.30', tax: '0.03', total: '0.33' });
  });

  test('sumLines of no lines', () => {
    expect(sumLines([], 'USD')).toEqual({ subtotal: '0.00', tax: '0.00', total: '0.00' });
  });

  test('sumLines formats JPY totals', () => {
    const totals = sumLines(
      [
        { net: '2847', tax: '285' },
        { net: '1005', tax: '101' },
      ],
      'JPY',
    );
    expect(totals).toEqual({ subtotal: '3852', tax: '386', total: '4238' });
  });
});
