import { type Hierarchy, normalizeCategory } from './hierarchy';
import type { CostInputRecord, CostRow } from './types';

/**
 * The leaf rows of one account-day's records priced in another currency than its totalprice: no
 * totalprice in that currency says what they add up to, so they are deduplicated among themselves
 * only. A row under which another non-zero row of the same currency sits is a rollup of it and is
 * left out, and so is a documented double count whose including family has rows; the rest are emitted as they are, never summed into the account's currency and with no
 * residual (nothing says what one would be).
 */
export function otherCurrencyLeaves(records: readonly CostInputRecord[], hierarchy: Hierarchy): CostRow[] {
  const priced = records.filter((record) => record.price !== 0n);
  const tree = hierarchy.withCategories(priced.map((record) => record.category));
  // A documented double count whose including family is here too: its money is inside that family's rows.
  const overlaps = priced.filter((record) => tree.includedIn(record.category) !== null);
  const families = new Set<string>();
  for (const record of priced) {
    if (overlaps.includes(record)) continue;
    for (let category: string | null = normalizeCategory(record.category); category !== null; category = tree.parentOf(category)) families.add(category);
  }
  const counted = priced.filter((record) => !families.has(tree.includedIn(record.category) ?? ''));
  const rollups = new Set<string>();
  for (const record of counted) {
    for (let parent = tree.parentOf(record.category); parent !== null && !rollups.has(parent); parent = tree.parentOf(parent)) rollups.add(parent);
  }
  return counted
    .filter((record) => !tree.isRoot(record.category) && !rollups.has(normalizeCategory(record.category)))
    .map((record) => {
      const { category, parentCategory, product, placement } = tree.placementOf(record.category);
      return { ...record, category, parentCategory, product, isUnattributed: false, placement };
    });
}
