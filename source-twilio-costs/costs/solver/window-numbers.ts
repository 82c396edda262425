/**
 * A window's prices as whole numbers in doubles, worked out once per window and shared by every
 * tree the searches build: the solver compares millions of daily sums, and a bigint per value and
 * per candidate (what the exact Decimals would cost) is what made it slow.
 *
 * Every price is a whole number of the window's finest decimal step (10^-5 for Twilio's prices), so
 * sums and differences of them are exact in a double as long as they stay below 2^53: that is
 * checked once, for the largest sum any placement could form. A window beyond it (prices with 30
 * places on a very large bill) is rounded to a coarser step and marked inexact; the placement
 * chosen is then checked against the exact prices before it is trusted (see index.ts).
 */
import type { Decimal } from '../../money';
import { compareText } from '../hierarchy';
import { dayWeights, fingerprintOfNumbers } from './fingerprint';
import { Twins } from './twins';
import type { Container, SolverInput } from './types';

/** Whole numbers below this add up exactly in a double. */
const EXACT_LIMIT = 2 ** 53;
const MAX_PLACES = 30;

export class WindowNumbers {
  readonly dayCount: number;
  /** Every category, in name order; its index is its row. */
  readonly categories: readonly string[];
  readonly indexes: ReadonlyMap<string, number>;
  /** Row-major: prices[row * dayCount + day], in steps. */
  readonly prices: Float64Array;
  /** totalprice per day, in steps (0 where Twilio sent none). */
  readonly anchor: Float64Array;
  /** 1 where Twilio sent totalprice that day. */
  readonly anchorKnown: Uint8Array;
  /** The fingerprint of each category's prices, and of totalprice. */
  readonly prints: Float64Array;
  readonly anchorPrint: number;
  /** Days each category has a non-zero price. */
  readonly pricedDays: Int32Array;
  /** For each category, the days its price in steps is not zero, in order: what a move of it changes. */
  readonly dayLists: readonly Int32Array[];
  readonly priors: readonly Container[];
  /** Each category's product family, null when unknown. */
  readonly families: readonly (string | null)[];
  readonly weights: readonly number[];
  /** Whether the doubles are the exact prices (else rounded to a coarser step). */
  readonly exact: boolean;
  /** One step, in Decimal units. */
  readonly step: Decimal;
  /** Categories with the same prices on every day. */
  readonly twins: Twins;

  constructor(readonly input: SolverInput) {
    this.dayCount = input.dayCount;
    this.categories = [...input.nodes.keys()].sort(compareText);
    this.indexes = new Map(this.categories.map((category, index) => [category, index]));
    const rows = this.categories.map((category) => input.nodes.get(category)?.prices ?? []);
    const anchor = Array.from({ length: this.dayCount }, (_, day) => input.anchor[day] ?? null);
    let places = finestPlaces([...rows, anchor.map((price) => price ?? 0n)], this.dayCount);
    // The largest sum a placement can form: every category at once, against totalprice.
    const largest = [...rows, anchor.map((price) => price ?? 0n)].reduce((sum, row) => sum + largestMagnitude(row, this.dayCount), 0n);
    let step = 10n ** BigInt(MAX_PLACES - places);
    this.exact = largest / step < BigInt(EXACT_LIMIT);
    while (largest / step >= BigInt(EXACT_LIMIT) && places > -MAX_PLACES) {
      places -= 1;
      step *= 10n;
    }
    this.step = step;
    this.weights = dayWeights(this.dayCount);
    this.prices = new Float64Array(this.categories.length * this.dayCount);
    this.pricedDays = new Int32Array(this.categories.length);
    this.prints = new Float64Array(this.categories.length);
    rows.forEach((row, index) => {
      const offset = index * this.dayCount;
      for (let day = 0; day < this.dayCount; day++) {
        const value = inSteps(row[day] ?? 0n, step);
        this.prices[offset + day] = value;
        if ((row[day] ?? 0n) !== 0n) this.pricedDays[index] = (this.pricedDays[index] ?? 0) + 1;
      }
      this.prints[index] = fingerprintOfNumbers(this.prices.subarray(offset, offset + this.dayCount), this.weights);
    });
    this.dayLists = rows.map((_, index) => {
      const days: number[] = [];
      for (let day = 0; day < this.dayCount; day++) if ((this.prices[index * this.dayCount + day] ?? 0) !== 0) days.push(day);
      return Int32Array.from(days);
    });
    this.anchor = new Float64Array(anchor.map((price) => inSteps(price ?? 0n, step)));
    this.anchorKnown = new Uint8Array(anchor.map((price) => (price === null ? 0 : 1)));
    this.anchorPrint = fingerprintOfNumbers(this.anchor, this.weights);
    this.priors = this.categories.map((category) => input.nodes.get(category)?.prior ?? null);
    this.families = this.categories.map((category) => input.nodes.get(category)?.family ?? null);
    this.twins = new Twins(this);
  }

  /** Whether a category may go under a container on the strength of one day: the top level, or a category of the same known family. */
  sameFamily(category: string, container: Container): boolean {
    if (container === null) return true;
    const family = this.families[this.indexOf(category)] ?? null;
    return family !== null && family === this.families[this.indexOf(container)];
  }

  indexOf(category: string): number {
    const index = this.indexes.get(category);
    if (index === undefined) throw new RangeError(`${category} is not a category of this window`);
    return index;
  }

  /** A category's price on a day, in steps. */
  priceOf(index: number, day: number): number {
    return this.prices[index * this.dayCount + day] ?? 0;
  }
}

/** The fewest decimal places that write every value exactly (0 to 30). */
function finestPlaces(rows: ReadonlyArray<readonly Decimal[]>, dayCount: number): number {
  let places = 0;
  let unit = 10n ** BigInt(MAX_PLACES);
  for (const row of rows) {
    for (let day = 0; day < dayCount; day++) {
      const value = row[day] ?? 0n;
      while (places < MAX_PLACES && value % unit !== 0n) {
        places += 1;
        unit /= 10n;
      }
    }
  }
  return places;
}

function largestMagnitude(row: readonly Decimal[], dayCount: number): Decimal {
  let largest = 0n;
  for (let day = 0; day < dayCount; day++) {
    const value = row[day] ?? 0n;
    const magnitude = value < 0n ? -value : value;
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}

/** A value in whole steps, rounded half away from zero when the step is coarser than the value. */
function inSteps(value: Decimal, step: Decimal): number {
  const whole = value / step;
  const rest = value - whole * step;
  const rounded = 2n * (rest < 0n ? -rest : rest) >= step ? whole + (value < 0n ? -1n : 1n) : whole;
  return Number(rounded);
}
