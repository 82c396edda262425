/**
 * UTC calendar days as integers (days since 1970-01-01), which makes the (day, category) grid of
 * a Daily listing plain arithmetic. Twilio's dates are GMT days, so no time zone ever enters.
 */
export type DayNumber = number;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day of a `YYYY-MM-DD` string, or null when it is not a real calendar date (2026-02-30). */
export function parseIsoDate(text: string): DayNumber | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return time / MS_PER_DAY;
}

/** Like parseIsoDate, for dates the simulator's own code writes: a bad one is a programming error. */
export function isoDateToDay(text: string): DayNumber {
  const day = parseIsoDate(text);
  if (day === null) throw new Error(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  return day;
}

// Formatting dominates a 1000-row page otherwise, and the same few hundred days recur.
const isoDateCache = new Map<DayNumber, string>();

export function dayToIsoDate(day: DayNumber): string {
  let text = isoDateCache.get(day);
  if (text === undefined) {
    text = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    isoDateCache.set(day, text);
  }
  return text;
}

export function todayUtc(): DayNumber {
  return Math.floor(Date.now() / MS_PER_DAY);
}

/** 1 for the first of a month: monthly fees are billed on that day. */
export function dayOfMonth(day: DayNumber): number {
  return new Date(day * MS_PER_DAY).getUTCDate();
}

/** The first day of the month `monthsLater` months after the month holding `day`. */
export function firstOfMonth(day: DayNumber, monthsLater = 0): DayNumber {
  const date = new Date(day * MS_PER_DAY);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + monthsLater, 1) / MS_PER_DAY;
}

/** The first day of the year `yearsLater` years after the year holding `day`. */
export function firstOfYear(day: DayNumber, yearsLater = 0): DayNumber {
  const date = new Date(day * MS_PER_DAY);
  return Date.UTC(date.getUTCFullYear() + yearsLater, 0, 1) / MS_PER_DAY;
}

/** RFC 2822 as Twilio writes it on accounts: "Thu, 30 Jul 2015 20:00:00 +0000". */
export function toRfc2822(day: DayNumber, secondsIntoDay: number): string {
  return new Date(day * MS_PER_DAY + secondsIntoDay * 1000).toUTCString().replace('GMT', '+0000');
}
