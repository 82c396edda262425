import type { Day } from '../dates';
import { type Decimal, sumDecimals } from '../money';
import { DecimalColumn } from './decimal-column';
import { compareText, normalizeCategory } from './hierarchy';
import type { CostInputRecord } from './types';

/** A record whose spelling already had a price that day: kept apart, so that no price is lost. */
interface RepeatedPrice {
  readonly spelling: string;
  readonly day: number;
  readonly price: Decimal;
}

/** A window's merged prices: per category, the price of each day that has records, undefined where it has none. */
export interface MergedPrices {
  /** The days that have any record, sorted. */
  readonly days: readonly Day[];
  /** Lower-cased category → price per day of `days`. */
  readonly prices: ReadonlyMap<string, ReadonlyArray<Decimal | undefined>>;
}

/**
 * A window's prices, held compactly: 8 bytes per category spelling and day (a DecimalColumn), and
 * one string per spelling, instead of an object and a bigint per record. A long window of a busy account has tens of
 * thousands of records, and placing it needs only their prices (counts and units never move a
 * category), so this is what a reader keeps of a chunk while it is being read.
 */
export class WindowPrices {
  private readonly dayIndex = new Map<Day, number>();
  private readonly days: readonly Day[];
  /** Whether each day of the range has any record (a day without one is not part of the window). */
  private readonly recorded: Uint8Array;
  /** Category as Twilio spelled it → its price on each day of the range. */
  private readonly bySpelling = new Map<string, DecimalColumn>();
  private readonly repeats: RepeatedPrice[] = [];

  /** @param days the days records may have, in any order (a chunk's days, or a window's) */
  constructor(days: readonly Day[]) {
    this.days = days;
    this.days.forEach((day, index) => this.dayIndex.set(day, index));
    this.recorded = new Uint8Array(this.days.length);
  }

  /** The prices of records already gathered by day (a chunk's, to place it). */
  static of(recordsByDay: ReadonlyMap<Day, readonly CostInputRecord[]>): WindowPrices {
    const prices = new WindowPrices([...recordsByDay.keys()]);
    for (const [day, records] of recordsByDay) for (const record of records) prices.add(record.category, day, record.price);
    return prices;
  }

  /** One record's price. Throws on a day not given: the caller keeps only the records of its days. */
  add(spelling: string, day: Day, price: Decimal): void {
    const index = this.dayIndex.get(day);
    if (index === undefined) throw new RangeError(`a price on ${day}, which is not one of the window's days`);
    this.recorded[index] = 1;
    let prices = this.bySpelling.get(spelling);
    if (prices === undefined) {
      prices = new DecimalColumn(this.days.length);
      this.bySpelling.set(spelling, prices);
    }
    if (prices.get(index) === null) prices.set(index, price);
    else this.repeats.push({ spelling, day: index, price });
  }

  /**
   * The prices by lower-cased category, merged as reconciliation merges records: one category
   * reported several times (in two spellings, or twice) with the same price counts once; with
   * different prices, they add up.
   */
  merged(): MergedPrices {
    const kept: number[] = [];
    this.recorded.forEach((flag, index) => {
      if (flag === 1) kept.push(index);
    });
    kept.sort((a, b) => compareText(this.days[a] as Day, this.days[b] as Day));
    const reportsOf = new Map<string, { spellings: DecimalColumn[]; repeats: RepeatedPrice[] }>();
    const reports = (spelling: string): { spellings: DecimalColumn[]; repeats: RepeatedPrice[] } => {
      const category = normalizeCategory(spelling);
      const known = reportsOf.get(category);
      if (known) return known;
      const created = { spellings: [], repeats: [] };
      reportsOf.set(category, created);
      return created;
    };
    for (const [spelling, prices] of this.bySpelling) reports(spelling).spellings.push(prices);
    for (const repeat of this.repeats) reports(repeat.spelling).repeats.push(repeat);
    const prices = new Map<string, Array<Decimal | undefined>>();
    for (const [category, { spellings, repeats }] of reportsOf) {
      const [only] = spellings;
      if (only !== undefined && spellings.length === 1 && repeats.length === 0) {
        // Reported once a day, as almost every category is.
        prices.set(
          category,
          kept.map((day) => only.get(day) ?? undefined),
        );
        continue;
      }
      prices.set(
        category,
        kept.map((day) => {
          const reported: Decimal[] = [];
          for (const spelling of spellings) {
            const price = spelling.get(day);
            if (price !== null) reported.push(price);
          }
          for (const repeat of repeats) if (repeat.day === day) reported.push(repeat.price);
          return mergedPrice(reported);
        }),
      );
    }
    return { days: kept.map((day) => this.days[day] as Day), prices };
  }
}

/**
 * Whether one category's reports of one day are one report seen again (all the same price), not
 * separate cost. The rule reconciliation merges records by too.
 */
export function isOneReport(prices: readonly Decimal[]): boolean {
  return prices.every((price) => price === prices[0]);
}

/** The same price reported again is one report seen twice; different prices are all cost. */
function mergedPrice(reported: readonly Decimal[]): Decimal | undefined {
  return isOneReport(reported) ? reported[0] : sumDecimals(reported);
}
