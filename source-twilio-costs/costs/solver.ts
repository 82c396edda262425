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
 * reported and left as the prior has it). Greedy choice runs first; where it moved something and
 * misfits remain, a bounded beam search over move sequences may find a placement that fits
 * strictly better. Then, where anything was moved or misfits remain, an exact search tries every
 * placement that re-parents up to four categories (drawn from around the misfits and the moves
 * made) of the prior or of that placement, and keeps the one that fits best with the fewest
 * categories away from the prior, or reports a tie where another fits exactly as well. It settles
 * misplacements that interlock (a move whose first half fits nothing better on its own), and
 * sees the rival a sequence of moves did not.
 *
 * Pure: no I/O. Prices are exact Decimals; fingerprints only shortlist candidates, which are then
 * checked exactly.
 */
import type { Decimal } from '../money';
import { compareText } from './hierarchy';

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

/** Most subsets of one container's children tried per round. */
const SUBSET_BUDGET = 200_000;
const LARGEST_MOVE = 6;
/** Days a moved set must be priced on before anything but the plainest move is trusted. */
const MIN_EVIDENCE_DAYS = 2;
/** Largest set moved from several containers at once, or swapped. */
const SMALL_MOVE = 3;
/** Fingerprint modulus (a prime below 2^31) and per-day weights below 2^20: products stay exact in a double. */
const MODULUS = 2_147_483_629;
const MODULUS_BIG = BigInt(MODULUS);

interface Fit {
  /** Container-days whose price differs from the sum of its children. */
  readonly misfits: number;
  /** Σ |price − Σ children| over those days. */
  readonly distance: Decimal;
}

interface Candidate {
  readonly move: Move;
  readonly misfitGain: number;
  readonly distanceGain: Decimal;
  readonly key: string;
}

export function solvePlacement(input: SolverInput): Placement {
  const greedy = greedyPlacement(input);
  let chosen = greedy;
  // Greedy is right whenever the misplacements do not interact; where it moved something and
  // misfits remain (even at the top level, where they may also be cost in no category), a wider
  // search looks for a sequence that fits better.
  if (greedy.placement.moves.length > 0 && greedy.tree.score().misfits > 0) {
    const searched = beamPlacement(input);
    if (searched !== undefined && compareScores(searched.score, { ...greedy.tree.score(), moves: greedy.placement.moves.length }) < 0) {
      chosen = { placement: { parents: searched.tree.parents(), moves: searched.moves, ties: [], searchCut: null }, tree: searched.tree };
    }
  }
  // Nothing moved, nothing tied and every rollup fits: the prior stands, and the top level may hold
  // cost in no category (the common case, left cheap). On a single day, nothing the exact search
  // could find would be trusted.
  const settled = chosen.placement.moves.length === 0 && chosen.placement.ties.length === 0 && chosen.tree.misfitting().every((container) => container === null);
  if (settled || input.dayCount < MIN_EVIDENCE_DAYS) return chosen.placement;
  // Misplacements that interlock (a category that fits nowhere better on its own until another
  // moves too) defeat both, and a sequence of moves can pick one of two placements that fit equally
  // well without seeing the other: an exhaustive search over small sets of categories settles both.
  const exact = exactPlacement(input, chosen.tree);
  if (exact.parents === undefined) return { ...chosen.placement, searchCut: exact.cut };
  const moved = movesBetween(priorParents(input), exact.parents);
  return { parents: exact.parents, moves: moved.categories.length > 0 ? [moved] : [], ties: exact.tie ? [exact.tie] : [], searchCut: exact.cut };
}

/** One best move at a time; ties freeze the categories they involve. */
function greedyPlacement(input: SolverInput): { placement: Placement; tree: WindowTree } {
  const tree = new WindowTree(input);
  const moves: Move[] = [];
  const ties: Move[][] = [];
  const frozen = new Set<string>();
  // Each applied move lowers (misfits, distance), so this ends; the bound only guards against a mistake.
  for (let round = 0; round < 4 * input.nodes.size + 4; round++) {
    const candidates = tree.candidates(frozen);
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

/** How many partial placements the wider search keeps, and how many moves it tries from each. */
const BEAM_WIDTH = 4;
const BEAM_BRANCHES = 5;
/** Partial placements expanded at most: bounds the search on long windows, where each costs most. */
const BEAM_EXPANSIONS = 12;

interface Score {
  readonly misfits: number;
  readonly distance: Decimal;
  readonly moves: number;
}

function compareScores(a: Score, b: Score): number {
  if (a.misfits !== b.misfits) return a.misfits - b.misfits;
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  return a.moves - b.moves;
}

/**
 * Keeps the few best partial placements and extends each by its few best moves, so that a move
 * that fits two containers locally but strands the true placement is outgrown by a sequence that
 * ends fitting better. Its answer is used only when it fits strictly better than greedy's and no
 * different placement fits as well (otherwise the numbers do not decide).
 */
function beamPlacement(input: SolverInput): { tree: WindowTree; moves: Move[]; score: Score } | undefined {
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
      const candidates = state.tree.candidates(new Set()).slice(0, BEAM_BRANCHES);
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

/** Most categories the exact search re-parents at once. */
const EXACT_DEPTH = 4;
/** Most sets of categories it tries: bounds it on long windows with many categories out of place. */
const EXACT_SET_BUDGET = 300_000;
/** Most placements it scores: bounds it where many categories cost the same and so fit many ways. */
const EXACT_PLACEMENT_BUDGET = 20_000;

interface ExactOutcome {
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
 * placement greedy and beam reached (which may need fewer changes, or may be where a mistake was
 * made), and keeps the one where the window fits best with the fewest categories away from the
 * prior. The categories re-parented are drawn from the children of misfitting containers and, from
 * the reached placement, from what it moved and the children of the containers those moves touched.
 * Given a set, a rollup fits only by gaining exactly what it lacks, so a subset of the set goes to a
 * container only when its fingerprint matches the container's shortfall, and every container left
 * must fit with what stays or gain what it lacks; the top level may take any subset. Rollups the set
 * does not touch stay as they are (one may hold cost no category explains). Matches are then scored
 * exactly. At most EXACT_SET_BUDGET sets are tried in all; a cut is reported.
 */
function exactPlacement(input: SolverInput, reached: WindowTree): ExactOutcome {
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
  const starts = reachedCandidate.score.moves === 0 ? [reached] : [new WindowTree(input), reached];
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
    const check = new WindowTree(input);
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

/** Whether every member still has a way up to the top level. */
function acyclic(parentOf: (category: string) => Container, members: readonly string[], categoryCount: number): boolean {
  return members.every((member) => {
    let steps = 0;
    for (let current = parentOf(member); current !== null; current = parentOf(current)) {
      if (current === member || ++steps > categoryCount) return false;
    }
    return true;
  });
}

/** The categories whose parent differs from the prior's, with their parent. */
function changesFrom(prior: ReadonlyMap<string, Container>, parents: ReadonlyMap<string, Container>): Map<string, Container> {
  return new Map([...parents].filter(([category, parent]) => (prior.get(category) ?? null) !== parent));
}

function priorParents(input: SolverInput): Map<string, Container> {
  return new Map([...input.nodes].map(([category, node]) => [category, node.prior]));
}

/** One move taking a placement to another: every category whose parent differs, in name order. */
function movesBetween(before: ReadonlyMap<string, Container>, after: ReadonlyMap<string, Container>): Move {
  const categories = [...after].filter(([category, parent]) => (before.get(category) ?? null) !== parent).map(([category]) => category).sort(compareText);
  return { categories, from: categories.map((category) => before.get(category) ?? null), to: categories.map((category) => after.get(category) ?? null) };
}

function signatureOf(parents: ReadonlyMap<string, Container>): string {
  return [...parents].sort(([a], [b]) => compareText(a, b)).map(([category, parent]) => `${category}>${parent ?? ''}`).join('|');
}

/** Visits every set of `size` of `count` indices in order until `visit` returns false. */
function forEachSet(count: number, size: number, visit: (picked: readonly number[]) => boolean): void {
  const picked: number[] = [];
  const extend = (from: number): boolean => {
    if (picked.length === size) return visit(picked);
    for (let index = from; index <= count - (size - picked.length); index++) {
      picked.push(index);
      const going = extend(index + 1);
      picked.pop();
      if (!going) return false;
    }
    return true;
  };
  extend(0);
}

function sameRank(a: Candidate, b: Candidate): boolean {
  return a.misfitGain === b.misfitGain && a.distanceGain === b.distanceGain && a.move.categories.length === b.move.categories.length;
}

/** Two moves compete when they move a category in common or change the same container. */
function overlaps(a: Move, b: Move): boolean {
  if (a.categories.some((category) => b.categories.includes(category))) return true;
  const touched = new Set([...b.from, ...b.to]);
  return [...a.from, ...a.to].some((container) => touched.has(container));
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.misfitGain !== b.misfitGain) return b.misfitGain - a.misfitGain;
  if (a.distanceGain !== b.distanceGain) return a.distanceGain > b.distanceGain ? -1 : 1;
  if (a.move.categories.length !== b.move.categories.length) return a.move.categories.length - b.move.categories.length;
  return compareText(a.key, b.key);
}

const abs = (value: Decimal): Decimal => (value < 0n ? -value : value);

/** The window's tree as the solver changes it: parents, and each container's daily child sums. */
class WindowTree {
  private readonly parent = new Map<string, Container>();
  private readonly children = new Map<Container, Set<string>>();
  /** Σ children's prices per day. */
  private readonly sums = new Map<Container, Decimal[]>();
  /** Children with a non-zero price, per day: a container with none that day reports alone. */
  private readonly active = new Map<Container, Int32Array>();
  private readonly weights: number[];
  private readonly priceFingerprints = new Map<string, number>();

  constructor(private readonly input: SolverInput) {
    this.weights = dayWeights(input.dayCount);
    for (const [category, node] of [...input.nodes].sort(([a], [b]) => compareText(a, b))) {
      this.priceFingerprints.set(category, this.fingerprint(node.prices));
      this.attach(category, node.prior);
    }
  }

  parents(): Map<string, Container> {
    return new Map(this.parent);
  }

  parentOf(category: string): Container {
    return this.parent.get(category) ?? null;
  }

  childrenOf(container: Container): string[] {
    return [...(this.children.get(container) ?? [])].sort(compareText);
  }

  /** Containers that misfit on some day, the top level first. */
  misfitting(): Container[] {
    return [...this.containers()].filter((container) => this.fit(container).misfits > 0);
  }

  printOf(category: string): number {
    return this.priceFingerprints.get(category) ?? 0;
  }

  /** What a container lacks to fit exactly (claim − Σ children), as a fingerprint. */
  shortfallPrint(container: Container): number {
    return this.residualFingerprint(container);
  }

  /** Misfits and distance over every container. */
  score(): { misfits: number; distance: Decimal } {
    let misfits = 0;
    let distance = 0n;
    for (const container of this.containers()) {
      const fit = this.fit(container);
      misfits += fit.misfits;
      distance += fit.distance;
    }
    return { misfits, distance };
  }

  fitOf(container: Container): Fit {
    return this.fit(container);
  }

  /** How the top level would fit once some categories join it and others leave it, given its fit now: only their days change. */
  topFitAfter(joining: readonly string[], leaving: readonly string[], before: Fit): Fit {
    const sums = this.sums.get(null);
    const pricesOf = (categories: readonly string[]): (readonly Decimal[])[] => categories.map((category) => this.input.nodes.get(category)?.prices ?? []);
    const joiningPrices = pricesOf(joining);
    const leavingPrices = pricesOf(leaving);
    let { misfits, distance } = before;
    for (let day = 0; day < this.input.dayCount; day++) {
      const claimed = this.input.anchor[day];
      if (claimed === null || claimed === undefined) continue;
      let change = 0n;
      for (const prices of joiningPrices) change += prices[day] ?? 0n;
      for (const prices of leavingPrices) change -= prices[day] ?? 0n;
      if (change === 0n) continue;
      const was = claimed - (sums?.[day] ?? 0n);
      const now = was - change;
      if (was !== 0n) {
        misfits -= 1;
        distance -= abs(was);
      }
      if (now !== 0n) {
        misfits += 1;
        distance += abs(now);
      }
    }
    return { misfits, distance };
  }

  /** The placement as text: equal placements reached by different moves are one. */
  signature(): string {
    return signatureOf(this.parent);
  }

  apply(move: Move): void {
    move.categories.forEach((category, index) => {
      this.detach(category);
      this.attach(category, move.to[index] ?? null);
    });
  }

  /** Every admissible move of this round, best first. */
  candidates(frozen: ReadonlySet<string>): Candidate[] {
    const targets = this.targetsByFingerprint();
    const found = new Map<string, Candidate>();
    const consider = (categories: readonly string[], to: readonly Container[]): void => {
      const candidate = this.evaluate(categories, to);
      if (candidate && !found.has(candidate.key)) found.set(candidate.key, candidate);
    };
    const misfitting = [...this.containers()].filter((container) => this.fit(container).misfits > 0);
    const movableIn = (container: Container): string[] =>
      [...(this.children.get(container) ?? [])].filter((category) => !frozen.has(category)).sort(compareText);
    for (const from of misfitting) {
      const movable = movableIn(from);
      const prints = movable.map((category) => this.priceFingerprints.get(category) ?? 0);
      const repairsFrom = this.negate(this.residualFingerprint(from));
      const childCount = this.children.get(from)?.size ?? 0;
      forEachSubset(prints, largestSubset(movable.length), (print, picked) => {
        // Moving the subset out repairs `from` exactly, or leaves it a plain leaf: any container may take it.
        const anywhere = print === repairsFrom || (from !== null && picked.length === childCount);
        const fitting = targets.get(print);
        if (!anywhere && fitting === undefined) return;
        const subset = picked.map((index) => movable[index] as string);
        for (const to of anywhere ? this.everyNode() : (fitting ?? [])) consider(subset, subset.map(() => to));
      });
    }
    // A rollup whose children sit in different places adopts them in one move: small sets drawn
    // from several containers that make a container fit exactly.
    const everywhere = [...this.parent.keys()].filter((category) => !frozen.has(category)).sort(compareText);
    const everywherePrints = everywhere.map((category) => this.priceFingerprints.get(category) ?? 0);
    forEachSubset(everywherePrints, Math.min(SMALL_MOVE, largestSubset(everywhere.length)), (print, picked) => {
      const fitting = targets.get(print);
      if (fitting === undefined || picked.length < 2) return;
      const subset = picked.map((index) => everywhere[index] as string);
      if (new Set(subset.map((category) => this.parent.get(category) ?? null)).size < 2) return;
      for (const to of fitting) consider(subset, subset.map(() => to));
    });
    // Two containers that hold each other's children: a swap repairs both at once, where either
    // half alone fits neither.
    const setsByPrint = (container: Container): Map<number, string[][]> => {
      const movable = movableIn(container);
      const byPrint = new Map<number, string[][]>();
      forEachSubset(
        movable.map((category) => this.priceFingerprints.get(category) ?? 0),
        SMALL_MOVE,
        (print, picked) => byPrint.set(print, [...(byPrint.get(print) ?? []), picked.map((index) => movable[index] as string)]),
      );
      return byPrint;
    };
    const setsOf = new Map(misfitting.map((container) => [container, setsByPrint(container)]));
    for (const [index, first] of misfitting.entries()) {
      const outs = setsOf.get(first) ?? new Map<number, string[][]>();
      const repairsFirst = this.negate(this.residualFingerprint(first));
      for (const second of misfitting.slice(index + 1)) {
        const repairsSecond = this.residualFingerprint(second);
        for (const [backPrint, backs] of setsOf.get(second) ?? []) {
          // first fits once it loses `out` and gains `back` when Σ out − Σ back = −residual(first);
          // second fits when Σ out − Σ back = residual(second).
          for (const out of [...(outs.get(mod(repairsFirst + backPrint)) ?? []), ...(outs.get(mod(repairsSecond + backPrint)) ?? [])]) {
            for (const back of backs) consider([...out, ...back], [...out.map(() => second), ...back.map(() => first)]);
          }
        }
      }
    }
    return [...found.values()].sort(compareCandidates);
  }

  private evaluate(categories: readonly string[], to: readonly Container[]): Candidate | undefined {
    const from = categories.map((category) => this.parent.get(category) ?? null);
    const moving = new Set(categories);
    for (const [index, category] of categories.entries()) {
      const destination = to[index] ?? null;
      if (destination === from[index]) return undefined;
      // Never under itself, nor under a descendant that stays under it.
      if (destination !== null && (destination === category || (this.isAncestor(category, destination) && !this.leavesSubtree(destination, category, moving)))) return undefined;
    }
    const affected = [...new Set([...from, ...to])];
    const before = affected.map((container) => this.fit(container));
    const after = affected.map((container) => this.fitWith(container, this.deltaOf(categories, from, to, container)));
    const receivers = affected.filter((container) => to.includes(container));
    const exactAfter = (container: Container): boolean => after[affected.indexOf(container)]?.misfits === 0;
    // One side must fit exactly on every day; a move of several sets must fit every container it
    // fills (the top level aside, which may carry cost in no category). Another side may fit worse
    // only when the move still leaves fewer misfits in all (so rollups whose children sit in two
    // places can adopt them one place at a time); a move that only trades one misfit for another is
    // a guess.
    if (after.every((fit) => fit.misfits !== 0)) return undefined;
    const compound = new Set(from).size > 1 || new Set(to).size > 1;
    if (compound && !receivers.every((container) => container === null || exactAfter(container))) return undefined;
    const worseSomewhere = after.some((fit, index) => fit.misfits > (before[index]?.misfits ?? 0));
    // An equality on one day is too easily a coincidence. On a single day only the plainest move is
    // trusted: one category from a rollup that over-sums by its price to one that under-sums by it.
    const receiverBefore = before[affected.indexOf(to[0] ?? null)];
    const plainest = categories.length === 1 && after.every((fit) => fit.misfits === 0) && (receiverBefore?.misfits ?? 0) > 0;
    if (!plainest && this.pricedDays(categories) < MIN_EVIDENCE_DAYS) return undefined;
    const misfitGain = before.reduce((sum, fit) => sum + fit.misfits, 0) - after.reduce((sum, fit) => sum + fit.misfits, 0);
    const distanceGain = before.reduce((sum, fit) => sum + fit.distance, 0n) - after.reduce((sum, fit) => sum + fit.distance, 0n);
    // Fewer misfits, or as many and closer: (misfits, distance) falls at every move, so the search ends.
    if (misfitGain < (worseSomewhere ? 1 : 0) || (misfitGain === 0 && distanceGain <= 0n)) return undefined;
    const move: Move = { categories, from, to };
    return { move, misfitGain, distanceGain, key: categories.map((category, index) => `${category}>${to[index] ?? ''}`).join(',') };
  }

  /** Whether moving `moving` takes `category` out from under `ancestor`. */
  private leavesSubtree(category: string, ancestor: string, moving: ReadonlySet<string>): boolean {
    for (let current: string | null = category; current !== null && current !== ancestor; current = this.parent.get(current) ?? null) {
      if (moving.has(current)) return true;
    }
    return false;
  }

  pricedDays(categories: readonly string[]): number {
    let days = 0;
    for (let day = 0; day < this.input.dayCount; day++) {
      if (categories.some((category) => (this.input.nodes.get(category)?.prices[day] ?? 0n) !== 0n)) days += 1;
    }
    return days;
  }

  /** What a container gains (signed) when the categories move: prices and priced-child counts per day. */
  private deltaOf(categories: readonly string[], from: readonly Container[], to: readonly Container[], container: Container): Delta {
    const prices: Decimal[] = new Array<Decimal>(this.input.dayCount).fill(0n);
    const active = new Int32Array(this.input.dayCount);
    categories.forEach((category, index) => {
      const sign = (to[index] === container ? 1 : 0) - (from[index] === container ? 1 : 0);
      if (sign === 0) return;
      const node = this.input.nodes.get(category);
      for (let day = 0; day < this.input.dayCount; day++) {
        const price = node?.prices[day] ?? 0n;
        if (price === 0n) continue;
        prices[day] = (prices[day] ?? 0n) + BigInt(sign) * price;
        active[day] = (active[day] ?? 0) + sign;
      }
    });
    return { prices, active };
  }

  /** How well a container fits today. A container with no priced child on a day is not checked that day. */
  private fit(container: Container): Fit {
    return this.fitWith(container, undefined);
  }

  /** The fit once a signed change (a move's prices and priced-child counts) is applied to it. */
  private fitWith(container: Container, delta: Delta | undefined): Fit {
    const sums = this.sums.get(container);
    const active = this.active.get(container);
    let misfits = 0;
    let distance = 0n;
    for (let day = 0; day < this.input.dayCount; day++) {
      const claimed = this.claimedOn(container, day);
      if (claimed === null) continue;
      const activeChildren = (active?.[day] ?? 0) + (delta?.active[day] ?? 0);
      if (container !== null && activeChildren <= 0) continue;
      const residual = claimed - (sums?.[day] ?? 0n) - (delta?.prices[day] ?? 0n);
      if (residual !== 0n) {
        misfits += 1;
        distance += abs(residual);
      }
    }
    return { misfits, distance };
  }

  /** What a container claims its children add up to on a day: its price, or totalprice at the top. */
  private claimedOn(container: Container, day: number): Decimal | null {
    if (container === null) return this.input.anchor[day] ?? null;
    return this.input.nodes.get(container)?.prices[day] ?? 0n;
  }

  /**
   * Containers by what a set of categories must add up to for the container to fit exactly once the
   * set joins it: its residual (price − Σ children) on every day. A childless category's residual is
   * its whole price, so a rollup that looks like a leaf can adopt its children.
   */
  private targetsByFingerprint(): Map<number, Container[]> {
    const targets = new Map<number, Container[]>();
    for (const container of this.everyNode()) {
      const print = this.residualFingerprint(container);
      targets.set(print, [...(targets.get(print) ?? []), container]);
    }
    return targets;
  }

  private residualFingerprint(container: Container): number {
    const claimed = container === null ? this.fingerprint(this.input.anchor.map((price) => price ?? 0n)) : (this.priceFingerprints.get(container) ?? 0);
    return mod(claimed - this.fingerprint(this.sums.get(container) ?? []));
  }

  private negate(print: number): number {
    return mod(-print);
  }

  /** A linear fingerprint of a daily vector: equal vectors have equal fingerprints, and sums add. */
  private fingerprint(values: readonly Decimal[]): number {
    let print = 0;
    for (let day = 0; day < this.input.dayCount; day++) {
      const value = values[day] ?? 0n;
      if (value === 0n) continue;
      const residue = Number(((value % MODULUS_BIG) + MODULUS_BIG) % MODULUS_BIG);
      print = (print + ((residue * (this.weights[day] ?? 1)) % MODULUS)) % MODULUS;
    }
    return print;
  }

  private *containers(): Generator<Container> {
    yield null;
    for (const container of [...this.children.keys()].filter((key): key is string => key !== null).sort(compareText)) {
      if ((this.children.get(container)?.size ?? 0) > 0) yield container;
    }
  }

  private everyNode(): Container[] {
    return [null, ...[...this.input.nodes.keys()].sort(compareText)];
  }

  private isAncestor(ancestor: string, category: string): boolean {
    for (let current = this.parent.get(category) ?? null; current !== null; current = this.parent.get(current) ?? null) {
      if (current === ancestor) return true;
    }
    return false;
  }

  private attach(category: string, container: Container): void {
    this.parent.set(category, container);
    const siblings = this.children.get(container) ?? new Set<string>();
    siblings.add(category);
    this.children.set(container, siblings);
    this.addPrices(category, container, 1);
  }

  private detach(category: string): void {
    const container = this.parent.get(category) ?? null;
    this.children.get(container)?.delete(category);
    this.addPrices(category, container, -1);
  }

  private addPrices(category: string, container: Container, direction: 1 | -1): void {
    const prices = this.input.nodes.get(category)?.prices ?? [];
    const sums = this.sums.get(container) ?? new Array<Decimal>(this.input.dayCount).fill(0n);
    const active = this.active.get(container) ?? new Int32Array(this.input.dayCount);
    for (let day = 0; day < this.input.dayCount; day++) {
      const price = prices[day] ?? 0n;
      if (price === 0n) continue;
      sums[day] = (sums[day] ?? 0n) + BigInt(direction) * price;
      active[day] = (active[day] ?? 0) + direction;
    }
    this.sums.set(container, sums);
    this.active.set(container, active);
  }
}

/** A signed change to a container: prices and priced-child counts per day. */
interface Delta {
  readonly prices: readonly Decimal[];
  readonly active: Int32Array;
}

function mod(value: number): number {
  const rest = value % MODULUS;
  return rest < 0 ? rest + MODULUS : rest;
}

/** Deterministic pseudo-random weights in [1, 2^20), one per day. */
function dayWeights(dayCount: number): number[] {
  const weights: number[] = [];
  let state = 0x2545f491;
  for (let day = 0; day < dayCount; day++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    weights.push(((state >>> 0) % 0xfffff) + 1);
  }
  return weights;
}

/** The largest subset size whose enumeration stays within the budget. */
function largestSubset(count: number): number {
  let total = 0;
  let combinations = 1;
  for (let size = 1; size <= Math.min(LARGEST_MOVE, count); size++) {
    combinations = (combinations * (count - size + 1)) / size;
    total += combinations;
    if (total > SUBSET_BUDGET) return size - 1;
  }
  return Math.min(LARGEST_MOVE, count);
}

/**
 * Visits every non-empty subset of at most `largest` items (by index, in order) with the sum of
 * their fingerprints, without building an array per subset: only a match is materialised.
 */
function forEachSubset(prints: readonly number[], largest: number, visit: (print: number, picked: readonly number[]) => void): void {
  const picked: number[] = [];
  const extend = (start: number, print: number): void => {
    for (let index = start; index < prints.length; index++) {
      const next = mod(print + (prints[index] ?? 0));
      picked.push(index);
      visit(next, picked);
      if (picked.length < largest) extend(index + 1, next);
      picked.pop();
    }
  };
  if (largest > 0) extend(0, 0);
}
