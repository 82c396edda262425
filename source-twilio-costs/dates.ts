/** UTC calendar days as "YYYY-MM-DD" strings, which compare correctly as strings. */
export type Day = string;

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDay(text: string): boolean {
  const match = DAY_PATTERN.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

export function dayOf(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: Day, days: number): Day {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** How many days `to` is after `from` (negative if before): addDays(from, dayOffset(from, to)) is `to`. */
export function dayOffset(from: Day, to: Day): number {
  return daysBetweenInclusive(from, to) - 1;
}

export function daysBetweenInclusive(from: Day, to: Day): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function minDay(a: Day, b: Day): Day {
  return a < b ? a : b;
}

export function maxDay(a: Day, b: Day): Day {
  return a > b ? a : b;
}

/** The first day of the month `months` before the month of `day`. */
export function firstOfMonthBefore(day: Day, months: number): Day {
  const date = new Date(`${day}T00:00:00Z`);
  return dayOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - months, 1)));
}

export function lastOfMonth(day: Day): Day {
  const date = new Date(`${day}T00:00:00Z`);
  return dayOf(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)));
}

export interface DayRange {
  from: Day;
  to: Day;
}

/** Splits [from, to] at calendar-month boundaries. */
export function monthWindows(from: Day, to: Day): DayRange[] {
  const windows: DayRange[] = [];
  for (let start = from; start <= to; start = addDays(lastOfMonth(start), 1)) {
    windows.push({ from: start, to: minDay(lastOfMonth(start), to) });
  }
  return windows;
}

export function eachDay(range: DayRange): Day[] {
  const days: Day[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Twilio's RFC 2822 timestamps ("Thu, 30 Jul 2015 20:00:00 +0000") as RFC 3339, or null. */
export function rfc2822ToIso(text: unknown): string | null {
  if (typeof text !== 'string' || text === '') return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : null;
}
