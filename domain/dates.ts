/** Calendar helpers that depend only on their arguments, so workflow code may call them. */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Returns the calendar date (YYYY-MM-DD) of an instant as seen in an IANA time zone. */
export function localDate(instantMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instantMs));
  const get = (type: string) => parts.find((part) => part.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const start = Date.parse(`${date}T00:00:00Z`);
  return new Date(start + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Returns the first instant after the given calendar date ends in the time zone: local midnight of the
 * next day, or the first instant of that day where clocks skip midnight (as America/Santiago does when
 * summer time starts). It searches the 30 hours around UTC midnight, which covers every UTC offset.
 */
export function endOfLocalDay(date: string, timeZone: string): number {
  const nextMidnightUtc = Date.parse(`${addDays(date, 1)}T00:00:00Z`);
  let before = nextMidnightUtc - 15 * 3_600_000;
  let after = nextMidnightUtc + 15 * 3_600_000;
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localDate(middle, timeZone) > date) after = middle;
    else before = middle;
  }
  return after;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Parses an ISO 8601 duration of days, hours, minutes and seconds (P2D, PT2H30M, P1DT4H) into milliseconds. */
export function parseIsoDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new RangeError(`invalid ISO 8601 duration "${text}": expected a form such as P2D, PT4H or P1DT30M`);
  }
  const [, days, hours, minutes, seconds] = match;
  return (
    Number(days ?? 0) * DAY_MS +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Math.round(Number(seconds ?? 0) * 1000)
  );
}
