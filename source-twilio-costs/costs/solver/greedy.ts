import { candidateMoves, overlaps, sameRank } from './moves';
import type { Move, Placement } from './types';
import type { WindowNumbers } from './window-numbers';
import { WindowTree } from './window-tree';

/** One best move at a time; ties freeze the categories they involve. */
export function greedyPlacement(numbers: WindowNumbers): { placement: Placement; tree: WindowTree } {
  const tree = new WindowTree(numbers);
  const moves: Move[] = [];
  const ties: Move[][] = [];
  const frozen = new Set<string>();
  // Each applied move lowers (misfits, distance), so this ends; the bound only guards against a mistake.
  for (let round = 0; round < 4 * numbers.categories.length + 4; round++) {
    const candidates = candidateMoves(tree, frozen);
    const best = candidates[0];
    if (best === undefined) break;
    const rivals = candidates.filter((candidate) => candidate !== best && sameRank(candidate, best) && overlaps(candidate.move, best.move));
    if (rivals.length > 0) {
      ties.push([best.move, ...rivals.map((rival) => rival.move)]);
      for (const move of [best.move, ...rivals.map((rival) => rival.move)]) for (const category of move.categories) frozen.add(category);
      continue;
    }
    tree.apply(best.move);
    moves.push(best.move);
  }
  return { placement: { parents: tree.parents(), moves, ties, searchCut: null }, tree };
}
