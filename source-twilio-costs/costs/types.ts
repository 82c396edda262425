import type { Decimal } from '../money';

/** Where a category's place in the hierarchy came from. */
export type PlacementSource = 'curated' | 'name' | 'numbers';

/** One usage record of one account and one day, already parsed from Twilio's strings. */
export interface CostInputRecord {
  /** As Twilio wrote it; compared case-insensitively. */
  category: string;
  price: Decimal;
  count: Decimal | null;
  countUnit: string | null;
  usage: Decimal | null;
  usageUnit: string | null;
}

/** One leaf-cost row of one account-day. */
export interface CostRow {
  /** Lower-cased category, or a synthetic `<parent>:unattributed` / `unattributed`. */
  category: string;
  /** Lower-cased parent category, or null at the top level. */
  parentCategory: string | null;
  /** Product family a person groups by: Messaging, Voice, Phone Numbers, Video, Lookup, Verify, … Other. */
  product: string;
  price: Decimal;
  isUnattributed: boolean;
  count: Decimal | null;
  countUnit: string | null;
  usage: Decimal | null;
  usageUnit: string | null;
  /** How this row's parent was decided. */
  placement: PlacementSource;
}

/** Something the reconciliation decided or could not decide, for a LOG message. */
export interface ReconcileNote {
  level: 'info' | 'warn';
  message: string;
}

/**
 * A reported rollup that rows sit under that day. It is not a row: its children (and its
 * `<category>:unattributed` residual) carry its price. Listed so that the day's tree is auditable.
 */
export interface DayRollup {
  category: string;
  parentCategory: string | null;
  price: Decimal;
  placement: PlacementSource;
}

export interface ReconciledDay {
  rows: CostRow[];
  notes: ReconcileNote[];
  /** Sorted by category. Σ rows.price of the rollup's subtree equals its price. */
  rollups: DayRollup[];
}

/** A category's place, for the usage_categories dimension stream. */
export interface CategoryPlacement {
  category: string;
  parentCategory: string | null;
  product: string;
  isRollup: boolean;
  placement: PlacementSource;
  /**
   * Non-null for a documented double count (authy-sms-outbound → sms): the category whose price
   * already includes this one's. Such a category is never summed into cost rows.
   */
  includedIn: string | null;
}
