import {
  Money,
  addAmounts,
  compareAmounts,
  formatAmount,
  isCurrencyCode,
  isDecimalString,
  isZero,
  minorUnits,
  roundToMinor,
  subtractAmount,
  toMoney,
} from '../../domain/money';

describe('domain/money', () => {
  // Exponents from the ISO 4217 list of active currency codes.
  test.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['INR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['VND', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['JOD', 3],
  ])('minorUnits of %s is %i', (currency, digits) => {
    expect(minorUnits(currency)).toBe(digits);
  });

  // More active ISO 4217 currencies whose exponent is 0.
  test.each(['BIF', 'DJF', 'GNF', 'KMF', 'RWF', 'VUV', 'XPF'])('minorUnits of %s is 0', (currency) => {
    expect(minorUnits(currency)).toBe(0);
  });

  test.each(['usd', 'US', 'USDX', '', ' USD', 'U$D', '840'])('minorUnits rejects code "%s"', (currency) => {
    expect(() => minorUnits(currency)).toThrow(`invalid currency code "${currency}"`);
  });

  test.each([
    ['USD', true],
    ['KWD', true],
    ['usd', false],
    ['US', false],
    ['USD ', false],
  ])('isCurrencyCode of "%s" is %s', (code, valid) => {
    expect(isCurrencyCode(code)).toBe(valid);
  });

  test.each([
    ['0', true],
    ['59948.46', true],
    ['-12.5', true],
    ['1275.50', true],
    ['', false],
    ['.5', false],
    ['5.', false],
    ['+5', false],
    ['1e3', false],
    ['1,000.00', false],
    [' 5', false],
    ['NaN', false],
  ])('isDecimalString of "%s" is %s', (value, valid) => {
    expect(isDecimalString(value)).toBe(valid);
  });

  test.each(['', 'abc', '.5', '5.', '+5', '1e3', '1,000.00', ' 5', '5 ', 'NaN', 'Infinity', '0x10'])(
    'toMoney rejects "%s"',
    (value) => {
      expect(() => toMoney(value)).toThrow(`invalid decimal amount "${value}"`);
    },
  );

  test('toMoney accepts Money value', () => {
    const value = new Money('12.345');
    expect(toMoney(value).toString()).toBe('12.345');
  });

  test.each([
    ['1', 'USD', '1.00'],
    ['59948.46', 'USD', '59948.46'],
    ['1.004', 'USD', '1.00'],
    ['1.005', 'USD', '1.01'],
    ['0.125', 'USD', '0.13'],
    ['-1.005', 'USD', '-1.01'],
    ['-0.004', 'USD', '0.00'],
    ['1.5', 'JPY', '2'],
    ['2.5', 'JPY', '3'],
    ['1000', 'JPY', '1000'],
    ['1.0005', 'KWD', '1.001'],
    ['1.0004', 'KWD', '1.000'],
    ['12.3', 'KWD', '12.300'],
    ['12345678901234567890.125', 'USD', '12345678901234567890.13'],
  ])('formatAmount of %s in %s is %s', (value, currency, formatted) => {
    expect(formatAmount(value, currency)).toBe(formatted);
  });

  test('formatAmount rejects invalid amount', () => {
    expect(() => formatAmount('12,50', 'USD')).toThrow('invalid decimal amount "12,50"');
  });

  test('formatAmount rejects invalid currency', () => {
    expect(() => formatAmount('12.50', 'dollars')).toThrow('invalid currency code "dollars"');
  });

  test('roundToMinor keeps Money value', () => {
    const rounded = roundToMinor(new Money('2.675'), 'USD');
    expect(rounded.toString()).toBe('2.68');
  });

  test.each([
    [['0.1', '0.2'], 'USD', '0.30'],
    [['30000.00', '29948.46'], 'USD', '59948.46'],
    [['19.99', '19.99', '19.99'], 'USD', '59.97'],
    [['0.004', '0.004'], 'USD', '0.01'],
    [['100.00', '-0.01'], 'USD', '99.99'],
    [['0.4', '0.4'], 'JPY', '1'],
    [['0.0005', '0.0005'], 'KWD', '0.001'],
    [[], 'USD', '0.00'],
  ])('addAmounts of %j in %s is %s', (amounts, currency, sum) => {
    expect(addAmounts(amounts, currency)).toBe(sum);
  });

  test('addAmounts rejects invalid element', () => {
    expect(() => addAmounts(['10.00', 'ten'], 'USD')).toThrow('invalid decimal amount "ten"');
  });

  test.each([
    ['59948.46', '30000.00', 'USD', '29948.46'],
    ['29948.46', '29948.46', 'USD', '0.00'],
    ['0.3', '0.1', 'USD', '0.20'],
    ['100.00', '100.01', 'USD', '-0.01'],
    ['1000', '1', 'JPY', '999'],
    ['1.000', '0.001', 'KWD', '0.999'],
  ])('subtractAmount %s minus %s in %s is %s', (from, amount, currency, difference) => {
    expect(subtractAmount(from, amount, currency)).toBe(difference);
  });

  test('subtractAmount rejects invalid amount', () => {
    expect(() => subtractAmount('100.00', '1 000', 'USD')).toThrow('invalid decimal amount "1 000"');
  });

  test.each([
    ['1.10', '1.1', 0],
    ['2', '10', -1],
    ['99.5', '100.00', -1],
    ['10.00', '9.99', 1],
    ['59948.47', '59948.46', 1],
    ['-1', '0', -1],
    ['0.3', '0.30000000000000004', -1],
  ])('compareAmounts of %s and %s is %i', (a, b, order) => {
    expect(compareAmounts(a, b)).toBe(order);
  });

  test.each([
    ['0', true],
    ['0.00', true],
    ['-0.00', true],
    ['0.01', false],
    ['-0.01', false],
  ])('isZero of %s is %s', (amount, zero) => {
    expect(isZero(amount)).toBe(zero);
  });
});
