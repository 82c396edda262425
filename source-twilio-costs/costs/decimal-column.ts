import { type Decimal, DECIMAL_SCALE } from '../money';

/** Places a compact value keeps: Twilio's amounts have 4 to 6, so all but the odd one fit. */
const COMPACT_PLACES = 12;
const COMPACT_FACTOR = 10n ** BigInt(DECIMAL_SCALE - COMPACT_PLACES);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Marks a slot whose value is null, or kept aside (it is then in `aside`). */
const NOT_COMPACT = INT64_MIN;

/**
 * Exact decimals (or nulls) by index, 8 bytes each: whole numbers of 10^-12 in a BigInt64Array,
 * instead of a heap bigint and a pointer to it per value. A value that does not fit (finer than
 * 10^-12, or beyond ±9.2 million) is kept as it is, aside, so nothing is rounded. Grows as needed.
 */
export class DecimalColumn {
  private values: BigInt64Array;
  private readonly aside = new Map<number, Decimal>();

  constructor(capacity: number) {
    this.values = new BigInt64Array(Math.max(1, capacity)).fill(NOT_COMPACT);
  }

  set(index: number, value: Decimal | null): void {
    if (index >= this.values.length) this.grow(index + 1);
    this.aside.delete(index);
    if (value === null) {
      this.values[index] = NOT_COMPACT;
      return;
    }
    const compact = value / COMPACT_FACTOR;
    if (compact * COMPACT_FACTOR === value && compact > INT64_MIN && compact <= INT64_MAX) {
      this.values[index] = compact;
    } else {
      this.values[index] = NOT_COMPACT;
      this.aside.set(index, value);
    }
  }

  /** The value at `index`; null where none was set. */
  get(index: number): Decimal | null {
    const compact = this.values[index];
    if (compact === undefined || compact === NOT_COMPACT) return this.aside.get(index) ?? null;
    return compact * COMPACT_FACTOR;
  }

  private grow(atLeast: number): void {
    const grown = new BigInt64Array(Math.max(atLeast, 2 * this.values.length)).fill(NOT_COMPACT);
    grown.set(this.values);
    this.values = grown;
  }
}
