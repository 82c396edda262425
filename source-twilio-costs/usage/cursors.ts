import { addDays, type Day, type DayRange, maxDay, minDay } from '../dates';
import { CategoryDays } from './category-days';
import type { ScopeCursor } from './usage-state';

/**
 * The first day a scope's sync reads: lookback_days before the day after its cursor (Twilio keeps
 * updating recent days), never before the start date nor the scope's earliest day; the start date
 * without a cursor.
 */
export function firstDayToRead(cursor: ScopeCursor | undefined, lookbackDays: number, startDate: Day, earliestDay: Day | undefined): Day {
  const from = cursor ? maxDay(rereadFrom(cursor.startDate, lookbackDays), startDate) : startDate;
  return earliestDay ? maxDay(from, earliestDay) : from;
}

/** The first day the next sync reads again once the cursor is at `cursorDay`. */
export function rereadFrom(cursorDay: Day, lookbackDays: number): Day {
  return addDays(cursorDay, 1 - lookbackDays);
}

/**
 * The recent days of a scope's input cursor, from the first day this sync reads: the days its state
 * kept, or for a first-version state (recent categories without their days) every day from `from`
 * to `to`, as that state's sync would have tombstoned them.
 */
export function inputRecentDays(cursor: ScopeCursor | undefined, from: Day, to: Day): CategoryDays {
  const days = new CategoryDays(from);
  if (cursor?.recent) days.addAll(cursor.recent);
  for (const category of cursor?.recentOnEveryDay ?? []) days.addRange(category, from, to);
  return days;
}

/** What a window leaves behind for the cursor's recent days: every category emitted non-zero, on the days it was. */
export class WindowSummary {
  readonly days: CategoryDays;

  constructor(readonly range: DayRange) {
    this.days = new CategoryDays(range.from);
  }

  add(nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>): void {
    for (const [day, categories] of nonZeroCategoriesByDay) for (const category of categories) this.days.add(category, day);
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

  /** @param inputRecent the input cursor's recent days (see inputRecentDays): the tombstones this sync owes. */
  constructor(
    readonly windows: DayRange[],
    private readonly input: ScopeCursor | undefined,
    readonly inputRecent: CategoryDays,
  ) {}

  finish(index: number, summary: WindowSummary): void {
    this.finished.add(index);
    this.summaries.set(index, summary);
    while (this.finished.has(this.finishedPrefix)) this.finishedPrefix += 1;
    this.stale = true;
  }

  /**
   * The cursor: never backwards, never past the last complete day. Its recent days are the
   * (category, day) emitted non-zero among the days the next sync will read again: the tail of the
   * finished prefix, and every day of windows finished beyond it (the next sync re-reads them all).
   * The input's days that no finished window has read yet are kept too: they were not seen again.
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
    const startDate = this.input ? maxDay(this.input.startDate, candidate) : candidate;
    const rereadFromDay = rereadFrom(startDate, lookbackDays);
    const recent = new CategoryDays(rereadFromDay);
    for (const [index, summary] of this.summaries) {
      // The cursor only moves forward, so a window wholly before its re-read horizon never matters again.
      if (summary.range.to < rereadFromDay) this.summaries.delete(index);
      else recent.addAll(summary.days);
    }
    const read = [...this.finished].map((index) => this.windows[index] as DayRange);
    recent.addAllOutside(this.inputRecent, read);
    return { startDate, ...(recent.size > 0 ? { recent } : {}) };
  }
}
