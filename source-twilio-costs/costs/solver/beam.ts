import { candidateMoves } from './moves';
import { compareScores, type Move, type Score, type SolverInput } from './types';
import { WindowTree } from './window-tree';

/** How many partial placements the wider search keeps, and how many moves it tries from each. */
const BEAM_WIDTH = 4;
const BEAM_BRANCHES = 5;
/** Partial placements expanded at most: bounds the search on long windows, where each costs most. */
const BEAM_EXPANSIONS = 12;

/**
 * Keeps the few best partial placements and extends each by its few best moves, so that a move
 * that fits two containers locally but strands the true placement is outgrown by a sequence that
 * ends fitting better. Its answer is used only when it fits strictly better than greedy's and no
 * different placement fits as well (otherwise the numbers do not decide).
 */
export function beamPlacement(input: SolverInput): { tree: WindowTree; moves: Move[]; score: Score } | undefined {
  type State = { moves: Move[]; tree: WindowTree; score: Score; signature: string };
  const stateOf = (moves: Move[]): State => {
    const tree = new WindowTree(input);
    for (const move of moves) tree.apply(move);
    return { moves, tree, score: { ...tree.score(), moves: moves.length }, signature: tree.signature() };
  };
  let beam: State[] = [stateOf([])];
  const finals: State[] = [];
  let expansions = 0;
  for (let depth = 0; depth < 2 * input.nodes.size + 2 && beam.length > 0 && expansions < BEAM_EXPANSIONS; depth++) {
    const next = new Map<string, State>();
    for (const state of beam) {
      expansions += 1;
      const candidates = candidateMoves(state.tree, new Set()).slice(0, BEAM_BRANCHES);
      if (candidates.length === 0) finals.push(state);
      for (const candidate of candidates) {
        const child = stateOf([...state.moves, candidate.move]);
        const known = next.get(child.signature);
        if (!known || compareScores(child.score, known.score) < 0) next.set(child.signature, child);
      }
    }
    beam = [...next.values()].sort((a, b) => compareScores(a.score, b.score)).slice(0, BEAM_WIDTH);
  }
  finals.push(...beam);
  const ranked = finals.sort((a, b) => compareScores(a.score, b.score));
  const best = ranked[0];
  if (!best) return undefined;
  const rival = ranked.find((state) => state.signature !== best.signature && state.score.misfits === best.score.misfits && state.score.distance === best.score.distance);
  return rival ? undefined : best;
}
