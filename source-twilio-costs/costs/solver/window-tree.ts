import type { Decimal } from '../../money';
import { compareText } from '../hierarchy';
import { dayWeights, fingerprintOf, mod } from './fingerprint';
import { signatureOf } from './placements';
import type { Container, Fit, Move, SolverInput } from './types';

/** A signed change to a container: prices and priced-child counts per day. */
export interface Delta {
  readonly prices: readonly Decimal[];
  readonly active: Int32Array;
}

const abs = (value: Decimal): Decimal => (value < 0n ? -value : value);

/**
 * The window's tree as the solver changes it: parents, and each container's daily child sums, so
 * that how well a container fits (its price against the sum of its children, day by day) is known
 * at any time, and how it would fit after a move is worked out without making it.
 */
export class WindowTree {
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
      this.priceFingerprints.set(category, fingerprintOf(node.prices, this.weights));
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
    return [...this.containers()].filter((container) => this.fitOf(container).misfits > 0);
  }

  printOf(category: string): number {
    return this.priceFingerprints.get(category) ?? 0;
  }

  /** What a container lacks to fit exactly (claim − Σ children), as a fingerprint. */
  shortfallPrint(container: Container): number {
    const claimed = container === null ? fingerprintOf(this.input.anchor.map((price) => price ?? 0n), this.weights) : (this.priceFingerprints.get(container) ?? 0);
    return mod(claimed - fingerprintOf(this.sums.get(container) ?? [], this.weights));
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
    return this.fitWith(container, undefined);
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

  /** Days on which at least one of the categories has a price. */
  pricedDays(categories: readonly string[]): number {
    let days = 0;
    for (let day = 0; day < this.input.dayCount; day++) {
      if (categories.some((category) => (this.input.nodes.get(category)?.prices[day] ?? 0n) !== 0n)) days += 1;
    }
    return days;
  }

  /** What a container gains (signed) when the categories move: prices and priced-child counts per day. */
  deltaOf(categories: readonly string[], from: readonly Container[], to: readonly Container[], container: Container): Delta {
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

  /** The fit once a signed change (a move's prices and priced-child counts) is applied to it. */
  fitWith(container: Container, delta: Delta | undefined): Fit {
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

  /** The top level, then every category that has children, in name order. */
  *containers(): Generator<Container> {
    yield null;
    for (const container of [...this.children.keys()].filter((key): key is string => key !== null).sort(compareText)) {
      if ((this.children.get(container)?.size ?? 0) > 0) yield container;
    }
  }

  /** The top level and every category: where a category may go. */
  everyNode(): Container[] {
    return [null, ...[...this.input.nodes.keys()].sort(compareText)];
  }

  isAncestor(ancestor: string, category: string): boolean {
    for (let current = this.parent.get(category) ?? null; current !== null; current = this.parent.get(current) ?? null) {
      if (current === ancestor) return true;
    }
    return false;
  }

  /** What a container claims its children add up to on a day: its price, or totalprice at the top. */
  private claimedOn(container: Container, day: number): Decimal | null {
    if (container === null) return this.input.anchor[day] ?? null;
    return this.input.nodes.get(container)?.prices[day] ?? 0n;
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
