import type { Decimal } from '../../money';

/** A category, or null for the top level (the children of totalprice). */
export type Container = string | null;

export interface SolverNode {
  /** The price on each day of the window (0 where Twilio had no record). */
  readonly prices: readonly Decimal[];
  /** Where the curation or the name puts it. */
  readonly prior: Container;
  /**
   * How general its name reads (higher is more general; 0 when not given). Of two categories with
   * the same prices on every day, only the more general may hold the other.
   */
  readonly generality?: number;
  /**
   * The product family its name belongs to, or null when unknown. A move that rests on one day's
   * prices puts a category only under one of its own family: one equality between strangers is too
   * easily a coincidence.
   */
  readonly family?: string | null;
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
  /** Moves from the prior that the numbers prove (see certainty.ts), one per place left and place joined. */
  readonly moves: readonly Move[];
  /** Moves made that they do not prove: the best placement a complete search found, not the only one that fits. */
  readonly uncertain: readonly Move[];
  /**
   * Moves not made: unproven, where the search was cut short before it could rule out a better one,
   * or whose only support is a rollup they leave without a priced child to check it (certainty.ts).
   */
  readonly withheld: readonly Move[];
  /** Twins (the same prices every day) the moves place one under the other. */
  readonly nestings: readonly Nesting[];
  /** Alternatives the numbers could not tell apart; each is left as the prior placed it. */
  readonly ties: ReadonlyArray<readonly Move[]>;
  /** Why the exact search stopped before trying every placement within its reach, if it did. */
  readonly searchCut: string | null;
}

/** A twin placed under another: the numbers cannot tell which of the two holds the other. */
export interface Nesting {
  readonly holder: string;
  readonly held: string;
  /**
   * Whether their names decided the direction (the other moves as many categories from the prior);
   * otherwise it keeps more categories where the prior put them.
   */
  readonly byName: boolean;
}

/** How well a container, or a whole placement, fits the window. */
export interface Fit {
  /** Container-days whose price differs from the sum of its children. */
  readonly misfits: number;
  /** Σ |price − Σ children| over those days. */
  readonly distance: Decimal;
}

/**
 * A placement's fit, how many categories it places away from the prior, and how much further than
 * the prior it nests twins against their names (twins.ts; negative where it undoes such a nesting):
 * smaller is better, in that order.
 */
export interface Score extends Fit {
  readonly moves: number;
  readonly againstNames: number;
}

export function compareScores(a: Score, b: Score): number {
  if (a.misfits !== b.misfits) return a.misfits - b.misfits;
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  if (a.moves !== b.moves) return a.moves - b.moves;
  return a.againstNames - b.againstNames;
}

/** Days a moved set must be priced on before anything but the plainest move is trusted. */
export const MIN_EVIDENCE_DAYS = 2;
