import { candidateMoves, type OneDayRule, overlaps, sameRank } from './moves';
import type { Move } from './types';
import type { WindowNumbers } from './window-numbers';
import { WindowTree } from './window-tree';

export interface GreedyOutcome {
  /** The prior with the moves made. */
  readonly tree: WindowTree;
  readonly moves: readonly Move[];
  /** Moves that ranked alike: none of them is made, and the categories they involve stay put. */
  readonly ties: ReadonlyArray<readonly Move[]>;
}

/** One best move at a time; ties freeze the categories they involve. */
export function greedyPlacement(numbers: WindowNumbers, oneDay: OneDayRule = 'alone'): GreedyOutcome {
  const tree = new WindowTree(numbers);
  const moves: Move[] = [];
  const ties: Move[][] = [];
  const frozen = new Set<string>();
  // Each applied move lowers (misfits, distance), so this ends; the bound only guards against a mistake.
  for (let round = 0; round < 4 * numbers.categories.length + 4; round++) {
    const candidates = candidateMoves(tree, frozen, oneDay);
    const best = candidates[0];
    if (best === undefined) break;
    // A rival that is the best move with twins swapped is no rival: which twin moves is settled at
    // the end, where such swaps are reported as ties when they matter (index.ts).
    const bestKey = numbers.twins.keyOf(numbers, best.move);
    const rivals = candidates.filter((candidate) => candidate !== best && sameRank(candidate, best) && overlaps(candidate.move, best.move) && numbers.twins.keyOf(numbers, candidate.move) !== bestKey);
    if (rivals.length > 0) {
      ties.push([best.move, ...rivals.map((rival) => rival.move)]);
      for (const move of [best.move, ...rivals.map((rival) => rival.move)]) for (const category of move.categories) frozen.add(category);
      continue;
    }
    tree.apply(best.move);
    moves.push(best.move);
  }
  return { tree, moves, ties };
}
