/**
 * Finds where each category of one account's window really sits, from the numbers of every day.
 *
 * Twilio reports a rollup's price as the sum of its children's, every day. So a placement (a
 * parent for every priced category) is right when, on every day, each rollup's price equals the
 * sum of its children's and totalprice equals the sum of the top level. The curation and the names
 * give a first placement (the prior); where it is wrong, some containers over-sum and others
 * under-sum by exactly the prices of the misplaced categories, day after day. The solver re-parents
 * sets of categories until no move makes the window fit better, preferring moves that make a
 * container fit exactly on every day, then fewer categories moved.
 *
 * What makes it safe to act on: a move is made only when it makes at least one of the two
 * containers it touches fit exactly on every day of the window (a vector equality over days, which
 * coincidences rarely satisfy once there are a few days), makes neither fit on fewer days, reduces
 * the total misfit, and no other move fits equally well (a tie is reported and left as the prior
 * has it).
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

/** Categories that left one container for another, together. */
export interface Move {
  readonly categories: readonly string[];
  readonly from: Container;
  readonly to: Container;
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
  const tree = new WindowTree(input);
  const moves: Move[] = [];
  const ties: Move[][] = [];
  const frozen = new Set<string>();
  // Each applied move lowers the total distance, an exact non-negative number, so this ends;
  // the bound only guards against a mistake.
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
  return { parents: tree.parents(), moves, ties };
}

function sameRank(a: Candidate, b: Candidate): boolean {
  return a.misfitGain === b.misfitGain && a.distanceGain === b.distanceGain && a.move.categories.length === b.move.categories.length;
}

/** Two moves compete when they move a category in common or repair the same container. */
function overlaps(a: Move, b: Move): boolean {
  if (a.categories.some((category) => b.categories.includes(category))) return true;
  return a.from === b.from || a.to === b.to;
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

  apply(move: Move): void {
    for (const category of move.categories) {
      this.detach(category);
      this.attach(category, move.to);
    }
  }

  /** Every admissible move of this round, best first. */
  candidates(frozen: ReadonlySet<string>): Candidate[] {
    const targets = this.targetsByFingerprint();
    const found = new Map<string, Candidate>();
    for (const from of this.containers()) {
      if (this.fit(from).misfits === 0) continue;
      const movable = [...(this.children.get(from) ?? [])].filter((category) => !frozen.has(category)).sort(compareText);
      const repairsFrom = this.negate(this.residualFingerprint(from));
      for (const subset of subsets(movable, largestSubset(movable.length))) {
        const print = this.sumFingerprint(subset);
        const destinations = new Set<Container>(targets.get(print) ?? []);
        // Moving the subset out repairs `from` exactly: any container may take it.
        if (print === repairsFrom) for (const container of this.everyNode()) destinations.add(container);
        for (const to of destinations) {
          const candidate = this.evaluate(subset, from, to);
          if (candidate && !found.has(candidate.key)) found.set(candidate.key, candidate);
        }
      }
    }
    return [...found.values()].sort(compareCandidates);
  }

  private evaluate(categories: readonly string[], from: Container, to: Container): Candidate | undefined {
    if (to === from || (to !== null && categories.some((category) => category === to || this.isAncestor(category, to)))) return undefined;
    const moved = this.sumOf(categories);
    const before = [this.fit(from), this.fit(to)];
    const after = [this.fitWith(from, moved, -1), this.fitWith(to, moved, 1)];
    const [fromBefore, toBefore] = before as [Fit, Fit];
    const [fromAfter, toAfter] = after as [Fit, Fit];
    // One side must fit exactly on every day, and neither may fit worse: a move that only trades
    // one misfit for another is a guess.
    if (fromAfter.misfits !== 0 && toAfter.misfits !== 0) return undefined;
    if (fromAfter.misfits > fromBefore.misfits || toAfter.misfits > toBefore.misfits) return undefined;
    // An equality on one day is too easily a coincidence. On a single day only the plainest move is
    // trusted: one category from a rollup that over-sums by its price to one that under-sums by it.
    const plainest = categories.length === 1 && fromAfter.misfits === 0 && toAfter.misfits === 0 && toBefore.misfits > 0;
    if (!plainest && moved.active.filter((count) => count > 0).length < MIN_EVIDENCE_DAYS) return undefined;
    const misfitGain = before.reduce((sum, fit) => sum + fit.misfits, 0) - after.reduce((sum, fit) => sum + fit.misfits, 0);
    const distanceGain = before.reduce((sum, fit) => sum + fit.distance, 0n) - after.reduce((sum, fit) => sum + fit.distance, 0n);
    if (misfitGain < 0 || distanceGain <= 0n) return undefined;
    const move: Move = { categories, from, to };
    return { move, misfitGain, distanceGain, key: `${categories.join(',')}|${from ?? ''}|${to ?? ''}` };
  }

  /** How well a container fits today. A container with no priced child on a day is not checked that day. */
  private fit(container: Container): Fit {
    return this.fitWith(container, undefined, 0);
  }

  /** The fit once `moved` (prices and active flags of a set of categories) joins (+1) or leaves (−1) it. */
  private fitWith(container: Container, moved: MovedSum | undefined, direction: -1 | 0 | 1): Fit {
    const sums = this.sums.get(container);
    const active = this.active.get(container);
    let misfits = 0;
    let distance = 0n;
    for (let day = 0; day < this.input.dayCount; day++) {
      const claimed = this.claimedOn(container, day);
      if (claimed === null) continue;
      const activeChildren = (active?.[day] ?? 0) + (moved ? direction * (moved.active[day] ?? 0) : 0);
      if (container !== null && activeChildren <= 0) continue;
      const sum = (sums?.[day] ?? 0n) + (moved && direction !== 0 ? BigInt(direction) * (moved.prices[day] ?? 0n) : 0n);
      const residual = claimed - sum;
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

  private sumOf(categories: readonly string[]): MovedSum {
    const prices: Decimal[] = new Array<Decimal>(this.input.dayCount).fill(0n);
    const active = new Int32Array(this.input.dayCount);
    for (const category of categories) {
      const node = this.input.nodes.get(category);
      if (!node) continue;
      for (let day = 0; day < this.input.dayCount; day++) {
        const price = node.prices[day] ?? 0n;
        prices[day] = (prices[day] ?? 0n) + price;
        if (price !== 0n) active[day] = (active[day] ?? 0) + 1;
      }
    }
    return { prices, active };
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

  private sumFingerprint(categories: readonly string[]): number {
    let print = 0;
    for (const category of categories) print = mod(print + (this.priceFingerprints.get(category) ?? 0));
    return print;
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

interface MovedSum {
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

/** Every non-empty subset of at most `largest` items, smallest first, items in their given order. */
function* subsets<T>(items: readonly T[], largest: number): Generator<T[]> {
  for (let size = 1; size <= largest; size++) yield* combinations(items, size, 0);
}

function* combinations<T>(items: readonly T[], size: number, start: number): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let index = start; index <= items.length - size; index++) {
    const item = items[index] as T;
    for (const rest of combinations(items, size - 1, index + 1)) yield [item, ...rest];
  }
}
