/**
 * What the numbers proved about one account's placement, kept between windows so that a day's rows
 * do not depend on the window that read it: a later window (the next chunk of a backfill, or an
 * incremental sync's few lookback days) takes it as its prior, where one window alone might see too
 * few days to place a category, or see a tie where the earlier days decided.
 *
 * Only categories the numbers placed away from where the curation and their names put them are
 * kept, each with the first and last day of the windows that placed it there. An account the
 * names place right remembers nothing. Pure: no I/O.
 *
 * Its JSON (`toJSON`, read back by `PlacementMemory.parse`) is small, for a stream state that holds
 * one per account: `{"v":1,"p":[["calls-text-to-speech","calls-outbound","2026-01-01","2026-03-31"]]}`
 * (category, parent or null for the top level, first day, last day), about 80 bytes a category.
 */
import { type Day, isValidDay, maxDay, minDay } from '../dates';
import { compareText, normalizeCategory } from './hierarchy';

/** A category's place that the numbers proved. */
export interface RememberedPlacement {
  readonly category: string;
  /** null: the top level. */
  readonly parent: string | null;
  /** First and last day of the windows whose numbers placed it there. */
  readonly firstDay: Day;
  readonly lastDay: Day;
}

/** The format written; a later one may read this one. */
const FORMAT_VERSION = 1;
/**
 * Most categories remembered per account (those placed most recently are kept): bounds the state of
 * an account whose names are wrong in many places to a few KB. Typical accounts remember 0 to 5.
 */
export const MAX_REMEMBERED = 48;

export type PlacementMemoryJson = { readonly v: typeof FORMAT_VERSION; readonly p: ReadonlyArray<readonly [string, string | null, Day, Day]> };

export class PlacementMemoryError extends Error {
  constructor(message: string) {
    super(`invalid placement memory: ${message}`);
    this.name = 'PlacementMemoryError';
  }
}

export class PlacementMemory {
  private readonly byCategory: ReadonlyMap<string, RememberedPlacement>;

  /** Keeps the MAX_REMEMBERED placed most recently; a category named twice keeps its last entry. */
  constructor(placements: Iterable<RememberedPlacement> = []) {
    const byCategory = new Map<string, RememberedPlacement>();
    for (const placement of placements) byCategory.set(placement.category, placement);
    const kept = [...byCategory.values()].sort((a, b) => compareText(b.lastDay, a.lastDay) || compareText(a.category, b.category)).slice(0, MAX_REMEMBERED);
    this.byCategory = new Map(kept.sort((a, b) => compareText(a.category, b.category)).map((placement) => [placement.category, placement]));
  }

  get size(): number {
    return this.byCategory.size;
  }

  get(category: string): RememberedPlacement | undefined {
    return this.byCategory.get(category);
  }

  /** Sorted by category. */
  placements(): RememberedPlacement[] {
    return [...this.byCategory.values()];
  }

  /**
   * The memory after a window: each category it placed by the numbers is remembered where it was
   * placed, its days joined to those already remembered when the place is the same; each it proved
   * to be where its names put it is forgotten; the rest stay as they were.
   */
  updated(placed: Iterable<RememberedPlacement>, forgotten: Iterable<string>): PlacementMemory {
    const next = new Map(this.byCategory);
    for (const category of forgotten) next.delete(category);
    for (const place of placed) {
      const before = next.get(place.category);
      const same = before !== undefined && before.parent === place.parent;
      next.set(place.category, same ? { ...place, firstDay: minDay(before.firstDay, place.firstDay), lastDay: maxDay(before.lastDay, place.lastDay) } : place);
    }
    return new PlacementMemory(next.values());
  }

  toJSON(): PlacementMemoryJson {
    return { v: FORMAT_VERSION, p: this.placements().map((placement) => [placement.category, placement.parent, placement.firstDay, placement.lastDay] as const) };
  }

  /** Reads what toJSON wrote (after JSON.parse); anything else is rejected, naming what is wrong. */
  static parse(value: unknown): PlacementMemory {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlacementMemoryError(`expected an object, got ${describe(value)}`);
    const { v: version, p: entries, ...rest } = value as Record<string, unknown>;
    const unknownKeys = Object.keys(rest);
    if (unknownKeys.length > 0) throw new PlacementMemoryError(`unknown field ${unknownKeys.map((key) => JSON.stringify(key)).join(', ')}`);
    if (version !== FORMAT_VERSION) throw new PlacementMemoryError(`v must be ${FORMAT_VERSION}, got ${describe(version)}`);
    if (!Array.isArray(entries)) throw new PlacementMemoryError(`p must be an array, got ${describe(entries)}`);
    if (entries.length > MAX_REMEMBERED) throw new PlacementMemoryError(`p holds ${entries.length} placements, more than the ${MAX_REMEMBERED} ever written`);
    const seen = new Set<string>();
    const placements = entries.map((entry: unknown, index): RememberedPlacement => {
      const where = `p[${index}]`;
      if (!Array.isArray(entry) || entry.length !== 4) throw new PlacementMemoryError(`${where} must be [category, parent or null, first day, last day], got ${describe(entry)}`);
      const [category, parent, firstDay, lastDay] = entry as unknown[];
      if (!isCategory(category)) throw new PlacementMemoryError(`${where}[0] (category) must be a non-empty lower-case category name, got ${describe(category)}`);
      if (parent !== null && !isCategory(parent)) throw new PlacementMemoryError(`${where}[1] (parent of ${category}) must be a lower-case category name or null, got ${describe(parent)}`);
      if (parent === category) throw new PlacementMemoryError(`${where}: ${category} cannot be its own parent`);
      if (typeof firstDay !== 'string' || !isValidDay(firstDay)) throw new PlacementMemoryError(`${where}[2] (first day of ${category}) must be a YYYY-MM-DD day, got ${describe(firstDay)}`);
      if (typeof lastDay !== 'string' || !isValidDay(lastDay)) throw new PlacementMemoryError(`${where}[3] (last day of ${category}) must be a YYYY-MM-DD day, got ${describe(lastDay)}`);
      if (lastDay < firstDay) throw new PlacementMemoryError(`${where}: the last day of ${category} (${lastDay}) is before its first (${firstDay})`);
      if (seen.has(category)) throw new PlacementMemoryError(`${where}: ${category} is placed twice`);
      seen.add(category);
      return { category, parent, firstDay, lastDay };
    });
    return new PlacementMemory(placements);
  }
}

function isCategory(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 && normalizeCategory(value) === value;
}

/** A short description of a bad value, never the whole of it. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}
