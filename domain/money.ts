import Decimal from 'decimal.js';

/**
 * Decimal arithmetic for money. Amounts travel as decimal strings ("59948.46") and are never held in
 * JavaScript numbers, so no binary floating-point error can reach a total.
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type MoneyValue = InstanceType<typeof Money>;

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

/** Minor-unit digits for currencies whose ISO 4217 exponent is not 2. */
const MINOR_UNITS: Record<string, number> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
  LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

/** Returns the number of digits after the decimal point for an ISO 4217 currency code. */
export function minorUnits(currency: string): number {
  if (!isCurrencyCode(currency)) throw new RangeError(`invalid currency code "${currency}": expected three capital letters`);
  return MINOR_UNITS[currency] ?? 2;
}

export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export function toMoney(value: string | MoneyValue): MoneyValue {
  if (typeof value === 'string' && !isDecimalString(value)) {
    throw new RangeError(`invalid decimal amount "${value}"`);
  }
  return new Money(value);
}

/** Rounds half-up (away from zero on a tie) to the currency's minor unit. */
export function roundToMinor(value: MoneyValue, currency: string): MoneyValue {
  return value.toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
}

/** Formats an amount as a fixed-point string with exactly the currency's minor-unit digits. */
export function formatAmount(value: string | MoneyValue, currency: string): string {
  return roundToMinor(toMoney(value), currency).toFixed(minorUnits(currency));
}

export function addAmounts(amounts: string[], currency: string): string {
  const sum = amounts.reduce((total, amount) => total.plus(toMoney(amount)), new Money(0));
  return formatAmount(sum, currency);
}

export function subtractAmount(from: string, amount: string, currency: string): string {
  return formatAmount(toMoney(from).minus(toMoney(amount)), currency);
}

export function compareAmounts(a: string, b: string): number {
  return toMoney(a).comparedTo(toMoney(b));
}

export function isZero(amount: string): boolean {
  return toMoney(amount).isZero();
}
