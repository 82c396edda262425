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
 * strictly better.
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
  // Greedy is right whenever the misplacements do not interact; where it moved something and
  // misfits remain (even at the top level, where they may also be cost in no category), a wider
  // search looks for a sequence that fits better.
  if (greedy.placement.moves.length === 0 || greedy.tree.score().misfits === 0) return greedy.placement;
  const searched = beamPlacement(input);
  if (searched === undefined || compareScores(searched.score, { ...greedy.tree.score(), moves: greedy.placement.moves.length }) >= 0) return greedy.placement;
  return { parents: searched.tree.parents(), moves: searched.moves, ties: [] };
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
  return { placement: { parents: tree.parents(), moves, ties }, tree };
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

  /** The placement as text: equal placements reached by different moves are one. */
  signature(): string {
    return [...this.parent].sort(([a], [b]) => compareText(a, b)).map(([category, parent]) => `${category}>${parent ?? ''}`).join('|');
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

  private pricedDays(categories: readonly string[]): number {
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
