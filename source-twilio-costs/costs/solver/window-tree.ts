import { mod } from './fingerprint';
import { signatureOf } from './placements';
import type { Container, Fit, Move } from './types';
import type { WindowNumbers } from './window-numbers';

/** Distances are summed in two halves of 26 bits, each exact in a double for millions of terms. */
const HALF = 2 ** 26;
const HALF_BIG = BigInt(HALF);

/** Σ |residual| kept exactly: whole numbers below 2^53 split into halves that are summed apart. */
interface DistanceSum {
  high: number;
  low: number;
}

function addMagnitude(sum: DistanceSum, value: number, sign: 1 | -1): void {
  const magnitude = value < 0 ? -value : value;
  const high = Math.floor(magnitude / HALF);
  sum.high += sign * high;
  sum.low += sign * (magnitude - high * HALF);
}

function distanceOf(sum: DistanceSum): bigint {
  return BigInt(sum.high) * HALF_BIG + BigInt(sum.low);
}

/**
 * The window's tree as the solver changes it: parents, and each container's daily child sums, so
 * that how well a container fits (its price against the sum of its children, day by day) is known
 * at any time, and how it would fit after a move is worked out without making it. Sums are whole
 * numbers of the window's price step in doubles (see window-numbers.ts); a fit's distance is exact.
 * Containers are rows of the window's categories, and one more row, `top`, for the top level.
 */
export class WindowTree {
  private readonly top: number;
  private readonly parent: Int32Array;
  private readonly children: Array<Set<number>>;
  /** Σ children's prices per day, per container that has had children. */
  private readonly sums = new Map<number, Float64Array>();
  /** Children with a non-zero price, per day: a container with none that day reports alone. */
  private readonly active = new Map<number, Int32Array>();
  /** Σ children's fingerprints, per container. */
  private readonly childPrints: Float64Array;
  /** How each container fits, worked out when first asked and forgotten when its children change. */
  private readonly fits: Array<Fit | undefined>;
  /** Marks of the days a fitAfter has seen, by call: each day is worked out once. */
  private readonly dayStamps: Int32Array;
  private stampCount = 0;

  constructor(readonly numbers: WindowNumbers) {
    const count = numbers.categories.length;
    this.top = count;
    this.parent = new Int32Array(count);
    this.children = Array.from({ length: count + 1 }, () => new Set<number>());
    this.childPrints = new Float64Array(count + 1);
    this.fits = new Array<Fit | undefined>(count + 1);
    this.dayStamps = new Int32Array(numbers.dayCount);
    numbers.priors.forEach((prior, index) => this.attach(index, this.rowOf(prior)));
  }

  parents(): Map<string, Container> {
    return new Map(this.numbers.categories.map((category, index) => [category, this.containerOf(this.parent[index] ?? this.top)]));
  }

  parentOf(category: string): Container {
    return this.containerOf(this.parent[this.numbers.indexOf(category)] ?? this.top);
  }

  childrenOf(container: Container): string[] {
    return [...(this.children[this.rowOf(container)] ?? [])].sort((a, b) => a - b).map((index) => this.numbers.categories[index] as string);
  }

  /** Containers that misfit on some day, the top level first. */
  misfitting(): Container[] {
    return [...this.containers()].filter((container) => this.fitOf(container).misfits > 0);
  }

  printOf(category: string): number {
    return this.numbers.prints[this.numbers.indexOf(category)] ?? 0;
  }

  /** What a container lacks to fit exactly (claim − Σ children), as a fingerprint. */
  shortfallPrint(container: Container): number {
    const row = this.rowOf(container);
    const claimed = row === this.top ? this.numbers.anchorPrint : (this.numbers.prints[row] ?? 0);
    return mod(claimed - (this.childPrints[row] ?? 0));
  }

  /**
   * Whether the top level's misfit looks like a category in the wrong place rather than cost in no
   * category: what it lacks (or holds too much) is, by fingerprint, the price of one category or
   * the sum of two, or it misfits on every day one of its children is priced.
   */
  topLooksMisplaced(): boolean {
    const lacking = this.shortfallPrint(null);
    if (lacking === 0) return false;
    const prints = new Set(this.numbers.prints);
    const excess = mod(-lacking);
    if ([...prints].some((print) => print === lacking || print === excess || prints.has(mod(lacking - print)) || prints.has(mod(excess - print)))) return true;
    return this.childrenOf(null).some((child) => this.misfitsWherePriced(null, child));
  }

  /** Misfits and distance over every container. */
  score(): Fit {
    let misfits = 0;
    let distance = 0n;
    for (const container of this.containers()) {
      const fit = this.fitOf(container);
      misfits += fit.misfits;
      distance += fit.distance;
    }
    return { misfits, distance };
  }

  /** How well a container fits today. A container with no priced child on a day is not checked that day. */
  fitOf(container: Container): Fit {
    const row = this.rowOf(container);
    const known = this.fits[row];
    if (known !== undefined) return known;
    const fit = this.fitNow(row);
    this.fits[row] = fit;
    return fit;
  }

  /**
   * How a container would fit once the categories move from `from` to `to`; nothing is changed.
   * Only the days on which a moving category has a price change, so only those are worked out.
   */
  fitAfter(container: Container, categories: readonly string[], from: readonly Container[], to: readonly Container[]): Fit {
    const before = this.fitOf(container);
    const row = this.rowOf(container);
    const { dayCount, prices } = this.numbers;
    const offsets: number[] = [];
    const signs: number[] = [];
    const lists: Int32Array[] = [];
    categories.forEach((category, index) => {
      const sign = (to[index] === container ? 1 : 0) - (from[index] === container ? 1 : 0);
      if (sign === 0) return;
      const moving = this.numbers.indexOf(category);
      offsets.push(moving * dayCount);
      signs.push(sign);
      lists.push(this.numbers.dayLists[moving] ?? new Int32Array(0));
    });
    if (offsets.length === 0) return before;
    const sums = this.sums.get(row);
    const active = this.active.get(row);
    const isTop = row === this.top;
    const claimOffset = row * dayCount;
    let misfits = before.misfits;
    const distance: DistanceSum = { high: 0, low: 0 };
    // Each day once, however many moving categories are priced on it.
    const stamp = ++this.stampCount;
    for (const list of lists)
      for (const day of list) {
        if (this.dayStamps[day] === stamp) continue;
        this.dayStamps[day] = stamp;
        let change = 0;
        let activeChange = 0;
        for (let moving = 0; moving < offsets.length; moving++) {
          const price = prices[(offsets[moving] ?? 0) + day] ?? 0;
          if (price === 0) continue;
          const sign = signs[moving] ?? 0;
          change += sign * price;
          activeChange += sign;
        }
        let claimed: number;
        let checkedNow: boolean;
        let checkedAfter: boolean;
        if (isTop) {
          if (this.numbers.anchorKnown[day] !== 1) continue;
          claimed = this.numbers.anchor[day] ?? 0;
          checkedNow = true;
          checkedAfter = true;
        } else {
          const activeNow = active?.[day] ?? 0;
          checkedNow = activeNow > 0;
          checkedAfter = activeNow + activeChange > 0;
          claimed = prices[claimOffset + day] ?? 0;
        }
        const residualNow = claimed - (sums?.[day] ?? 0);
        const residualAfter = residualNow - change;
        if (checkedNow && residualNow !== 0) {
          misfits -= 1;
          addMagnitude(distance, residualNow, -1);
        }
        if (checkedAfter && residualAfter !== 0) {
          misfits += 1;
          addMagnitude(distance, residualAfter, 1);
        }
      }
    return { misfits, distance: before.distance + distanceOf(distance) };
  }

  /** How the top level would fit once some categories join it and others leave it, given its fit now: only their days change. */
  topFitAfter(joining: readonly string[], leaving: readonly string[], before: Fit): Fit {
    const { dayCount, prices, anchor, anchorKnown } = this.numbers;
    const sums = this.sums.get(this.top);
    const joiningOffsets = joining.map((category) => this.numbers.indexOf(category) * dayCount);
    const leavingOffsets = leaving.map((category) => this.numbers.indexOf(category) * dayCount);
    let misfits = before.misfits;
    const distance: DistanceSum = { high: 0, low: 0 };
    for (let day = 0; day < dayCount; day++) {
      if (anchorKnown[day] !== 1) continue;
      let change = 0;
      for (const offset of joiningOffsets) change += prices[offset + day] ?? 0;
      for (const offset of leavingOffsets) change -= prices[offset + day] ?? 0;
      if (change === 0) continue;
      const was = (anchor[day] ?? 0) - (sums?.[day] ?? 0);
      const now = was - change;
      if (was !== 0) {
        misfits -= 1;
        addMagnitude(distance, was, -1);
      }
      if (now !== 0) {
        misfits += 1;
        addMagnitude(distance, now, 1);
      }
    }
    return { misfits, distance: before.distance + distanceOf(distance) };
  }

  /** The placement as text: equal placements reached by different moves are one. */
  signature(): string {
    return signatureOf(this.parents());
  }

  apply(move: Move): void {
    move.categories.forEach((category, index) => {
      const row = this.numbers.indexOf(category);
      this.detach(row);
      this.attach(row, this.rowOf(move.to[index] ?? null));
    });
  }

  /** Days on which at least one of the categories has a price. */
  pricedDays(categories: readonly string[]): number {
    const { dayCount, prices } = this.numbers;
    const offsets = categories.map((category) => this.numbers.indexOf(category) * dayCount);
    if (offsets.length === 1) return this.numbers.pricedDays[this.numbers.indexOf(categories[0] as string)] ?? 0;
    let days = 0;
    for (let day = 0; day < dayCount; day++) {
      if (offsets.some((offset) => (prices[offset + day] ?? 0) !== 0)) days += 1;
    }
    return days;
  }

  /** The days on which at least one of the categories has a price, up to `limit` of them. */
  pricedDayList(categories: readonly string[], limit: number): number[] {
    const { dayCount, prices } = this.numbers;
    const offsets = categories.map((category) => this.numbers.indexOf(category) * dayCount);
    const days: number[] = [];
    for (let day = 0; day < dayCount && days.length < limit; day++) {
      if (offsets.some((offset) => (prices[offset + day] ?? 0) !== 0)) days.push(day);
    }
    return days;
  }

  /** Whether a container is checked on a day once the categories move: the top level where totalprice is known, a rollup where a child is priced. */
  checkedAfter(container: Container, categories: readonly string[], from: readonly Container[], to: readonly Container[], day: number): boolean {
    const row = this.rowOf(container);
    if (row === this.top) return this.numbers.anchorKnown[day] === 1;
    let active = this.active.get(row)?.[day] ?? 0;
    categories.forEach((category, index) => {
      if ((this.numbers.prices[this.numbers.indexOf(category) * this.numbers.dayCount + day] ?? 0) === 0) return;
      active += (to[index] === container ? 1 : 0) - (from[index] === container ? 1 : 0);
    });
    return active > 0;
  }

  /** How a container fits as the tree stands, over every day. */
  private fitNow(row: number): Fit {
    const { dayCount, prices, anchor, anchorKnown } = this.numbers;
    const sums = this.sums.get(row);
    const active = this.active.get(row);
    const isTop = row === this.top;
    const claimOffset = row * dayCount;
    let misfits = 0;
    const distance: DistanceSum = { high: 0, low: 0 };
    for (let day = 0; day < dayCount; day++) {
      if (isTop ? anchorKnown[day] !== 1 : (active?.[day] ?? 0) <= 0) continue;
      const claimed = isTop ? (anchor[day] ?? 0) : (prices[claimOffset + day] ?? 0);
      const residual = claimed - (sums?.[day] ?? 0);
      if (residual !== 0) {
        misfits += 1;
        addMagnitude(distance, residual, 1);
      }
    }
    return { misfits, distance: distanceOf(distance) };
  }

  /**
   * Each childless category's place among its interchangeable twins: those with the same prices
   * under the same parent, with no children either and names that read as general, in the twins'
   * order: for each one after the first, its rank (1 for the second) and the one before it. Any
   * placement that moves a later one fits exactly as well with an earlier one moved instead, so
   * the searches may take them in order.
   */
  twinRanks(): Map<string, { readonly rank: number; readonly previous: string }> {
    const ranks = new Map<string, { rank: number; previous: string }>();
    for (const members of this.numbers.twins.classes) {
      const last = new Map<string, { rank: number; previous: string }>();
      for (const member of members) {
        if ((this.children[member]?.size ?? 0) > 0) continue;
        const category = this.numbers.categories[member] as string;
        const group = `${this.parent[member] ?? this.top}|${this.numbers.input.nodes.get(category)?.generality ?? 0}`;
        const before = last.get(group);
        if (before !== undefined) ranks.set(category, { rank: before.rank + 1, previous: before.previous });
        last.set(group, { rank: (before?.rank ?? -1) + 1, previous: category });
      }
    }
    return ranks;
  }

  /** Whether a container misfits on every day the category has a price (as a misplaced child makes it). */
  misfitsWherePriced(container: Container, category: string): boolean {
    const days = this.pricedDayList([category], this.numbers.dayCount);
    return this.misfitsOn(container, days) === days.length;
  }

  /** Whether a rollup's priced children cost more than it on a day: Twilio's sums allow that only if they are not all inside. */
  exceededOn(container: string, day: number): boolean {
    return (this.rollupResidualOn(container, day) ?? 0) < 0;
  }

  /** Whether a rollup's priced children cost less than it on a day: it lacks a child, which may be one placed elsewhere. */
  lacksOn(container: string, day: number): boolean {
    return (this.rollupResidualOn(container, day) ?? 0) > 0;
  }

  /**
   * Whether the top level holds enough cost in no category on each of the days to take these
   * categories in (it claims no more than totalprice with them): then they take up that cost rather
   * than being counted twice. A day without totalprice checks nothing and does not pass.
   */
  topHasRoomFor(categories: readonly string[], days: readonly number[]): boolean {
    const { anchor, anchorKnown } = this.numbers;
    const sums = this.sums.get(this.top);
    const rows = categories.map((category) => this.numbers.indexOf(category));
    return days.every((day) => {
      if (anchorKnown[day] !== 1) return false;
      const before = (anchor[day] ?? 0) - (sums?.[day] ?? 0);
      const after = rows.reduce((residual, row) => residual - this.numbers.priceOf(row, day), before);
      return before > 0 && after >= 0;
    });
  }

  /** On how many of the given days a container misfits now. */
  misfitsOn(container: Container, days: readonly number[]): number {
    const row = this.rowOf(container);
    const { dayCount, prices, anchor, anchorKnown } = this.numbers;
    const sums = this.sums.get(row);
    const active = this.active.get(row);
    let misfits = 0;
    for (const day of days) {
      if (row === this.top ? anchorKnown[day] !== 1 : (active?.[day] ?? 0) <= 0) continue;
      const claimed = row === this.top ? (anchor[day] ?? 0) : (prices[row * dayCount + day] ?? 0);
      if (claimed !== (sums?.[day] ?? 0)) misfits += 1;
    }
    return misfits;
  }

  /** The top level, then every category that has children, in name order. */
  *containers(): Generator<Container> {
    yield null;
    for (let row = 0; row < this.top; row++) {
      if ((this.children[row]?.size ?? 0) > 0) yield this.numbers.categories[row] as string;
    }
  }

  /** The top level and every category: where a category may go. */
  everyNode(): Container[] {
    return [null, ...this.numbers.categories];
  }

  isAncestor(ancestor: string, category: string): boolean {
    const target = this.numbers.indexOf(ancestor);
    for (let current = this.parent[this.numbers.indexOf(category)] ?? this.top; current !== this.top; current = this.parent[current] ?? this.top) {
      if (current === target) return true;
    }
    return false;
  }

  /** A rollup's price less its priced children's on a day; undefined where none is priced (it reports alone, unchecked). */
  private rollupResidualOn(container: string, day: number): number | undefined {
    const row = this.rowOf(container);
    if ((this.active.get(row)?.[day] ?? 0) <= 0) return undefined;
    return this.numbers.priceOf(row, day) - (this.sums.get(row)?.[day] ?? 0);
  }

  private rowOf(container: Container): number {
    return container === null ? this.top : this.numbers.indexOf(container);
  }

  private containerOf(row: number): Container {
    return row === this.top ? null : (this.numbers.categories[row] ?? null);
  }

  private attach(index: number, row: number): void {
    this.parent[index] = row;
    this.children[row]?.add(index);
    this.addPrices(index, row, 1);
  }

  private detach(index: number): void {
    const row = this.parent[index] ?? this.top;
    this.children[row]?.delete(index);
    this.addPrices(index, row, -1);
  }

  private addPrices(index: number, row: number, direction: 1 | -1): void {
    const { dayCount, prices } = this.numbers;
    let sums = this.sums.get(row);
    let active = this.active.get(row);
    if (sums === undefined || active === undefined) {
      sums = new Float64Array(dayCount);
      active = new Int32Array(dayCount);
      this.sums.set(row, sums);
      this.active.set(row, active);
    }
    const offset = index * dayCount;
    for (let day = 0; day < dayCount; day++) {
      const price = prices[offset + day] ?? 0;
      if (price === 0) continue;
      sums[day] = (sums[day] ?? 0) + direction * price;
      active[day] = (active[day] ?? 0) + direction;
    }
    this.childPrints[row] = mod((this.childPrints[row] ?? 0) + direction * (this.numbers.prints[index] ?? 0));
    this.fits[row] = undefined;
  }
}
