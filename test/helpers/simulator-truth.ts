import { addDays } from '../../source-twilio-costs/dates';
import { type Decimal, DECIMAL_SCALE, parseDecimal } from '../../source-twilio-costs/money';
import { type Nanos, NANOS_PER_UNIT } from '../../tools/simulator/amounts';
import type { Dataset, SimUsage } from '../../tools/simulator/dataset';

/** Connector units per simulator unit: each side keeps its own exact arithmetic. */
const CONNECTOR_UNITS_PER_NANO = 10n ** BigInt(DECIMAL_SCALE) / NANOS_PER_UNIT;

/** An exact connector amount in the simulator's unit, to compare with its truth; finer than that is an error. */
export function inSimulatorUnits(value: Decimal): Nanos {
  if (value % CONNECTOR_UNITS_PER_NANO !== 0n) throw new Error(`${value} connector units is finer than the simulator's unit`);
  return value / CONNECTOR_UNITS_PER_NANO;
}

/** A JSON number the connector printed, back to an exact amount in the simulator's unit (it was printed from an exact decimal). */
export const exact = (value: unknown): Nanos => inSimulatorUnits(parseDecimal(String(value)));

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
  return trueLeavesOf(dataset, dataset.usage(accountSid, day));
}

/** The true leaves of one day's report, of an account or of a scope of several. */
export function trueLeavesOf(dataset: Dataset, reported: ReadonlyMap<string, SimUsage>): Map<string, Decimal> {
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
