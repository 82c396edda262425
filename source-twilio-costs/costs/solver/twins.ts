import { compareText } from '../hierarchy';
import { exactResidualOf } from './placements';
import type { Container, Move } from './types';
import type { WindowNumbers } from './window-numbers';

/**
 * Categories with the same price on every day of the window. The numbers cannot tell them apart:
 * any placement fits exactly as well with two of them swapped. Where one holds the other (a rollup
 * whose only priced child is named elsewhere, such as calls-outbound and calls-text-to-speech), and
 * the two directions move as many categories from the prior, the one that goes less against the
 * names (a holder whose name reads as more general) is preferred, so that the two directions of one
 * nesting are not a tie; any other swap that fits as well is a tie the numbers do not decide.
 */
export class Twins {
  /** Each category's class (an index into `classes`), or -1 for a category with no twin. */
  private readonly classOf: Int32Array;
  /** The classes, each in the order a search takes them: the least general name first. */
  readonly classes: readonly (readonly number[])[];
  private readonly generality: Float64Array;

  constructor(numbers: WindowNumbers) {
    const count = numbers.categories.length;
    this.generality = new Float64Array(numbers.categories.map((category) => numbers.input.nodes.get(category)?.generality ?? 0));
    this.classOf = new Int32Array(count).fill(-1);
    const byPrint = new Map<number, number[]>();
    numbers.prints.forEach((print, index) => byPrint.set(print, [...(byPrint.get(print) ?? []), index]));
    const classes: number[][] = [];
    for (const sharing of byPrint.values()) {
      // A shared fingerprint is a shortlist: the prices must be equal on every day.
      const unclassed = [...sharing];
      while (unclassed.length > 1) {
        const [first, ...rest] = unclassed;
        const same = [first as number, ...rest.filter((other) => samePrices(numbers, first as number, other))];
        unclassed.splice(0, unclassed.length, ...rest.filter((other) => !same.includes(other)));
        if (same.length < 2) continue;
        same.sort((a, b) => this.compareGenerality(a, b) || compareText(numbers.categories[a] as string, numbers.categories[b] as string));
        for (const member of same) this.classOf[member] = classes.length;
        classes.push(same);
      }
    }
    this.classes = classes;
  }

  /** The other categories with the same prices as this one, least general first. */
  of(index: number): readonly number[] {
    const found = this.classOf[index] ?? -1;
    return found < 0 ? [] : (this.classes[found] ?? []).filter((member) => member !== index);
  }

  areTwins(a: number, b: number): boolean {
    const found = this.classOf[a] ?? -1;
    return a !== b && found >= 0 && found === this.classOf[b];
  }

  /**
   * How far a nesting goes against the names: for a twin held by one whose name reads as less
   * general, by how much more general the held name reads; 0 otherwise.
   */
  againstNames(holder: number, held: number): number {
    return this.areTwins(holder, held) ? Math.max(0, (this.generality[held] ?? 0) - (this.generality[holder] ?? 0)) : 0;
  }

  /** Σ againstNames of the categories under their parents here. */
  againstNamesOf(numbers: WindowNumbers, parents: ReadonlyMap<string, Container>, categories: Iterable<string>): number {
    let total = 0;
    for (const category of categories) {
      const parent = parents.get(category) ?? null;
      if (parent !== null) total += this.againstNames(numbers.indexOf(parent), numbers.indexOf(category));
    }
    return total;
  }

  /**
   * A move with each twin named by its class: two moves with the same key are one move under other
   * names (a twin swap turns either into the other), so they fit exactly alike.
   */
  keyOf(numbers: WindowNumbers, move: Move): string {
    const name = (category: Container): string => {
      if (category === null) return '';
      const found = this.classOf[numbers.indexOf(category)] ?? -1;
      return found < 0 ? category : `#${found}`;
    };
    return move.categories
      .map((category, index) => `${name(category)}:${name(move.from[index] ?? null)}>${name(move.to[index] ?? null)}`)
      .sort()
      .join(',');
  }

  /** Less general first; 0 when the names read as equally general. */
  compareGenerality(a: number, b: number): number {
    return (this.generality[a] ?? 0) - (this.generality[b] ?? 0);
  }
}

function samePrices(numbers: WindowNumbers, a: number, b: number): boolean {
  const first = numbers.input.nodes.get(numbers.categories[a] as string)?.prices ?? [];
  const second = numbers.input.nodes.get(numbers.categories[b] as string)?.prices ?? [];
  for (let day = 0; day < numbers.dayCount; day++) if ((first[day] ?? 0n) !== (second[day] ?? 0n)) return false;
  return true;
}

/** The placement with two categories' roles swapped: each takes the other's parent and children. */
export function swapped(parents: ReadonlyMap<string, Container>, a: string, b: string): Map<string, Container> {
  const swap = (category: Container): Container => (category === a ? b : category === b ? a : category);
  return new Map([...parents].map(([category]) => [category, swap(parents.get(swap(category) as string) ?? null)]));
}

/**
 * The placement at its best under swaps of twins, and the swaps that are as good. A swap of two
 * twins (each takes the other's parent and children) fits exactly as well, so where it moves fewer
 * categories from the prior, or as many and nests less against the names, it is better, and where
 * it moves as many and nests as much (and the numbers moved one of the two, or a category under
 * one of them), the numbers do not decide between them.
 */
export function bestUnderTwinSwaps(numbers: WindowNumbers, prior: ReadonlyMap<string, Container>, found: ReadonlyMap<string, Container>): { parents: Map<string, Container>; mirrors: Array<Map<string, Container>> } {
  const { twins } = numbers;
  const rank = (parents: ReadonlyMap<string, Container>): [number, number] => [movedFrom(prior, parents), twins.againstNamesOf(numbers, parents, parents.keys())];
  let parents = new Map(found);
  let best = rank(parents);
  // Each adopted swap lowers (moves, against the names), so this ends.
  for (let improved = true; improved;) {
    improved = false;
    for (const [a, b] of twinPairs(numbers)) {
      const mirror = swapped(parents, a, b);
      const score = rank(mirror);
      if (score[0] < best[0] || (score[0] === best[0] && score[1] < best[1])) {
        parents = mirror;
        best = score;
        improved = true;
      }
    }
  }
  const changed = new Set([...parents].filter(([category, parent]) => (prior.get(category) ?? null) !== parent).map(([category]) => category));
  const touches = (twin: string): boolean => changed.has(twin) || [...changed].some((category) => parents.get(category) === twin || prior.get(category) === twin);
  const mirrors: Array<Map<string, Container>> = [];
  for (const [a, b] of twinPairs(numbers)) {
    if (!touches(a) && !touches(b)) continue;
    const mirror = swapped(parents, a, b);
    const score = rank(mirror);
    if (score[0] !== best[0] || score[1] !== best[1] || ![...mirror].some(([category, parent]) => parents.get(category) !== parent)) continue;
    mirrors.push(mirror);
  }
  return { parents, mirrors };
}

function* twinPairs(numbers: WindowNumbers): Generator<readonly [string, string]> {
  for (const members of numbers.twins.classes) {
    for (const [position, first] of members.entries()) {
      for (const second of members.slice(position + 1)) yield [numbers.categories[first] as string, numbers.categories[second] as string];
    }
  }
}

export function movedFrom(prior: ReadonlyMap<string, Container>, parents: ReadonlyMap<string, Container>): number {
  let moved = 0;
  for (const [category, parent] of parents) if ((prior.get(category) ?? null) !== parent) moved += 1;
  return moved;
}

/**
 * The placement with each group the docs suggest (see SolverNode.suggestedGroup) holding a twin
 * that sits beside it, where the group holds nothing else and the container of the two fits on no
 * fewer days without the twin, nor then claims more than its own price: both beside each other
 * would count the same cost twice, which the numbers of a short window (a fee priced on one day, a
 * top level that carries cost in no category) cannot rule out on their own. A credit (a negative
 * price) is no fee of a group. Returns the twins so nested.
 */
export function suggestedGroupsOverTwins(numbers: WindowNumbers, parents: Map<string, Container>): string[] {
  const { input } = numbers;
  const nested: string[] = [];
  for (const members of numbers.twins.classes) {
    const names = members.map((index) => numbers.categories[index] as string);
    for (const group of names.filter((name) => input.nodes.get(name)?.suggestedGroup === true)) {
      const container = parents.get(group) ?? null;
      if ([...parents.values()].includes(group)) continue;
      const held = names.find((name) => name !== group && (parents.get(name) ?? null) === container && ![...parents.values()].includes(name) && fitsNoWorseWithout(numbers, parents, container, name));
      if (held === undefined) continue;
      parents.set(held, group);
      nested.push(held);
    }
  }
  return nested;
}

/**
 * Whether a container is off on no more of the category's priced days once the (non-negative)
 * category leaves it, its twin staying, and then claims no more than its own price on those days.
 */
function fitsNoWorseWithout(numbers: WindowNumbers, parents: ReadonlyMap<string, Container>, container: Container, category: string): boolean {
  const { input } = numbers;
  const members = [...parents].filter(([, parent]) => parent === container).map(([member]) => member);
  // The category is among the members, so a rollup is checked on every day it is priced.
  const residuals = exactResidualOf(input, container, members);
  let change = 0;
  for (let day = 0; day < input.dayCount; day++) {
    const price = input.nodes.get(category)?.prices[day] ?? 0n;
    const residual = residuals[day] ?? null;
    if (price === 0n || residual === null) continue;
    if (price < 0n || residual + price < 0n) return false;
    change += (residual + price !== 0n ? 1 : 0) - (residual !== 0n ? 1 : 0);
  }
  return change <= 0;
}
