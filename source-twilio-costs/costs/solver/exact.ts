import { mod } from './fingerprint';
import { acyclic, changesFrom, movesBetween, priorParents, signatureOf } from './placements';
import { forEachSet, forEachSubset, largestSubset, setsUpTo } from './subsets';
import { compareScores, type Container, type Fit, MIN_EVIDENCE_DAYS, type Move, type Score } from './types';
import type { WindowNumbers } from './window-numbers';
import { WindowTree } from './window-tree';

/** Most categories the exact search re-parents at once. */
const EXACT_DEPTH = 4;
/** Largest set of categories whose sum may be what one near the misfits lacks (a rollup adopting them). */
const ADOPTED_SET = 3;
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

/** A placement found: the categories away from the prior, with their parents. */
interface Found {
  readonly changes: ReadonlyMap<string, Container>;
  readonly score: Score;
  /** Categories it places differently from the reached placement on the strength of one day's prices. */
  readonly oneDay: readonly string[];
}

/**
 * Tries every placement that re-parents at most EXACT_DEPTH categories of the placement greedy
 * reached (which may be where a mistake was made), or of the prior (a placement nearer the prior
 * may fit as well: where greedy changed more than a set holds, drawn only from what it moved, the
 * rollups it moved them from, and their twins), and keeps the one where the window fits best
 * with the fewest categories away from the prior. The categories re-parented are drawn from the
 * children of misfitting containers and what the start moved, those with the same prices as one of
 * them (which can take its place), and small sets that add up to what one of them lacks (a rollup
 * that looks like a leaf adopting its children, wherever they sit). Of childless twins in one
 * container (same prices every day), only the first few are drawn, in order: the others would give
 * the same placements under other names.
 *
 * Given a set, a rollup fits only by gaining exactly what it lacks, so a subset of the set goes to a
 * container only when its fingerprint matches the container's shortfall, and every container left
 * must fit with what stays or gain what it lacks; the top level may take any subset. Rollups the set
 * does not touch stay as they are (one may hold cost no category explains). The top level's fit is
 * worked out exactly for each placement; the chosen one is checked in full. A placement that moves
 * a category on the strength of one day's prices is taken only if every container fits exactly on
 * that day. At most EXACT_SET_BUDGET sets are tried and EXACT_PLACEMENT_BUDGET placements scored; a
 * cut is reported.
 */
export function exactPlacement(numbers: WindowNumbers, reached: WindowTree): ExactOutcome {
  const { input } = numbers;
  const prior = priorParents(input);
  const parentsOf = (candidate: Found): Map<string, Container> => new Map([...prior, ...candidate.changes]);
  /** By the categories away from the prior and where they go: one entry per placement. */
  const found = new Map<string, Found>();
  const reachedParents = reached.parents();
  const reachedMisfitting = new Set(reached.misfitting());
  // The reached placement is a candidate too: another may fit exactly as well.
  const reachedChanges = changesFrom(prior, reachedParents);
  // Against the names as a change from the prior: a twin left where the prior nests it against
  // them counts as much in every placement, but one moved out of such a nesting no longer does.
  const againstNamesOf = (changes: ReadonlyMap<string, Container>): number => numbers.twins.againstNamesOf(numbers, changes, changes.keys()) - numbers.twins.againstNamesOf(numbers, prior, changes.keys());
  const reachedCandidate: Found = { changes: reachedChanges, score: { ...reached.score(), moves: reachedChanges.size, againstNames: againstNamesOf(reachedChanges) }, oneDay: [] };
  found.set(signatureOf(reachedChanges), reachedCandidate);
  // Near the prior, where greedy made more changes than a set holds, only what it moved (and their
  // twins) can make a shorter placement that fits as well: a detour greedy took. Each detour (two
  // or more of its changes that touch the same rollups) is also undone alone, the rest of greedy's
  // moves kept, and searched around, drawing on the children of the misfitting containers it
  // touched as well: the placement it stood for may need a category greedy never moved, one change
  // too many to reach from greedy's placement.
  // A detour's start is searched only where what is left of the budget holds every set it could
  // draw: it is a second look, never the reason a search is cut.
  const starts: Array<{ tree: WindowTree; focus: Focus | null; whole: boolean }> = [{ tree: reached, focus: null, whole: false }];
  const detours = detoursOf(prior, reachedChanges).filter((detour) => detour.categories.length > 1);
  for (const detour of detours) {
    const kept = [...reachedChanges].filter(([category]) => !detour.categories.includes(category));
    // Undoing a detour of every change is starting from the prior, with more to draw from.
    if (kept.length === 0) continue;
    const tree = new WindowTree(numbers);
    tree.apply(movesBetween(prior, new Map([...prior, ...kept])));
    starts.push({ tree, focus: detour, whole: true });
  }
  if (reachedChanges.size > 0) {
    // Near the prior, the rollups greedy took categories from are drawn too: a detour that moved a
    // rollup's children one by one is undone shorter by moving the rollup itself.
    const containers = detours.find((detour) => detour.categories.length === reachedChanges.size)?.containers ?? new Set<Container>();
    const focus = reachedChanges.size <= EXACT_DEPTH ? null : { categories: movedAndLeft(reachedChanges, prior), containers };
    starts.unshift({ tree: new WindowTree(numbers), focus, whole: false });
  }
  let tried = 0;
  let cut: string | null = null;
  for (const { tree: start, focus, whole } of starts) {
    const startParents = start.parents();
    const shortlist = shortlistOf(numbers, start, prior, focus);
    if (whole && tried + setsUpTo(shortlist.members.length, EXACT_DEPTH) > EXACT_SET_BUDGET) continue;
    const view = searchStartOf(numbers, start, new Set(start.twinRanks().keys()));
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
    const moved = [...startParents.keys()].filter((category) => prior.get(category) !== startParents.get(category));
    const consider = (members: readonly string[], to: readonly Container[]): void => {
      const overrides = new Map(members.map((member, index) => [member, to[index] ?? null]));
      const parentOf = (category: string): Container => (overrides.has(category) ? (overrides.get(category) ?? null) : (startParents.get(category) ?? null));
      if (!acyclic(parentOf, members, numbers.categories.length)) return;
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
        const now =
          container === null
            ? topFitAfter(
                members.filter((_, index) => to[index] === null),
                members.filter((_, index) => from[index] === null),
              )
            : { misfits: 0, distance: 0n };
        misfits += now.misfits - was.misfits;
        distance += now.distance - was.distance;
      }
      // Going back where the prior put it needs no evidence; going anywhere else on one day's prices does.
      const oneDay = members.filter(
        (member) => parentOf(member) !== (reachedParents.get(member) ?? null) && parentOf(member) !== (prior.get(member) ?? null) && (numbers.pricedDays[numbers.indexOf(member)] ?? 0) < MIN_EVIDENCE_DAYS,
      );
      found.set(signature, { changes, score: { misfits, distance, moves: changes.size, againstNames: againstNamesOf(changes) }, oneDay });
    };
    for (let size = 1; size <= Math.min(EXACT_DEPTH, shortlist.members.length) && tried <= EXACT_SET_BUDGET && found.size < EXACT_PLACEMENT_BUDGET; size++) {
      forEachSet(shortlist.members.length, size, (picked) => {
        if (!shortlist.inOrder(picked)) return true;
        tried += 1;
        if (found.size >= EXACT_PLACEMENT_BUDGET) return false;
        if (tried > EXACT_SET_BUDGET) {
          cut = `stopped after ${EXACT_SET_BUDGET} sets, at sets of ${size} of ${shortlist.members.length} categories`;
          return false;
        }
        tryAssignments(
          view,
          picked.map((index) => shortlist.members[index] as string),
          consider,
        );
        return true;
      });
    }
  }
  // A placement that rests on one day's prices is trusted only where it leaves every container of
  // that day fitting exactly; one that does not may still tie with the best, never be chosen; one
  // whose day checks nothing it touches proves nothing at all.
  const evidence = new Map<Found, OneDayEvidence>();
  const evidenceOf = (candidate: Found): OneDayEvidence => {
    const known = evidence.get(candidate);
    if (known !== undefined) return known;
    const judged = candidate.oneDay.length === 0 ? 'fits' : oneDayEvidence(numbers, prior, reachedParents, reachedMisfitting, parentsOf(candidate), candidate.oneDay);
    evidence.set(candidate, judged);
    return judged;
  };
  const trusted = (candidate: Found): boolean => evidenceOf(candidate) === 'fits';
  const ranked = [...found.values()].filter((candidate) => evidenceOf(candidate) !== 'unchecked').sort((a, b) => compareScores(a.score, b.score));
  const best = ranked.find(trusted);
  if (!best) return { cut };
  // A placement that fits better but is not trusted is not taken, and the numbers then do not
  // decide between it and the best one taken: what they dispute is left as the prior has it.
  // (Every candidate ranked before the best is untrusted.)
  const closer = ranked.find((candidate) => compareScores(candidate.score, best.score) < 0);
  const rivalScore = closer ? closer.score : best.score;
  const tied = ranked.filter((candidate) => candidate === best || compareScores(candidate.score, rivalScore) === 0 || (compareScores(candidate.score, best.score) === 0 && trusted(candidate)));
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

/**
 * What a placement's one day of prices says of it: every container fits that day (and each category
 * went under one of its family, or into a rollup that misfit); not that; or what it touches is not
 * checked that day.
 */
type OneDayEvidence = 'fits' | 'misfits' | 'unchecked';

/**
 * Under these parents, on the days the categories are priced: whether the places they left and
 * joined are still checked (a rollup emptied of its children, or a top level without totalprice,
 * proves nothing), and whether every container fits exactly.
 */
function oneDayEvidence(
  numbers: WindowNumbers,
  prior: ReadonlyMap<string, Container>,
  reached: ReadonlyMap<string, Container>,
  reachedMisfitting: ReadonlySet<Container>,
  parents: ReadonlyMap<string, Container>,
  categories: readonly string[],
): OneDayEvidence {
  const tree = new WindowTree(numbers);
  tree.apply(movesBetween(prior, parents));
  const days = tree.pricedDayList(categories, numbers.dayCount);
  const touched = categories.flatMap((category) => [reached.get(category) ?? null, parents.get(category) ?? null]);
  if (!touched.every((container) => days.every((day) => tree.checkedAfter(container, [], [], [], day)))) return 'unchecked';
  const strangers = categories.some((category) => {
    const parent = parents.get(category) ?? null;
    return !reachedMisfitting.has(parent) && !numbers.sameFamily(category, parent);
  });
  if (strangers) return 'misfits';
  return [...tree.containers()].every((container) => tree.misfitsOn(container, days) === 0) ? 'fits' : 'misfits';
}

/** What greedy moved and the rollups it took them from. */
function movedAndLeft(changes: ReadonlyMap<string, Container>, prior: ReadonlyMap<string, Container>): string[] {
  const left = [...changes.keys()].map((category) => prior.get(category) ?? null).filter((container): container is string => container !== null);
  return [...new Set([...changes.keys(), ...left])];
}

/** What the exact search draws from around a start that undoes changes of greedy's. */
interface Focus {
  /** The categories greedy re-parented (and, searched from the prior, the rollups it took them from). */
  readonly categories: readonly string[];
  /** The containers it touched (left, joined, or moved): those of them that misfit lend their children. */
  readonly containers: ReadonlySet<Container>;
}

/**
 * Greedy's changes from the prior, grouped where they touch one rollup (one a category left or
 * joined, or the category itself): changes that may interlock. The top level takes anything and so
 * links none, though it is among the containers a group touched.
 */
function detoursOf(prior: ReadonlyMap<string, Container>, changes: ReadonlyMap<string, Container>): Focus[] {
  let detours: Array<{ categories: string[]; containers: Set<Container> }> = [];
  for (const [category, parent] of changes) {
    const touched = new Set([category, prior.get(category) ?? null, parent]);
    const linked = detours.filter((detour) => [...touched].some((container) => container !== null && detour.containers.has(container)));
    const joined = { categories: [...linked.flatMap((detour) => detour.categories), category], containers: new Set([...linked.flatMap((detour) => [...detour.containers]), ...touched]) };
    detours = [...detours.filter((detour) => !linked.includes(detour)), joined];
  }
  return detours;
}

interface Shortlist {
  /** The categories sets are drawn from, in name order. */
  readonly members: readonly string[];
  /**
   * Whether a set (indexes into members, ascending) takes twins of one container in their order:
   * a later twin only with every earlier one.
   */
  inOrder(picked: readonly number[]): boolean;
}

/**
 * The categories the exact search draws sets from, around a start: the children of misfitting
 * containers and what the start moved from the prior (or, given a `focus`, its categories and the
 * children of those of its containers that misfit);
 * those with the same prices as one of them; and small sets that add up to what one of them lacks.
 */
function shortlistOf(numbers: WindowNumbers, start: WindowTree, prior: ReadonlyMap<string, Container>, focus: Focus | null): Shortlist {
  const startParents = start.parents();
  const moved = [...startParents.keys()].filter((category) => prior.get(category) !== startParents.get(category));
  // Of the top level's children, only those on every day of whose prices it misfits, as a
  // misplaced child makes it: cost in no category makes it misfit on some days, and moving the
  // others around would only trade one unexplained amount for another.
  const near = new Set(focus?.categories ?? moved);
  for (const container of start.misfitting().filter((misfitting) => focus === null || focus.containers.has(misfitting))) {
    for (const child of start.childrenOf(container)) if (container !== null || start.misfitsWherePriced(null, child)) near.add(child);
  }
  const nearPrints = new Set([...near].map((category) => start.printOf(category)));
  const lacking = new Set([...near].map((category) => start.shortfallPrint(category)).filter((print) => print !== 0));
  const { categories } = numbers;
  const adopted = new Set<string>();
  forEachSubset(
    categories.map((category) => start.printOf(category)),
    Math.min(ADOPTED_SET, largestSubset(categories.length)),
    (print, picked) => {
      if (lacking.has(print)) for (const index of picked) adopted.add(categories[index] as string);
    },
  );
  const chosen = categories.filter((category) => near.has(category) || adopted.has(category) || nearPrints.has(start.printOf(category)));
  // Interchangeable twins (see WindowTree.twinRanks): the first EXACT_DEPTH of them, in order, stand
  // for them all, and a set takes a later one only with the one before it.
  const ranks = start.twinRanks();
  const members = chosen.filter((category) => (ranks.get(category)?.rank ?? 0) < EXACT_DEPTH);
  const positions = new Map(members.map((category, index) => [category, index]));
  return {
    members,
    inOrder: (picked) =>
      picked.every((index) => {
        const before = ranks.get(members[index] as string)?.previous;
        return before === undefined || picked.includes(positions.get(before) ?? -1);
      }),
  };
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

function searchStartOf(numbers: WindowNumbers, tree: WindowTree, laterTwins: ReadonlySet<string>): SearchStart {
  const { categories } = numbers;
  const shortfalls = new Map<Container, number>([[null, tree.shortfallPrint(null)]]);
  const byShortfall = new Map<number, string[]>();
  for (const category of categories) {
    const print = tree.shortfallPrint(category);
    shortfalls.set(category, print);
    // Of interchangeable twins, only the first receives: the others would give the same placements.
    if (laterTwins.has(category)) continue;
    const known = byShortfall.get(print);
    if (known) known.push(category);
    else byShortfall.set(print, [category]);
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
const MASK_MEMBERS: readonly (readonly number[])[] = Array.from({ length: 1 << EXACT_DEPTH }, (_, mask) => Array.from({ length: EXACT_DEPTH }, (_, index) => index).filter((index) => (mask & (1 << index)) !== 0));

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
