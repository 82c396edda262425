/**
 * What the report says about lines a FinOps reader would otherwise trip on: the residual rows, the
 * negative lines and how a category found its parent. Wording lives here, as data, so the page
 * model only picks it.
 */
import { UNREAD_SUBACCOUNTS_CATEGORY } from './queries';

/** The top-level residual of usage_costs: totalprice beyond every category. */
const TOP_LEVEL_RESIDUAL = 'unattributed';
const RESIDUAL_SUFFIX = ':unattributed';

/** One sentence on subaccounts:unattributed, used wherever it appears. */
export const UNREAD_SUBACCOUNTS_MEANING =
  "Spend in the main account's whole bill that no subaccount read on its own accounts for: a subaccount that was closed, one left out by subaccount_sids, or one Twilio would not let the connector read; usage_costs books it on the main account, and this report shows it apart.";

/** What a residual row (`…:unattributed`) means. */
export function residualMeaning(category: string): string {
  if (category === UNREAD_SUBACCOUNTS_CATEGORY) return UNREAD_SUBACCOUNTS_MEANING;
  if (category === TOP_LEVEL_RESIDUAL) return 'Part of totalprice that no usage category reports. Twilio documents that some costs sit in no category, so this is expected in small amounts.';
  const rollup = category.endsWith(RESIDUAL_SUFFIX) ? category.slice(0, -RESIDUAL_SUFFIX.length) : category;
  return `Part of ${rollup} that none of its sub-categories explains: a sub-category Twilio did not list those days, or one the connector placed elsewhere (sync logs a warning for it). It is ${rollup} spend all the same.`;
}

/** Category names that say what kind of negative line they are. */
const NEGATIVE_LINE_KINDS: ReadonlyArray<{ pattern: RegExp; kind: string }> = [
  { pattern: /adjust/, kind: 'An adjustment Twilio books as usage; a negative one takes money off the bill.' },
  { pattern: /credit|refund/, kind: 'A credit Twilio books as usage: money given back, or moved between accounts.' },
  { pattern: /bucket/, kind: "A correction of a prepaid bucket's usage, booked as usage." },
];

/** What a category's negative lines are, for the credits and adjustments section. */
export function negativeLineMeaning(category: string, isUnattributed: boolean): string {
  if (category === UNREAD_SUBACCOUNTS_CATEGORY) return 'On those days the subaccounts not read on their own had a net credit: their usage was less than what Twilio gave back to them.';
  if (isUnattributed) return 'A residual below zero: on those days the categories reported more than the total above them, as when Twilio applies a credit to the total only.';
  const known = NEGATIVE_LINE_KINDS.find(({ pattern }) => pattern.test(category));
  return known?.kind ?? 'A negative price in a usage category: Twilio refunded or corrected an earlier charge.';
}

/** How usage_costs found a category's parent. */
export const PLACEMENT_MEANINGS: ReadonlyArray<{ placement: string; meaning: string }> = [
  { placement: 'curated', meaning: "from the connector's table of Twilio's documented hierarchy" },
  { placement: 'name', meaning: 'by its name: under the longest category it extends (sms-outbound-longcode under sms-outbound)' },
  { placement: 'numbers', meaning: 'moved there by the numbers: its daily prices fit under that parent and nowhere else' },
];
