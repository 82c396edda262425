import { addDays, maxDay, minDay, type Day, type DayRange } from '../dates';
import type { ScopeCursor } from './usage-state';

/**
 * The first day a scope's sync reads: lookback_days before the day after its cursor (Twilio keeps
 * updating recent days), never before the start date nor the scope's earliest day; the start date
 * without a cursor.
 */
export function firstDayToRead(cursor: ScopeCursor | undefined, lookbackDays: number, startDate: Day, earliestDay: Day | undefined): Day {
  const from = cursor ? maxDay(rereadFrom(cursor.start_date, lookbackDays), startDate) : startDate;
  return earliestDay ? maxDay(from, earliestDay) : from;
}

/** The first day the next sync reads again once the cursor is at `cursorDay`. */
export function rereadFrom(cursorDay: Day, lookbackDays: number): Day {
  return addDays(cursorDay, 1 - lookbackDays);
}

/** The first day of a window that a cursor at its end (never past the last complete day) would read again. */
export function windowTailFrom(range: DayRange, lastComplete: Day, lookbackDays: number): Day {
  return rereadFrom(minDay(range.to, lastComplete), lookbackDays);
}

/** What a window leaves behind for the cursor's recent categories. */
export class WindowSummary {
  /** Every category emitted non-zero on any day of the window. */
  readonly categories = new Set<string>();
  /** Per day, from the first day a cursor at the window's end re-reads. */
  readonly tail = new Map<Day, Set<string>>();

  constructor(
    readonly range: DayRange,
    private readonly tailFrom: Day,
  ) {}

  add(nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>): void {
    for (const [day, categories] of nonZeroCategoriesByDay) {
      for (const category of categories) this.categories.add(category);
      if (day < this.tailFrom) continue;
      const tail = this.tail.get(day) ?? new Set<string>();
      for (const category of categories) tail.add(category);
      this.tail.set(day, tail);
    }
  }
}

/** A scope's progress: windows finish out of order, the cursor advances over the finished prefix. */
export class ScopeProgress {
  private readonly finished = new Set<number>();
  private finishedPrefix = 0;
  /** Finished windows that still have days a next sync re-reads. */
  private readonly summaries = new Map<number, WindowSummary>();
  /** The cursor as of the last finished window: a state is built after every window, of every scope. */
  private latest: ScopeCursor | undefined;
  private stale = true;
  skipped = false;

  constructor(
    readonly windows: DayRange[],
    private readonly input: ScopeCursor | undefined,
  ) {}

  finish(index: number, summary: WindowSummary): void {
    this.finished.add(index);
    this.summaries.set(index, summary);
    while (this.finished.has(this.finishedPrefix)) this.finishedPrefix += 1;
    this.stale = true;
  }

  /**
   * The cursor: never backwards, never past the last complete day. The recent categories are the
   * ones emitted non-zero on the days the next sync will read again: the tail of the finished prefix,
   * and every day of windows finished beyond it (the next sync re-reads them all). While windows are
   * still unread, the input's recent categories are kept too, since those days were not seen yet.
   */
  cursor(lastComplete: Day, lookbackDays: number): ScopeCursor | undefined {
    if (this.stale) {
      this.latest = this.computeCursor(lastComplete, lookbackDays);
      this.stale = false;
    }
    return this.latest;
  }

  private computeCursor(lastComplete: Day, lookbackDays: number): ScopeCursor | undefined {
    if (this.finishedPrefix === 0) return this.input;
    const finishedThrough = (this.windows[this.finishedPrefix - 1] as DayRange).to;
    const candidate = minDay(finishedThrough, lastComplete);
    const startDate = this.input ? maxDay(this.input.start_date, candidate) : candidate;
    const rereadFromDay = rereadFrom(startDate, lookbackDays);
    const recent = new Set<string>();
    for (const [index, summary] of this.summaries) {
      // The cursor only moves forward, so a window wholly before its re-read horizon never matters again.
      if (summary.range.to < rereadFromDay) this.summaries.delete(index);
      else if (summary.range.from >= rereadFromDay) for (const category of summary.categories) recent.add(category);
      else for (const [day, categories] of summary.tail) if (day >= rereadFromDay) for (const category of categories) recent.add(category);
    }
    if (this.finishedPrefix < this.windows.length) for (const category of this.input?.recent_categories ?? []) recent.add(category);
    return { start_date: startDate, ...(recent.size > 0 ? { recent_categories: [...recent].sort() } : {}) };
  }
}
