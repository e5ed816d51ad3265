import { addDays, endOfLocalDay, isValidTimeZone, localDate, parseIsoDuration } from '../../domain/dates';

const HOUR_MS = 60 * 60 * 1000;

describe('domain/dates', () => {
  test.each([
    ['2026-03-08T04:59:59.999Z', 'America/New_York', '2026-03-07'],
    ['2026-03-08T05:00:00.000Z', 'America/New_York', '2026-03-08'],
    ['2026-11-02T04:59:59.999Z', 'America/New_York', '2026-11-01'],
    ['2026-11-02T05:00:00.000Z', 'America/New_York', '2026-11-02'],
    ['2026-03-08T18:29:59.999Z', 'Asia/Kolkata', '2026-03-08'],
    ['2026-03-08T18:30:00.000Z', 'Asia/Kolkata', '2026-03-09'],
    ['2026-12-31T15:00:00.000Z', 'Asia/Tokyo', '2027-01-01'],
    ['2026-12-31T23:59:59.999Z', 'UTC', '2026-12-31'],
  ])('localDate of %s in %s', (instant, timeZone, date) => {
    expect(localDate(Date.parse(instant), timeZone)).toBe(date);
  });

  test.each([
    ['2026-03-07', 1, '2026-03-08'],
    ['2026-03-08', 1, '2026-03-09'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-31', 30, '2026-03-02'],
    ['2026-10-15', 30, '2026-11-14'],
    ['2026-06-15', 0, '2026-06-15'],
  ])('addDays %s plus %i', (date, days, result) => {
    expect(addDays(date, days)).toBe(result);
  });

  const dayEnds = [
    ['2026-03-07', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-03-08', 'America/New_York', '2026-03-09T04:00:00.000Z'],
    ['2026-10-31', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-11-01', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-03-08', 'Asia/Kolkata', '2026-03-08T18:30:00.000Z'],
    ['2026-12-31', 'Asia/Kolkata', '2026-12-31T18:30:00.000Z'],
    ['2026-03-08', 'Asia/Kathmandu', '2026-03-08T18:15:00.000Z'],
    ['2026-07-01', 'UTC', '2026-07-02T00:00:00.000Z'],
  ];

  test.each(dayEnds)('endOfLocalDay of %s in %s', (date, timeZone, end) => {
    expect(new Date(endOfLocalDay(date, timeZone)).toISOString()).toBe(end);
  });

  test.each(dayEnds)('endOfLocalDay %s %s ends date', (date, timeZone) => {
    expect(localDate(endOfLocalDay(date, timeZone) - 1, timeZone)).toBe(date);
  });

  test.each(dayEnds)('endOfLocalDay %s %s starts next', (date, timeZone) => {
    expect(localDate(endOfLocalDay(date, timeZone), timeZone)).toBe(addDays(date, 1));
  });

  test('spring-forward day lasts 23 hours', () => {
    const length = endOfLocalDay('2026-03-08', 'America/New_York') - endOfLocalDay('2026-03-07', 'America/New_York');
    expect(length).toBe(23 * HOUR_MS);
  });

  test('fall-back day lasts 25 hours', () => {
    const length = endOfLocalDay('2026-11-01', 'America/New_York') - endOfLocalDay('2026-10-31', 'America/New_York');
    expect(length).toBe(25 * HOUR_MS);
  });

  // Chile starts daylight saving time at local midnight. On 2026-09-06 the clocks go from 00:00 (-04)
  // to 01:00 (-03), so 2026-09-05 ends at 01:00 local time, which is 04:00 UTC.
  test('endOfLocalDay when midnight is skipped', () => {
    expect(new Date(endOfLocalDay('2026-09-05', 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  test.each([
    ['P2D', 2 * 24 * HOUR_MS],
    ['PT4H', 4 * HOUR_MS],
    ['P1DT30M', 24 * HOUR_MS + 30 * 60_000],
    ['PT1.5S', 1500],
    ['PT2H30M', 2.5 * HOUR_MS],
    ['P1DT4H', 28 * HOUR_MS],
    ['PT90M', 90 * 60_000],
    ['PT0.001S', 1],
    ['P0D', 0],
  ])('parseIsoDuration of %s', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  test.each(['P', 'PT', '2D', 'P1W', 'P1DT', '', 'p2d', 'P1.5D', 'PT-1H', 'P1M', 'PT4H '])(
    'parseIsoDuration rejects "%s"',
    (text) => {
      expect(() => parseIsoDuration(text)).toThrow(`invalid ISO 8601 duration "${text}"`);
    },
  );

  test.each([
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['America/NewYork', false],
    ['Mars/Olympus', false],
    ['', false],
  ])('isValidTimeZone of "%s" is %s', (timeZone, valid) => {
    expect(isValidTimeZone(timeZone)).toBe(valid);
  });
});
