import { compareText } from '../hierarchy';
import { mod } from './fingerprint';
import { SMALL_MOVE } from './moves';
import { acyclic, changesFrom, movesBetween, priorParents, signatureOf } from './placements';
import { forEachSet, forEachSubset, largestSubset } from './subsets';
import { compareScores, MIN_EVIDENCE_DAYS, type Container, type Fit, type Move, type Score, type SolverInput } from './types';
import type { WindowNumbers } from './window-numbers';
import { WindowTree } from './window-tree';

/** Most categories the exact search re-parents at once. */
const EXACT_DEPTH = 4;
/** Most sets of categories it tries: bounds it on long windows with many categories out of place. */
const EXACT_SET_BUDGET = 300_000;
/** Most placements it scores: bounds it where many categories cost the same and so fit many ways. */
const EXACT_PLACEMENT_BUDGET = 20_000;

export interface ExactOutcome {
  /**
   * Undefined when the start stands. Otherwise the placement that fits best with the fewest
   * categories away from the prior; where others fit exactly as well, the categories they dispute
   * are left where the prior put them.
   */
  readonly parents?: Map<string, Container>;
  /** The placements that fit equally well, as moves from `parents`: the numbers do not decide. */
  readonly tie?: Move[];
  readonly cut: string | null;
}

/**
 * Tries every placement that re-parents at most EXACT_DEPTH categories of the prior, or of the
 * placement greedy reached (which may need fewer changes, or may be where a mistake was
 * made), and keeps the one where the window fits best with the fewest categories away from the
 * prior. The categories re-parented are drawn from the children of misfitting containers and, from
 * the reached placement, from what it moved and the children of the containers those moves touched.
 * Given a set, a rollup fits only by gaining exactly what it lacks, so a subset of the set goes to a
 * container only when its fingerprint matches the container's shortfall, and every container left
 * must fit with what stays or gain what it lacks; the top level may take any subset. Rollups the set
 * does not touch stay as they are (one may hold cost no category explains). Matches are then scored
 * exactly. At most EXACT_SET_BUDGET sets are tried in all; a cut is reported.
 */
export function exactPlacement(numbers: WindowNumbers, reached: WindowTree): ExactOutcome {
  const { input } = numbers;
  const prior = priorParents(input);
  /** A placement found: the categories away from the prior, with their parents. */
  type Found = { readonly changes: ReadonlyMap<string, Container>; readonly score: Score; readonly trusted: boolean };
  const parentsOf = (candidate: Found): Map<string, Container> => new Map([...prior, ...candidate.changes]);
  const evidence = new Map([...input.nodes.keys()].map((category) => [category, reached.pricedDays([category]) >= MIN_EVIDENCE_DAYS]));
  /** By the categories away from the prior and where they go: one entry per placement. */
  const found = new Map<string, Found>();
  const reachedParents = reached.parents();
  // The reached placement is a candidate too: another may fit exactly as well.
  const reachedChanges = changesFrom(prior, reachedParents);
  const reachedCandidate: Found = { changes: reachedChanges, score: { ...reached.score(), moves: reachedChanges.size }, trusted: true };
  found.set(signatureOf(reachedChanges), reachedCandidate);
  const starts = reachedCandidate.score.moves === 0 ? [reached] : [new WindowTree(numbers), reached];
  let tried = 0;
  let cut: string | null = null;
  for (const start of starts) {
    const misfitting = start.misfitting();
    const startParents = start.parents();
    const moved = [...startParents.keys()].filter((category) => prior.get(category) !== startParents.get(category));
    const touched = new Set(moved.flatMap((category) => [prior.get(category) ?? null, startParents.get(category) ?? null]));
    const near = new Set([...misfitting, ...touched].flatMap((container) => start.childrenOf(container)).concat(moved));
    // A category with the same prices as one of those can take its place in a container that fits,
    // and a few that add up to what one of those lacks can join it (a rollup that looks like a leaf
    // adopting its children, which may sit where everything fits).
    const nearPrints = new Set([...near].map((category) => start.printOf(category)));
    const categories = [...input.nodes.keys()].sort(compareText);
    const lacking = new Set([...near].map((category) => start.shortfallPrint(category)).filter((print) => print !== 0));
    const adopted = new Set<string>();
    forEachSubset(
      categories.map((category) => start.printOf(category)),
      Math.min(SMALL_MOVE, largestSubset(categories.length)),
      (print, picked) => {
        if (lacking.has(print)) for (const index of picked) adopted.add(categories[index] as string);
      },
    );
    const shortlist = categories.filter((category) => near.has(category) || adopted.has(category) || nearPrints.has(start.printOf(category)));
    const view = searchStartOf(input, start);
    const startFit = start.score();
    const fitBefore = new Map<Container, Fit>();
    const fitOf = (container: Container): Fit => {
      const known = fitBefore.get(container);
      if (known) return known;
      const fit = start.fitOf(container);
      fitBefore.set(container, fit);
      return fit;
    };
    // Many placements send the same categories to or from the top level: its fit is worked out once each.
    const topFits = new Map<string, Fit>();
    const topFitAfter = (joining: readonly string[], leaving: readonly string[]): Fit => {
      const key = `${joining.join(',')}|${leaving.join(',')}`;
      const known = topFits.get(key);
      if (known) return known;
      const fit = start.topFitAfter(joining, leaving, fitOf(null));
      topFits.set(key, fit);
      return fit;
    };
    const consider = (members: readonly string[], to: readonly Container[]): void => {
      const overrides = new Map(members.map((member, index) => [member, to[index] ?? null]));
      const parentOf = (category: string): Container => (overrides.has(category) ? (overrides.get(category) ?? null) : (startParents.get(category) ?? null));
      if (!acyclic(parentOf, members, input.nodes.size)) return;
      const changes = new Map<string, Container>();
      for (const category of [...moved, ...members]) if (parentOf(category) !== (prior.get(category) ?? null)) changes.set(category, parentOf(category));
      const signature = signatureOf(changes);
      if (found.has(signature)) return;
      if (found.size >= EXACT_PLACEMENT_BUDGET) {
        cut ??= `stopped after scoring ${EXACT_PLACEMENT_BUDGET} placements`;
        return;
      }
      // Every rollup the move touches fits exactly afterwards (its fingerprint says so; the chosen
      // placement is checked in full), so only the top level's fit needs working out.
      const from = members.map((member) => startParents.get(member) ?? null);
      let { misfits, distance } = startFit;
      for (const container of new Set([...from, ...to])) {
        const was = fitOf(container);
        const now = container === null ? topFitAfter(members.filter((_, index) => to[index] === null), members.filter((_, index) => from[index] === null)) : { misfits: 0, distance: 0n };
        misfits += now.misfits - was.misfits;
        distance += now.distance - was.distance;
      }
      // One day is weak evidence: such a placement may tie with the chosen one, never be chosen.
      const trusted = members.every((member) => parentOf(member) === (reachedParents.get(member) ?? null) || evidence.get(member) === true);
      found.set(signature, { changes, score: { misfits, distance, moves: changes.size }, trusted });
    };
    for (let size = 1; size <= Math.min(EXACT_DEPTH, shortlist.length) && tried <= EXACT_SET_BUDGET && found.size < EXACT_PLACEMENT_BUDGET; size++) {
      forEachSet(shortlist.length, size, (picked) => {
        tried += 1;
        if (found.size >= EXACT_PLACEMENT_BUDGET) return false;
        if (tried > EXACT_SET_BUDGET) {
          cut = `stopped after ${EXACT_SET_BUDGET} sets, at sets of ${size} of ${shortlist.length} categories`;
          return false;
        }
        tryAssignments(view, picked.map((index) => shortlist[index] as string), consider);
        return true;
      });
    }
  }
  const ranked = [...found.values()].filter((candidate) => candidate.trusted).sort((a, b) => compareScores(a.score, b.score));
  const best = ranked[0];
  if (!best) return { cut };
  // A placement that fits better but moves a category priced on one day is not taken, and the
  // numbers then do not decide between it and the best one taken: what they dispute is left as the
  // prior has it.
  const closer = [...found.values()].filter((candidate) => !candidate.trusted).sort((a, b) => compareScores(a.score, b.score))[0];
  const rivalScore = closer && compareScores(closer.score, best.score) < 0 ? closer.score : best.score;
  const tied = [...found.values()].filter((candidate) => candidate === best || compareScores(candidate.score, rivalScore) === 0 || (candidate.trusted && compareScores(candidate.score, best.score) === 0));
  if (tied.length === 1) {
    if (best === reachedCandidate) return { cut };
    // Fingerprints matched; the prices must too (a collision would be a different fit).
    const check = new WindowTree(numbers);
    check.apply(movesBetween(prior, parentsOf(best)));
    const exact = check.score();
    return exact.misfits === best.score.misfits && exact.distance === best.score.distance ? { parents: parentsOf(best), cut } : { cut };
  }
  const parents = parentsOf(best);
  const tiedParents = tied.map(parentsOf);
  for (const category of parents.keys()) {
    if (tiedParents.some((other) => other.get(category) !== parents.get(category))) parents.set(category, prior.get(category) ?? null);
  }
  return { parents, tie: tiedParents.map((other) => movesBetween(parents, other)), cut };
}

/** A start of the exact search, worked out once: it is consulted for every set tried. */
interface SearchStart {
  readonly parents: ReadonlyMap<string, Container>;
  readonly prints: ReadonlyMap<string, number>;
  /** What each container lacks to fit exactly (claim − Σ children), as a fingerprint. */
  readonly shortfalls: ReadonlyMap<Container, number>;
  readonly childCounts: ReadonlyMap<Container, number>;
  /** Categories by shortfall: who fits once a set with that fingerprint joins it. */
  readonly byShortfall: ReadonlyMap<number, readonly string[]>;
}

function searchStartOf(input: SolverInput, tree: WindowTree): SearchStart {
  const categories = [...input.nodes.keys()].sort(compareText);
  const shortfalls = new Map<Container, number>([[null, tree.shortfallPrint(null)]]);
  const byShortfall = new Map<number, string[]>();
  for (const category of categories) {
    const print = tree.shortfallPrint(category);
    shortfalls.set(category, print);
    byShortfall.set(print, [...(byShortfall.get(print) ?? []), category]);
  }
  return {
    parents: tree.parents(),
    prints: new Map(categories.map((category) => [category, tree.printOf(category)])),
    shortfalls,
    childCounts: new Map([null, ...categories].map((container) => [container, tree.childrenOf(container).length])),
    byShortfall,
  };
}

/** For each subset of up to EXACT_DEPTH members (a bit mask), the members' indices. */
const MASK_MEMBERS: readonly (readonly number[])[] = Array.from({ length: 1 << EXACT_DEPTH }, (_, mask) =>
  Array.from({ length: EXACT_DEPTH }, (_, index) => index).filter((index) => (mask & (1 << index)) !== 0),
);

/**
 * Every way to hand a set of categories out so that each rollup they touch fits exactly: the
 * containers they leave fit with what stays or gain what they lack, each one that gains gains what
 * it lacks, and a category left childless stays a leaf or adopts a subset costing its price.
 */
function tryAssignments(start: SearchStart, members: readonly string[], consider: (members: readonly string[], to: readonly Container[]) => void): void {
  const from = members.map((member) => start.parents.get(member) ?? null);
  const prints = members.map((member) => start.prints.get(member) ?? 0);
  const losing = new Map<Container, number>();
  const mandatory: Container[] = [];
  for (const container of new Set(from)) {
    let print = start.shortfalls.get(container) ?? 0;
    let leaving = 0;
    from.forEach((parent, index) => {
      if (parent !== container) return;
      print = mod(print + (prints[index] ?? 0));
      leaving += 1;
    });
    losing.set(container, print);
    const keeps = (start.childCounts.get(container) ?? 0) > leaving;
    if (container !== null && keeps && print !== 0) mandatory.push(container);
  }
  if (mandatory.length > members.length) return;
  const blockPrints = new Array<number>(1 << members.length).fill(0);
  for (let block = 1; block < blockPrints.length; block++) {
    const lowest = Math.clz32(block & -block) ^ 31;
    blockPrints[block] = mod((blockPrints[block & (block - 1)] ?? 0) + (prints[lowest] ?? 0));
  }
  const receiversOf = (print: number): Container[] => {
    const receivers: Container[] = [null];
    for (const category of start.byShortfall.get(print) ?? []) if (!losing.has(category)) receivers.push(category);
    for (const [container, lacking] of losing) if (container !== null && lacking === print) receivers.push(container);
    return receivers;
  };
  const to: Container[] = [...from];
  const receiving = new Set<Container>();
  const assign = (unassigned: number): void => {
    if (unassigned === 0) {
      if (mandatory.every((container) => receiving.has(container))) consider(members, to);
      return;
    }
    // The lowest unassigned member goes, with some of the others, to one container.
    const lowest = unassigned & -unassigned;
    for (let block = unassigned; block > 0; block = (block - 1) & unassigned) {
      if ((block & lowest) === 0) continue;
      const inBlock = MASK_MEMBERS[block] ?? [];
      for (const receiver of receiversOf(blockPrints[block] ?? 0)) {
        if (receiving.has(receiver) || inBlock.some((index) => members[index] === receiver || from[index] === receiver)) continue;
        receiving.add(receiver);
        for (const index of inBlock) to[index] = receiver;
        assign(unassigned & ~block);
        for (const index of inBlock) to[index] = from[index] ?? null;
        receiving.delete(receiver);
      }
    }
  };
  assign((1 << members.length) - 1);
}

