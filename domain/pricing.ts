import { Money, formatAmount, roundToMinor, toMoney, addAmounts } from './money';

export type ProductKind = 'goods' | 'service';

/** A line as the estimator enters it, before prices are looked up. */
export interface LineRequest {
  sku: string;
  quantity: number;
  discountPercent?: string;
}

/** Catalogue data a line is priced from, copied onto the document so later price changes cannot alter it. */
export interface CatalogueItem {
  sku: string;
  name: string;
  kind: ProductKind;
  unitPrice: string;
}

export interface PricedLine {
  lineNo: number;
  sku: string;
  description: string;
  kind: ProductKind;
  quantity: number;
  unitPrice: string;
  discountPercent: string;
  net: string;
  tax: string;
}

export interface DocumentTotals {
  subtotal: string;
  tax: string;
  total: string;
}

export interface PricedDocument extends DocumentTotals {
  currency: string;
  taxRatePercent: string;
  lines: PricedLine[];
}

/**
 * Prices document lines.
 *
 * Rule: line net = quantity × unit price × (1 − discount / 100), rounded half-up to the currency's minor
 * unit; line tax = line net × tax rate / 100, rounded half-up per line; subtotal, tax and total are sums
 * of the rounded line figures, so a printed document always adds up.
 */
export function priceLines(
  requests: LineRequest[],
  catalogue: Map<string, CatalogueItem>,
  taxRatePercent: string,
  currency: string,
): PricedDocument {
  const lines = requests.map((request, index): PricedLine => {
    const item = catalogue.get(request.sku);
    if (!item) throw new RangeError(`unknown SKU "${request.sku}" on line ${index + 1}`);
    const discountPercent = request.discountPercent ?? '0';
    const amounts = priceQuantity(item.unitPrice, request.quantity, discountPercent, taxRatePercent, currency);
    return {
      lineNo: index + 1,
      sku: item.sku,
      description: item.name,
      kind: item.kind,
      quantity: request.quantity,
      unitPrice: formatAmount(item.unitPrice, currency),
      discountPercent,
      ...amounts,
    };
  });
  return { currency, taxRatePercent, lines, ...sumLines(lines, currency) };
}

export function sumLines(lines: Pick<PricedLine, 'net' | 'tax'>[], currency: string): DocumentTotals {
  const subtotal = addAmounts(lines.map((line) => line.net), currency);
  const tax = addAmounts(lines.map((line) => line.tax), currency);
  return { subtotal, tax, total: addAmounts([subtotal, tax], currency) };
}

/** Prices part of a line's quantity by the same rule as `priceLines`, for invoicing a partial quantity. */
export function priceQuantity(
  unitPrice: string,
  quantity: number,
  discountPercent: string,
  taxRatePercent: string,
  currency: string,
): { net: string; tax: string } {
  const factor = new Money(1).minus(toMoney(discountPercent).dividedBy(100));
  const net = roundToMinor(toMoney(unitPrice).times(quantity).times(factor), currency);
  const tax = roundToMinor(net.times(toMoney(taxRatePercent).dividedBy(100)), currency);
  return { net: formatAmount(net, currency), tax: formatAmount(tax, currency) };
}
