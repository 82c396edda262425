import type { Decimal } from '../../money';

/** A category, or null for the top level (the children of totalprice). */
export type Container = string | null;

export interface SolverNode {
  /** The price on each day of the window (0 where Twilio had no record). */
  readonly prices: readonly Decimal[];
  /** Where the curation or the name puts it. */
  readonly prior: Container;
}

export interface SolverInput {
  readonly dayCount: number;
  /** Every category with a non-zero price on some day, except totalprice and documented double counts. */
  readonly nodes: ReadonlyMap<string, SolverNode>;
  /** totalprice on each day, or null where Twilio sent none (the top level is then unchecked that day). */
  readonly anchor: readonly (Decimal | null)[];
}

/** Categories re-parented together: category i goes from `from[i]` to `to[i]`. */
export interface Move {
  readonly categories: readonly string[];
  readonly from: readonly Container[];
  readonly to: readonly Container[];
}

export interface Placement {
  readonly parents: ReadonlyMap<string, Container>;
  /** In the order they were made. */
  readonly moves: readonly Move[];
  /** Alternatives the numbers could not tell apart; each is left as the prior placed it. */
  readonly ties: ReadonlyArray<readonly Move[]>;
  /** Why the exact search stopped before trying every placement within its reach, if it did. */
  readonly searchCut: string | null;
}

/** How well a container, or a whole placement, fits the window. */
export interface Fit {
  /** Container-days whose price differs from the sum of its children. */
  readonly misfits: number;
  /** Σ |price − Σ children| over those days. */
  readonly distance: Decimal;
}

/** A placement's fit and how many moves (or categories away from the prior) it took: smaller is better. */
export interface Score extends Fit {
  readonly moves: number;
}

export function compareScores(a: Score, b: Score): number {
  if (a.misfits !== b.misfits) return a.misfits - b.misfits;
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  return a.moves - b.moves;
}

/** Days a moved set must be priced on before anything but the plainest move is trusted. */
export const MIN_EVIDENCE_DAYS = 2;
