/**
 * Enumerations of small sets, without building an array per set: the searches visit hundreds of
 * thousands of them and keep only the few whose fingerprints match.
 */
import { mod } from './fingerprint';

/** Most subsets of one container's children tried per round. */
const SUBSET_BUDGET = 200_000;
/** Largest set moved out of one container at once. */
const LARGEST_MOVE = 6;

/** How many sets of 1 to `largest` of `count` items there are. */
export function setsUpTo(count: number, largest: number): number {
  let total = 0;
  let combinations = 1;
  for (let size = 1; size <= Math.min(largest, count); size++) {
    combinations = (combinations * (count - size + 1)) / size;
    total += combinations;
  }
  return total;
}

/** The largest subset size whose enumeration stays within the budget. */
export function largestSubset(count: number): number {
  for (let size = 1; size <= Math.min(LARGEST_MOVE, count); size++) if (setsUpTo(count, size) > SUBSET_BUDGET) return size - 1;
  return Math.min(LARGEST_MOVE, count);
}

/**
 * Visits every non-empty subset of at most `largest` items (by index, in order) with the sum of
 * their fingerprints, without building an array per subset: only a match is materialised.
 */
export function forEachSubset(prints: readonly number[], largest: number, visit: (print: number, picked: readonly number[]) => void): void {
  const picked: number[] = [];
  const extend = (start: number, print: number): void => {
    for (let index = start; index < prints.length; index++) {
      const next = mod(print + (prints[index] ?? 0));
      picked.push(index);
      visit(next, picked);
      if (picked.length < largest) extend(index + 1, next);
      picked.pop();
    }
  };
  if (largest > 0) extend(0, 0);
}

/** Visits every set of `size` of `count` indices in order until `visit` returns false. */
export function forEachSet(count: number, size: number, visit: (picked: readonly number[]) => boolean): void {
  const picked: number[] = [];
  const extend = (from: number): boolean => {
    if (picked.length === size) return visit(picked);
    for (let index = from; index <= count - (size - picked.length); index++) {
      picked.push(index);
      const going = extend(index + 1);
      picked.pop();
      if (!going) return false;
    }
    return true;
  };
  extend(0);
}

/**
 * Whether some set of 1 to `largest` of the values adds up to `target` exactly (whole numbers, exact
 * in doubles; credits may be negative, so no partial sum is pruned).
 */
export function hasSubsetSumming(values: readonly number[], target: number, largest: number): boolean {
  const search = (start: number, left: number, room: number): boolean => {
    for (let index = start; index < values.length; index++) {
      const rest = left - (values[index] ?? 0);
      if (rest === 0 || (room > 1 && search(index + 1, rest, room - 1))) return true;
    }
    return false;
  };
  return search(0, target, largest);
}
