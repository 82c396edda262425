/**
 * Finds where each category of one account's window really sits, from the numbers of every day.
 *
 * Twilio reports a rollup's price as the sum of its children's, every day. So a placement (a
 * parent for every priced category) is right when, on every day, each rollup's price equals the
 * sum of its children's and totalprice equals the sum of the top level. The curation and the names
 * give a first placement (the prior); where it is wrong, some containers over-sum and others
 * under-sum by exactly the prices of the misplaced categories, day after day.
 *
 * A move re-parents a set of categories: from one container, drawn from several (a rollup adopting
 * children that sit in two places), or swapped between two containers. It is made only when a
 * container then fits exactly on every day of the window (a vector equality over days, which
 * coincidences rarely satisfy once there are a few days), no container fits on fewer days unless
 * the misfits fall in all, the window fits better, and no rival move fits as well (a tie is
 * reported and left as the prior has it). Greedy choice runs first. Then, where anything was moved
 * or misfits remain, an exact search tries every
 * placement that re-parents up to four categories (drawn from around the misfits and the moves
 * made) of the prior or of that placement, and keeps the one that fits best with the fewest
 * categories away from the prior, or reports a tie where another fits exactly as well. It settles
 * misplacements that interlock (a move whose first half fits nothing better on its own), and
 * sees the rival a sequence of moves did not.
 *
 * (A beam search over move sequences once ran between the two. Over 2,000 random windows its
 * answer changed the outcome of one, which the numbers do not determine, and on crowded windows it
 * was never used while it took a third of the time: it was removed.)
 *
 * Pure: no I/O. Prices are whole numbers of the window's price step (window-numbers.ts); fingerprints
 * only shortlist candidates, which are then checked exactly.
 */
import { exactPlacement } from './exact';
import { greedyPlacement } from './greedy';
import { movesBetween, priorParents } from './placements';
import { MIN_EVIDENCE_DAYS, type Placement, type SolverInput } from './types';
import { WindowNumbers } from './window-numbers';

export type { Container, Move, Placement, SolverInput, SolverNode } from './types';

export function solvePlacement(input: SolverInput): Placement {
  const numbers = new WindowNumbers(input);
  const chosen = greedyPlacement(numbers);
  // Nothing moved, nothing tied and every rollup fits: the prior stands, and the top level may hold
  // cost in no category (the common case, left cheap). On a single day, nothing the exact search
  // could find would be trusted.
  const settled = chosen.placement.moves.length === 0 && chosen.placement.ties.length === 0 && chosen.tree.misfitting().every((container) => container === null);
  if (settled || input.dayCount < MIN_EVIDENCE_DAYS) return chosen.placement;
  // Misplacements that interlock (a category that fits nowhere better on its own until another
  // moves too) defeat both, and a sequence of moves can pick one of two placements that fit equally
  // well without seeing the other: an exhaustive search over small sets of categories settles both.
  const exact = exactPlacement(numbers, chosen.tree);
  if (exact.parents === undefined) return { ...chosen.placement, searchCut: exact.cut };
  const moved = movesBetween(priorParents(input), exact.parents);
  return { parents: exact.parents, moves: moved.categories.length > 0 ? [moved] : [], ties: exact.tie ? [exact.tie] : [], searchCut: exact.cut };
}
