import { addDays, type Day, type DayRange, firstOfMonthBefore, minDay } from '../dates';

/**
 * Calendar months per sync window. A window costs one aggregate request plus, when sparse, one page
 * per needed category for up to 1000 days, so the longer the cheaper: two years (731 days at most)
 * still fit one page per category, and an account's backfill checkpoints at least every two years
 * of its history (a few dozen requests).
 */
export const WINDOW_MONTHS = 24;

/** The first day of the month `months` after the month of `day`. */
const monthsLater = (day: Day, months: number): Day => firstOfMonthBefore(day, -months);

/**
 * Splits [from, to] into windows on a grid of WINDOW_MONTHS calendar months that starts at the month
 * of `anchor`. Every scope and every usage stream of a sync cuts the same grid, so a window read for
 * one of them can be reused by another; a range that starts mid-block (a cursor, an account created
 * later) starts a shorter first window.
 */
export function syncWindows(from: Day, to: Day, anchor: Day): DayRange[] {
  let blockStart = monthsLater(anchor, 0);
  while (blockStart > from) blockStart = monthsLater(blockStart, -WINDOW_MONTHS);
  while (monthsLater(blockStart, WINDOW_MONTHS) <= from) blockStart = monthsLater(blockStart, WINDOW_MONTHS);
  const windows: DayRange[] = [];
  for (let start = from; start <= to;) {
    const nextBlock = monthsLater(blockStart, WINDOW_MONTHS);
    windows.push({ from: start, to: minDay(addDays(nextBlock, -1), to) });
    start = nextBlock;
    blockStart = nextBlock;
  }
  return windows;
}
