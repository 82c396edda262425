import { addDays, type Day, dayOffset, type DayRange } from '../dates';

/** Every day: a mask of infinitely many set bits, which `&` cuts to the other operand's. */
const ALL_DAYS = -1n;

/**
 * Which categories were emitted non-zero on which days: per category a bitmask of days, bit i the
 * day `base` + i. What a cursor keeps of the days the next sync reads again, so that it emits a
 * zero row (a tombstone) only for a (category, day) emitted non-zero before and gone now; a window
 * of two years costs about 92 bytes per category.
 */
export class CategoryDays {
  private readonly masks = new Map<string, bigint>();

  /** @param base the first day it can hold: days before it are not kept (no sync reads them again). */
  constructor(readonly base: Day) {}

  get size(): number {
    return this.masks.size;
  }

  add(category: string, day: Day): void {
    const offset = this.offsetOf(day);
    if (offset >= 0) this.masks.set(category, (this.masks.get(category) ?? 0n) | (1n << BigInt(offset)));
  }

  /** Adds a category on every day from `from` to `to`, both included (the days before the base are not kept). */
  addRange(category: string, from: Day, to: Day): void {
    this.addMask(category, this.rangeMask({ from, to }));
  }

  /** Adds the days of a mask, bit i the day `base` + i. */
  addMask(category: string, mask: bigint): void {
    if (mask !== 0n) this.masks.set(category, (this.masks.get(category) ?? 0n) | mask);
  }

  /** Each category with its days as a mask, bit i the day `base` + i. */
  masksByCategory(): IterableIterator<[string, bigint]> {
    return this.masks.entries();
  }

  /** Whether the category was emitted non-zero on that day. */
  has(category: string, day: Day): boolean {
    const mask = this.masks.get(category);
    const offset = this.offsetOf(day);
    return mask !== undefined && offset >= 0 && ((mask >> BigInt(offset)) & 1n) === 1n;
  }

  /** The categories with a day in the range: what a window of those days reads even where idle. */
  categoriesWithin(range: DayRange): Set<string> {
    const days = this.rangeMask(range);
    const within = new Set<string>();
    for (const [category, mask] of this.masks) if ((mask & days) !== 0n) within.add(category);
    return within;
  }

  categories(): IterableIterator<string> {
    return this.masks.keys();
  }

  /** The days of a category, in order. */
  daysOf(category: string): Day[] {
    return setBits(this.masks.get(category) ?? 0n).map((offset) => addDays(this.base, offset));
  }

  /** Adds every (category, day) of another (those before this one's base are not kept). */
  addAll(other: CategoryDays): void {
    this.addKept(other, ALL_DAYS);
  }

  /**
   * Adds every (category, day) of another outside the ranges (those before this one's base are not
   * kept): a mask per category, however many days it holds.
   */
  addAllOutside(other: CategoryDays, ranges: readonly DayRange[]): void {
    this.addKept(
      other,
      ranges.reduce((kept, range) => kept & ~this.rangeMask(range), ALL_DAYS),
    );
  }

  /** Adds another's masks, rebased to this one's base and cut to the days of `kept` (a mask based here). */
  private addKept(other: CategoryDays, kept: bigint): void {
    const source = other.base < this.base ? other.since(this.base) : other;
    const shift = BigInt(this.offsetOf(source.base));
    for (const [category, mask] of source.masks) this.addMask(category, (mask << shift) & kept);
  }

  /** The same days from `day` on, based there: what is left to keep once no sync reads the days before it again. */
  since(day: Day): CategoryDays {
    const shift = this.offsetOf(day);
    const kept = new CategoryDays(day);
    for (const [category, mask] of this.masks) {
      const shifted = shift >= 0 ? mask >> BigInt(shift) : mask << BigInt(-shift);
      if (shifted !== 0n) kept.masks.set(category, shifted);
    }
    return kept;
  }

  /** The days of a range from the base on, as a mask (0 when none is). */
  private rangeMask(range: DayRange): bigint {
    const first = Math.max(0, this.offsetOf(range.from));
    const last = this.offsetOf(range.to);
    return last < first ? 0n : ((1n << BigInt(last - first + 1)) - 1n) << BigInt(first);
  }

  private offsetOf(day: Day): number {
    return dayOffset(this.base, day);
  }
}

/** The positions of a mask's set bits, ascending. */
export function setBits(mask: bigint): number[] {
  const bits: number[] = [];
  for (let bit = 0, rest = mask; rest > 0n; bit += 1, rest >>= 1n) if ((rest & 1n) === 1n) bits.push(bit);
  return bits;
}
