/**
 * Finds where each category of one account's window really sits, from the numbers of every day.
 *
 * Twilio reports a rollup's price as the sum of its children's, every day. So a placement (a
 * parent for every priced category) is right when, on every day, each rollup's price equals the
 * sum of its children's and totalprice equals the sum of the top level. The curation and the names
 * give a first placement (the prior); where it is wrong, some containers over-sum and others
 * under-sum by exactly the prices of the misplaced categories, day after day.
 *
 * 1. Greedy choice (greedy.ts, moves.ts) makes one best move at a time: a set re-parented from one
 *    container (whole, or handed out to several rollups), drawn from several (a rollup adopting
 *    children that sit in two places), or swapped between two containers, when a container then
 *    fits exactly on every day of the window (a vector equality over days, which coincidences
 *    rarely satisfy once there are a few days) and the window fits better. Moves that rank alike
 *    are a tie, left as the prior has them.
 * 2. Where anything was moved or misfits remain, an exact search (exact.ts) tries every placement
 *    that re-parents up to four categories near the greedy placement or the prior, and keeps the
 *    one that fits best with the fewest categories away from the prior, or reports a tie. It
 *    settles misplacements that interlock and sees the rival a sequence of moves did not.
 * 3. Twins (twins.ts: categories with the same prices every day) cannot be told apart by the
 *    numbers: a swap of two is taken where it moves fewer categories or nests less against their
 *    names, and reported as a tie where it is as good. A group the docs suggest (a2p-registration-fees)
 *    that is the twin of a category beside it holds it where its container fits no worse: on a
 *    short window, cost in no category at the top level hides that it is counted twice.
 * 4. The exact prices judge every move (certainty.ts): one that makes every rollup it touches fit on
 *    every day is proven; the others are made but said to be unproven, or not made where the
 *    search was cut short or where all that supports the move is a rollup it leaves unchecked.
 *
 * (A beam search over move sequences once ran between 1 and 2. Over 2,000 random windows its
 * answer changed the outcome of one, which the numbers do not determine, and on crowded windows it
 * was never used while it took a third of the time: it was removed.)
 *
 * Pure: no I/O. The searches work on whole numbers of the window's price step (window-numbers.ts)
 * and fingerprints, which only shortlist; what is chosen is checked on the exact prices.
 */
import { type Judgement, judgeMoves } from './certainty';
import { exactPlacement } from './exact';
import { type GreedyOutcome, greedyPlacement } from './greedy';
import { movesBetween, priorParents } from './placements';
import { bestUnderTwinSwaps, movedFrom, suggestedGroupsOverTwins, swapped } from './twins';
import { type Container, MIN_EVIDENCE_DAYS, type Move, type Nesting, type Placement, type SolverInput } from './types';
import { WindowNumbers } from './window-numbers';
import { WindowTree } from './window-tree';

export type { Container, Move, Nesting, Placement, SolverInput, SolverNode } from './types';

export function solvePlacement(input: SolverInput): Placement {
  const numbers = new WindowNumbers(input);
  const prior = priorParents(input);
  const greedy = shortWindowPlacement(numbers, prior) ?? greedyPlacement(numbers);
  let parents = greedy.tree.parents();
  const ties: Array<readonly Move[]> = [...greedy.ties];
  let cut: string | null = null;
  // On a single day, the exact search's alternatives would rest on that one equality each: greedy's
  // own rivals are the search there.
  if (!settled(greedy) && input.dayCount >= MIN_EVIDENCE_DAYS) {
    // Misplacements that interlock (a category that fits nowhere better on its own until another
    // moves too) defeat greedy choice, and a sequence of moves can pick one of two placements that
    // fit equally well without seeing the other: an exhaustive search over small sets settles both.
    const exact = exactPlacement(numbers, greedy.tree);
    cut = exact.cut;
    if (exact.parents !== undefined) {
      parents = exact.parents;
      ties.splice(0, ties.length, ...(exact.tie ? [exact.tie] : []));
    }
  }
  const swaps = bestUnderTwinSwaps(numbers, prior, parents);
  parents = swaps.parents;
  if (swaps.mirrors.length > 0) {
    const found = parents;
    parents = withPriorWhereDisputed(parents, swaps.mirrors, prior);
    ties.push([found, ...swaps.mirrors].map((alternative) => movesBetween(parents, alternative)));
  }
  // A tie over a twin that a group the docs suggest now holds is settled by that name.
  const nestedUnderGroups = new Set(suggestedGroupsOverTwins(numbers, parents));
  if (nestedUnderGroups.size > 0) ties.splice(0, ties.length, ...ties.filter((tie) => !tie.every((move) => move.categories.every((category) => nestedUnderGroups.has(category)))));
  // Only what the exact prices prove is called certain. Where the search was cut short, it could
  // not rule out a better placement, so what they do not prove is not done. Nor, on any window, an
  // unproven move whose only support is a rollup it empties: its fit there is just the check it
  // removed, and a window whose days do check that rollup would place the category otherwise.
  let judgement = judgeMoves(input, prior, parents);
  const withheld: Move[] = [];
  const notToMake = (judged: Judgement): readonly string[] => (cut !== null ? judged.unproven : judged.unsupported);
  while (notToMake(judgement).length > 0) {
    const categories = notToMake(judgement);
    withheld.push(...legsOf(movesBetween(prior, parents), new Set(categories)));
    parents = reverted(parents, categories, prior);
    judgement = judgeMoves(input, prior, parents);
  }
  const changed = movesBetween(prior, parents);
  const proven = new Set(judgement.proven);
  const nestings: Nesting[] = [];
  changed.categories.forEach((held, index) => {
    const holder = changed.to[index] ?? null;
    if (holder === null || !numbers.twins.areTwins(numbers.indexOf(holder), numbers.indexOf(held))) return;
    nestings.push({ holder, held, byName: movedFrom(prior, swapped(parents, holder, held)) === movedFrom(prior, parents) });
  });
  return {
    parents,
    moves: legsOf(changed, proven),
    uncertain: legsOf(changed, new Set(judgement.unproven)),
    withheld,
    nestings,
    ties,
    searchCut: cut,
  };
}

/**
 * Nothing moved, nothing tied and every rollup fits: the prior stands, and the top level may hold
 * cost in no category (the common case, left cheap), unless its misfit looks like a category in the
 * wrong place (one counted twice, say, whose parts sit where everything fits).
 */
function settled(greedy: GreedyOutcome): boolean {
  return greedy.moves.length === 0 && greedy.ties.length === 0 && greedy.tree.misfitting().every((container) => container === null) && !greedy.tree.topLooksMisplaced();
}

/**
 * On a single day, greedy choice that takes a move when the containers it touches fit, and keeps
 * the moves only if the whole placement then fits every rollup that day: where two misplacements
 * share the day, neither move alone makes everything fit. Undefined where that fits no better than
 * moves that fit alone.
 */
function shortWindowPlacement(numbers: WindowNumbers, prior: ReadonlyMap<string, Container>): GreedyOutcome | undefined {
  if (numbers.dayCount >= MIN_EVIDENCE_DAYS) return undefined;
  const alone = greedyPlacement(numbers);
  if (settled(alone)) return alone;
  const together = greedyPlacement(numbers, 'together');
  const kept = withoutUnfitOneDayMoves(numbers, prior, together.tree.parents());
  const tree = new WindowTree(numbers);
  const moves = movesBetween(prior, kept);
  tree.apply(moves);
  if (tree.score().misfits >= alone.tree.score().misfits) return alone;
  return { tree, moves: moves.categories.length > 0 ? [moves] : [], ties: together.ties };
}

/**
 * The placement with every category moved on the strength of one day's prices put back, unless the
 * whole placement fits exactly on its days in every container, the top level included (where it
 * holds cost in no category that day, nothing is proven): one day proves a move only together with
 * the rest (two misplacements on one day are each moved alone, then judged together).
 */
function withoutUnfitOneDayMoves(numbers: WindowNumbers, prior: ReadonlyMap<string, Container>, found: ReadonlyMap<string, Container>): Map<string, Container> {
  let parents = new Map(found);
  for (;;) {
    const tree = new WindowTree(numbers);
    tree.apply(movesBetween(prior, parents));
    const containers = [...tree.containers()];
    const unfit = [...parents.keys()].filter((category) => {
      if (parents.get(category) === (prior.get(category) ?? null) || (numbers.pricedDays[numbers.indexOf(category)] ?? 0) >= MIN_EVIDENCE_DAYS) return false;
      const days = tree.pricedDayList([category], numbers.dayCount);
      return containers.some((container) => tree.misfitsOn(container, days) > 0);
    });
    if (unfit.length === 0) return parents;
    parents = reverted(parents, unfit, prior);
  }
}

/** The categories some mirror places otherwise go back where the prior put them. */
function withPriorWhereDisputed(parents: ReadonlyMap<string, Container>, alternatives: ReadonlyArray<ReadonlyMap<string, Container>>, prior: ReadonlyMap<string, Container>): Map<string, Container> {
  return new Map([...parents].map(([category, parent]) => [category, alternatives.some((other) => other.get(category) !== parent) ? (prior.get(category) ?? null) : parent]));
}

/** The placement with these categories back where the prior put them, and any category a cycle would then run through too. */
function reverted(parents: ReadonlyMap<string, Container>, categories: readonly string[], prior: ReadonlyMap<string, Container>): Map<string, Container> {
  const result = new Map(parents);
  for (const category of categories) result.set(category, prior.get(category) ?? null);
  for (let changed = true; changed;) {
    changed = false;
    for (const category of result.keys()) {
      const cycle = cycleThrough(result, category);
      for (const member of cycle) {
        if (result.get(member) === (prior.get(member) ?? null)) continue;
        result.set(member, prior.get(member) ?? null);
        changed = true;
      }
    }
  }
  return result;
}

/** The categories on a cycle above `category`, if its parents lead back into one. */
function cycleThrough(parents: ReadonlyMap<string, Container>, category: string): string[] {
  const path: string[] = [];
  for (let current: Container = category; current !== null; current = parents.get(current) ?? null) {
    const seen = path.indexOf(current);
    if (seen >= 0) return path.slice(seen);
    path.push(current);
  }
  return [];
}

/** The part of a move that re-parents the given categories, one move per place left and place joined. */
function legsOf(move: Move, categories: ReadonlySet<string>): Move[] {
  const legs = new Map<string, { categories: string[]; from: Container[]; to: Container[] }>();
  move.categories.forEach((category, index) => {
    if (!categories.has(category)) return;
    const from = move.from[index] ?? null;
    const to = move.to[index] ?? null;
    const key = `${from ?? ''}>${to ?? ''}`;
    const leg = legs.get(key) ?? { categories: [], from: [], to: [] };
    leg.categories.push(category);
    leg.from.push(from);
    leg.to.push(to);
    legs.set(key, leg);
  });
  return [...legs.values()];
}
