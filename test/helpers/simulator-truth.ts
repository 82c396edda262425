import { addDays } from '../../source-twilio-costs/dates';
import { parseDecimal, type Decimal } from '../../source-twilio-costs/money';
import type { Dataset } from '../../tools/simulator/dataset';

/** A JSON number the connector printed, back to an exact decimal (it was printed from one). */
export const exact = (value: unknown): Decimal => parseDecimal(String(value));

export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Categories Twilio documents as reported twice: their money is inside another category. */
export const OVERLAP_CATEGORIES = new Set(['authy-sms-outbound', 'authy-calls-outbound']);

/**
 * The true leaves of an account-day in the simulator's own model: reported, priced, with no
 * priced child. Overlaps are left out (their price is inside their parent's).
 */
export function trueLeaves(dataset: Dataset, accountSid: string, day: string): Map<string, Decimal> {
  const reported = dataset.usage(accountSid, day);
  const priceOf = (category: string): Decimal => reported.get(category)?.price ?? 0n;
  const leaves = new Map<string, Decimal>();
  for (const node of dataset.truthNodes()) {
    if (node.parent === null || priceOf(node.category) === 0n || OVERLAP_CATEGORIES.has(node.category.toLowerCase())) continue;
    const pricedChildren = node.children.filter((child) => priceOf(child) !== 0n && !OVERLAP_CATEGORIES.has(child.toLowerCase()));
    if (pricedChildren.length === 0) {
      const overlapInside = node.children.filter((child) => OVERLAP_CATEGORIES.has(child.toLowerCase())).reduce((sum, child) => sum + priceOf(child), 0n);
      // A node whose only priced children are overlaps is itself the leaf, overlap included.
      if (node.children.length === 0 || overlapInside !== 0n || priceOf(node.category) !== 0n) leaves.set(node.category.toLowerCase(), priceOf(node.category));
    }
  }
  return leaves;
}
