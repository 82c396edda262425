/**
 * Spikes: a product whose spend on one day jumps far above its recent level. SMS pumping fraud and
 * runaway loops show up here first, days before the invoice. Pure and exact: medians and ratios of
 * Decimals, no floats.
 */
import { addDays, type Day, type DayRange, eachDay, isValidDay, maxDay } from '../dates';
import { type Decimal, parseDecimal } from '../money';
import type { ProductAmount } from './queries';

/** The rule, as the report states it. */
export const SPIKE_RULE = {
  /** A spike is more than this many times the product's usual spend… */
  ratio: 3n,
  /** …which is the median of its spend on this many days before (days without spend count as zero)… */
  trailingDays: 14,
  /** …and at least this share (per cent) of a typical day's total spend above it… */
  floorPercentOfTypicalDay: 10n,
  /** …and never less than this (in the currency), so that an idle account's first cent is no spike. */
  minimumFloor: parseDecimal('1'),
} as const;

export interface Spike {
  product: string;
  day: Day;
  spend: Decimal;
  /** The median of the trailing days, or zero when that is negative (a product of credits). */
  usual: Decimal;
  /** The spend on the same day of the month before, when the file holds that day. */
  monthBefore: Decimal | null;
}

export interface SpikeSearch {
  spikes: Spike[];
  /** The least jump above the usual level that counts, in the currency. */
  floor: Decimal;
  /** The period's days that had enough history in the file to be judged. */
  judged: DayRange | undefined;
}

const CENT = parseDecimal('0.01');

/** A threshold people can read: whole cents, rounded up. */
function roundUpToCents(amount: Decimal): Decimal {
  const cents = amount / CENT;
  return (amount % CENT > 0n ? cents + 1n : cents) * CENT;
}

function median(values: readonly Decimal[]): Decimal {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0n;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0n) + upper) / 2n;
}

/** The same day of the month before, or undefined when that month is shorter (a 31st has none in April). */
function sameDayMonthBefore(day: Day): Day | undefined {
  const [year, month, dayOfMonth] = day.split('-').map(Number) as [number, number, number];
  const before = new Date(Date.UTC(year, month - 2, dayOfMonth)).toISOString().slice(0, 10);
  return isValidDay(before) && Number(before.slice(8)) === dayOfMonth ? before : undefined;
}

/**
 * The spikes of the period. `daily` holds each product's spend per day from up to a month and a
 * half before the period (as far as the file goes, `fileFrom`); a day is judged only when the file
 * holds all of its trailing days, and a monthly charge that recurs on the same day as the month
 * before (phone-number rentals, SIM fees) is not a spike.
 */
export function findSpikes(daily: readonly ProductAmount[], fileFrom: Day, period: DayRange): SpikeSearch {
  const spendByProduct = new Map<string, Map<Day, Decimal>>();
  const dayTotals = new Map<Day, Decimal>();
  for (const { at: day, product, spend } of daily) {
    const days = spendByProduct.get(product) ?? new Map<Day, Decimal>();
    days.set(day, (days.get(day) ?? 0n) + spend);
    spendByProduct.set(product, days);
    if (day >= period.from && day <= period.to) dayTotals.set(day, (dayTotals.get(day) ?? 0n) + spend);
  }
  const typicalDay = median(eachDay(period).map((day) => dayTotals.get(day) ?? 0n));
  const scaledFloor = roundUpToCents((typicalDay * SPIKE_RULE.floorPercentOfTypicalDay) / 100n);
  const floor = scaledFloor > SPIKE_RULE.minimumFloor ? scaledFloor : SPIKE_RULE.minimumFloor;
  const firstJudged = maxDay(period.from, addDays(fileFrom, SPIKE_RULE.trailingDays));
  const spikes: Spike[] = [];
  for (const [product, days] of spendByProduct) {
    for (let day = firstJudged; day <= period.to; day = addDays(day, 1)) {
      const spend = days.get(day) ?? 0n;
      const trailing = Array.from({ length: SPIKE_RULE.trailingDays }, (_, index) => days.get(addDays(day, index - SPIKE_RULE.trailingDays)) ?? 0n);
      const middle = median(trailing);
      const usual = middle > 0n ? middle : 0n;
      if (spend <= SPIKE_RULE.ratio * usual || spend - usual < floor) continue;
      const before = sameDayMonthBefore(day);
      const monthBefore = before !== undefined && before >= fileFrom ? (days.get(before) ?? 0n) : null;
      if (monthBefore !== null && spend <= SPIKE_RULE.ratio * monthBefore) continue;
      spikes.push({ product, day, spend, usual, monthBefore });
    }
  }
  spikes.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? 1 : -1) : a.product.localeCompare(b.product)));
  return { spikes, floor, judged: firstJudged <= period.to ? { from: firstJudged, to: period.to } : undefined };
}
