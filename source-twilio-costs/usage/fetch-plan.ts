import { addDays, type DayRange, daysBetweenInclusive, minDay, monthWindows } from '../dates';

/** Rows per page of Twilio's usage lists at the largest PageSize. */
export const ROWS_PER_PAGE = 1000;

/**
 * How a window's daily records are read, after one aggregate request has shown which categories it
 * needs:
 * - `dense`: `Daily.json` without `Category`, every listed category per day (zeros included), one
 *   listing per calendar month so the months' pages are read side by side;
 * - `sparse`: `Daily.json?Category=…` for each needed category (a year of one category is one page);
 * - `idle`: nothing is needed, nothing is read.
 */
export type FetchPlanKind = 'idle' | 'dense' | 'sparse';

/** The plans a caller may force, to compare them (a diagnostic knob). */
export type ForcedPlan = 'dense' | 'sparse';

export interface WindowShape {
  range: DayRange;
  /** Categories Twilio lists per day: the rows of the aggregate, what a dense listing pages through. */
  listedCategories: number;
  /** Categories the window reads: the active ones and the recent ones Twilio still lists. */
  neededCategories: number;
}

export interface FetchPlan {
  kind: FetchPlanKind;
  /** Consecutive parts of the window, read one after another; together they cover the window. */
  chunks: DayRange[];
  /** Requests each plan would make after the aggregate. */
  denseRequests: number;
  sparseRequests: number;
}

export interface PlanOptions {
  /**
   * Longest chunk: a reader that holds a chunk's rows (to group them by day) keeps chunks small
   * enough for its row budget; one that does not still stops at a page of days per category.
   */
  maxChunkDays: number;
  force?: ForcedPlan;
}

/** Pages of a dense listing: every listed category for every day of each calendar month. */
export function denseRequestsFor(range: DayRange, listedCategories: number): number {
  let requests = 0;
  for (const month of monthWindows(range.from, range.to)) {
    requests += Math.max(1, Math.ceil((daysBetweenInclusive(month.from, month.to) * listedCategories) / ROWS_PER_PAGE));
  }
  return requests;
}

/** Pages of one listing per needed category. */
export function sparseRequestsFor(range: DayRange, neededCategories: number): number {
  return neededCategories * Math.ceil(daysBetweenInclusive(range.from, range.to) / ROWS_PER_PAGE);
}

/** Splits a range into consecutive parts of at most `maxDays` days. */
export function splitRange(range: DayRange, maxDays: number): DayRange[] {
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new RangeError(`maxDays must be a positive integer, got ${maxDays}`);
  const parts: DayRange[] = [];
  for (let from = range.from; from <= range.to; from = addDays(from, maxDays)) {
    parts.push({ from, to: minDay(addDays(from, maxDays - 1), range.to) });
  }
  return parts;
}

/**
 * Chooses how to read a window by request count: the cheaper of the two plans, sparse on a tie (it
 * moves fewer rows). A window that needs no category is idle and costs nothing beyond its aggregate.
 */
export function planWindow(shape: WindowShape, options: PlanOptions): FetchPlan {
  if (shape.neededCategories === 0) return { kind: 'idle', chunks: [shape.range], denseRequests: 0, sparseRequests: 0 };
  const chunks = splitRange(shape.range, Math.min(ROWS_PER_PAGE, options.maxChunkDays));
  let denseRequests = 0;
  let sparseRequests = 0;
  for (const chunk of chunks) {
    denseRequests += denseRequestsFor(chunk, shape.listedCategories);
    sparseRequests += sparseRequestsFor(chunk, shape.neededCategories);
  }
  const kind = options.force ?? (sparseRequests <= denseRequests ? 'sparse' : 'dense');
  return { kind, chunks, denseRequests, sparseRequests };
}

/** Requests a plan makes after the aggregate. */
export function plannedRequests(plan: FetchPlan): number {
  if (plan.kind === 'idle') return 0;
  return plan.kind === 'dense' ? plan.denseRequests : plan.sparseRequests;
}
