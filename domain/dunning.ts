import { addDays, endOfLocalDay } from './dates';

/**
 * Dunning: payment reminders around an invoice's due date. Each reminder is sent once, at the start of
 * its day in the company's time zone, and none is sent once the invoice is paid.
 */

export interface DunningSettings {
  /** Days before the due date on which the first reminder goes out; 0 sends none before it. */
  remindBeforeDays: number;
  /** Days past the due date at which the overdue reminders go out, ascending. */
  overdueDays: number[];
}

export interface DunningStep {
  /** Stable name of the reminder, such as `before-due`, `due`, `overdue-7`; stored once sent. */
  level: string;
  /** Instant at which it is due, in epoch milliseconds. */
  at: number;
  daysOverdue: number;
}

/** Returns the reminders of an invoice due on `dueDate`, in the order they go out. */
export function dunningSchedule(dueDate: string, timeZone: string, settings: DunningSettings): DunningStep[] {
  const startOf = (date: string) => endOfLocalDay(addDays(date, -1), timeZone);
  const steps: DunningStep[] = [];
  if (settings.remindBeforeDays > 0) {
    steps.push({ level: 'before-due', at: startOf(addDays(dueDate, -settings.remindBeforeDays)), daysOverdue: -settings.remindBeforeDays });
  }
  steps.push({ level: 'due', at: startOf(dueDate), daysOverdue: 0 });
  for (const days of [...settings.overdueDays].sort((a, b) => a - b)) {
    steps.push({ level: `overdue-${days}`, at: startOf(addDays(dueDate, days)), daysOverdue: days });
  }
  return steps;
}

export function parseOverdueDays(text: string): number[] {
  const days = text.split(',').map((part) => Number(part.trim()));
  if (days.some((day) => !Number.isInteger(day) || day <= 0)) {
    throw new RangeError(`invalid dunning levels "${text}": expected positive whole days such as 7,14,30`);
  }
  return days;
}
