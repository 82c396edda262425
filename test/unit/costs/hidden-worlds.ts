import fc from 'fast-check';

import { Hierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { CuratedGroup } from '../../../source-twilio-costs/costs/hierarchy-data';
import type { ReconciledWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { type Decimal, DECIMAL_SCALE, formatDecimal } from '../../../source-twilio-costs/money';

/**
 * Made-up account windows whose true tree the connector's hierarchy gets wrong in k places, on
 * several days with non-round prices. The truth is written here, apart from the product's own
 * category list and curation, so that tests can require the exact true leaves, not only the totals.
 *
 * A hidden placement is one of:
 * - misnamed: the category is named `<other>-tN` after a category that is not its parent, so the
 *   name puts it under that one (like a fee named under sms that sms does not include);
 * - uncurated: it has a name of its own (`tN`) and its parent is not curated, so it starts at the
 *   top level (like a Lookup v2 package Twilio added under lookups);
 * - unknown: the same, and the hierarchy has never heard of it.
 * When every child of a rollup is hidden, the rollup looks like a leaf and must adopt them.
 */
export const ROOT = 'totalprice';
/** 10^-5 (Twilio's smallest price step) in the connector's decimal units. */
export const STEP_UNITS = 10n ** BigInt(DECIMAL_SCALE - 5);

export type Hiding = 'misnamed' | 'uncurated' | 'unknown';

export interface TrueNode {
  name: string;
  parent: number | null;
  children: number[];
  /** Leaves only: price per day in 10^-5 units (0 = idle that day). */
  units: number[];
  curatedParent: string | null | undefined;
  known: boolean;
}

export interface World {
  nodes: TrueNode[];
  days: string[];
  uncategorised: number[];
  hidden: string[];
}

export interface WorldSpec {
  shape: Array<{ parent: number | null }>;
  days: number;
  prices: number[][];
  idle: boolean[][];
  uncategorised: number[];
  hidings: Array<{ node: number; how: Hiding; other: number }>;
}

export const worldSpecs: fc.Arbitrary<WorldSpec> = fc
  .record({ size: fc.integer({ min: 4, max: 16 }), days: fc.integer({ min: 3, max: 6 }), hiddenCount: fc.integer({ min: 1, max: 4 }) })
  .chain(({ size, days, hiddenCount }) =>
    fc.record({
      shape: fc.tuple(...Array.from({ length: size }, (_, index) => fc.record({ parent: index === 0 ? fc.constant(null) : fc.option(fc.nat({ max: index - 1 }), { nil: null, freq: 3 }) }))),
      days: fc.constant(days),
      prices: fc.array(fc.array(fc.noShrink(fc.integer({ min: 100_000, max: 5_000_000 })), { minLength: days, maxLength: days }), { minLength: size, maxLength: size }),
      idle: fc.array(
        fc.array(
          fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0),
          { minLength: days, maxLength: days },
        ),
        { minLength: size, maxLength: size },
      ),
      uncategorised: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -200_000, max: 200_000 })), { minLength: days, maxLength: days }),
      hidings: fc.uniqueArray(fc.record({ node: fc.nat({ max: size - 1 }), how: fc.constantFrom<Hiding>('misnamed', 'uncurated', 'unknown'), other: fc.nat() }), {
        minLength: hiddenCount,
        maxLength: hiddenCount,
        selector: (hiding) => hiding.node,
      }),
    }),
  );

export function buildWorld(spec: WorldSpec): World {
  const nodes: TrueNode[] = [];
  const hidingOf = new Map(spec.hidings.map((hiding) => [hiding.node, hiding]));
  const hidden: string[] = [];
  spec.shape.forEach(({ parent }, index) => {
    const parentName = parent === null ? null : nodes[parent]!.name;
    const hiding = hidingOf.get(index);
    let name: string;
    let curatedParent: string | null | undefined;
    let known = true;
    if (hiding?.how === 'misnamed' && index > 0) {
      // Named after an earlier category that is not its parent: never one of its descendants.
      const candidates = nodes.map((_, other) => other).filter((other) => other !== parent);
      const other = candidates[hiding.other % Math.max(candidates.length, 1)];
      // With no other category to be named after, it is hidden as an uncurated one.
      name = other === undefined ? `t${index}` : `${nodes[other]!.name}-t${index}`;
      if (other !== undefined || parent !== null) hidden.push(name);
    } else if (hiding && parentName !== null) {
      name = `t${index}`;
      curatedParent = undefined;
      known = hiding.how !== 'unknown';
      hidden.push(name);
    } else if (parentName !== null && index % 2 === 0) {
      name = `t${index}`;
      curatedParent = parentName;
    } else {
      name = parentName === null ? `t${index}` : `${parentName}-t${index}`;
    }
    nodes.push({ name, parent, children: [], units: spec.prices[index]!.map((units, day) => (spec.idle[index]![day] ? 0 : units)), curatedParent, known });
    if (parent !== null) nodes[parent]!.children.push(index);
  });
  const days = Array.from({ length: spec.days }, (_, day) => `2025-03-${String(day + 1).padStart(2, '0')}`);
  return { nodes, days, uncategorised: spec.uncategorised, hidden };
}

/** A node's price on a day: its own for a leaf, the sum of its children's for a rollup. */
export function priceOf(world: World, index: number, day: number): number {
  const node = world.nodes[index]!;
  if (node.children.length === 0) return node.units[day] ?? 0;
  return node.children.reduce((sum, child) => sum + priceOf(world, child, day), 0);
}

export function recordsOf(world: World): Map<string, CostInputRecord[]> {
  const byDay = new Map<string, CostInputRecord[]>();
  world.days.forEach((day, dayIndex) => {
    const top = world.nodes.map((node, index) => (node.parent === null ? priceOf(world, index, dayIndex) : 0)).reduce((a, b) => a + b, 0);
    const records = [record(ROOT, top + (world.uncategorised[dayIndex] ?? 0))];
    world.nodes.forEach((node, index) => records.push(record(node.name, priceOf(world, index, dayIndex))));
    byDay.set(day, records);
  });
  return byDay;
}

function record(category: string, units: number): CostInputRecord {
  const price: Decimal = BigInt(units) * STEP_UNITS;
  return { category, price, count: null, countUnit: null, usage: null, usageUnit: null };
}

/** The connector's view: what the names say, plus curation of the placements that are not hidden. */
export function hierarchyOf(world: World): Hierarchy {
  const placements: CuratedGroup[] = world.nodes.filter((node) => node.curatedParent !== undefined).map((node) => ({ parent: node.curatedParent ?? null, children: [node.name] }));
  return Hierarchy.create(
    world.nodes.filter((node) => node.known).map((node) => node.name),
    { root: ROOT, placements, overlaps: {}, products: {} },
  );
}

/** Per day: leaf → "parent price", and the top-level residual. */
export function expectedDay(world: World, day: number): Record<string, string> {
  const rows: Record<string, string> = {};
  world.nodes.forEach((node, index) => {
    if (node.children.length > 0 || priceOf(world, index, day) === 0) return;
    const parent = node.parent === null ? null : world.nodes[node.parent]!.name;
    rows[node.name] = `${parent ?? '-'} ${formatDecimal(BigInt(priceOf(world, index, day)) * STEP_UNITS)}`;
  });
  const uncategorised = world.uncategorised[day] ?? 0;
  if (uncategorised !== 0) rows.unattributed = `- ${formatDecimal(BigInt(uncategorised) * STEP_UNITS)}`;
  return rows;
}

/** Whether a window reports that the numbers do not decide between several placements. */
export function tieReported(window: ReconciledWindow): boolean {
  return window.notes.some((note) => note.level === 'warn' && note.message.startsWith('the numbers do not decide between several placements'));
}

/**
 * The categories a window places by the numbers (placement 'numbers') where the truth does not, with
 * that parent, leaving out those it reports as moves the numbers do not prove: its silent guesses.
 */
export function silentGuesses(world: World, window: ReconciledWindow): Map<string, string | null> {
  // "placed X, Y from A to B and Z from C to D: …, so the numbers do not prove it"
  const unproven = new Set(
    window.notes
      .filter((note) => note.level === 'warn' && note.message.endsWith('so the numbers do not prove it'))
      .flatMap((note) => note.message.slice('placed '.length, note.message.indexOf(': ')).split(' and '))
      .flatMap((leg) => leg.slice(0, leg.indexOf(' from ')).split(', ')),
  );
  const trueParent = new Map(world.nodes.map((node) => [node.name, node.parent === null ? null : world.nodes[node.parent]!.name]));
  return new Map(
    window.placements
      .filter((placement) => placement.placement === 'numbers' && placement.parentCategory !== trueParent.get(placement.category) && !unproven.has(placement.category))
      .map((placement) => [placement.category, placement.parentCategory]),
  );
}

/**
 * Why a window's numbers do or do not determine its true placement (see `identifiability`):
 * - determined: the truth is the one best placement;
 * - tie: another placement is exactly as good;
 * - favoured: another is better (it leaves less unexplained at the top level, or as little with
 *   fewer moves): the numbers point away from the truth;
 * - one-day: the truth is the one best, but re-parents a category priced on a single day, and the
 *   connector trusts no such move beyond the plainest (one day cannot tell a placement from a
 *   coincidence).
 */
export type Identifiability = 'determined' | 'tie' | 'favoured' | 'one-day';

export interface OracleVerdict {
  readonly identifiability: Identifiability;
  /** Categories the truth re-parents from the connector's starting placement. */
  readonly truthMoves: number;
  /** The consistent placements better than the truth (category → parent, null at the top level). */
  readonly favoured: ReadonlyArray<ReadonlyMap<string, string | null>>;
}

/** The oracle tries every placement that re-parents at most this many categories (worlds hide at most 4). */
const ORACLE_REACH = 4;

/**
 * Decides by brute force, apart from the solver, whether a world's numbers determine its truth.
 *
 * The categories are those priced on some day. The start is the connector's prior: the hierarchy's
 * parent by curation and name, or its nearest priced ancestor. A placement gives every category a
 * parent (a category or the top level) with no cycle; its moves are the categories whose parent
 * differs from the start. It is consistent when, on every day, every category with children costs
 * exactly the sum of its children. The top level is not held to that: totalprice may include cost
 * in no category, which the connector cannot see, so of two consistent placements the better one
 * leaves the top level unexplained on fewer days, then by less in total (Σ |totalprice − Σ top
 * level| over the days), then needs fewer moves, then nests categories of the same prices less
 * against their names. The truth is consistent by construction (checked).
 *
 * Determined means: among all consistent placements within ORACLE_REACH moves of the start, the
 * truth is strictly better than every other, and every category it re-parents is priced on two
 * days at least. Every such placement is enumerated: each set of at most ORACLE_REACH categories,
 * and every way to hand its members out so that each container they touch gets exactly what it
 * lacks. The worlds are small (≤ 16 categories), so this is at most a few thousand sets.
 */
export function identifiability(world: World): OracleVerdict {
  const dayCount = world.days.length;
  const vectorOf = (index: number): number[] => world.days.map((_, day) => priceOf(world, index, day));
  const priced = world.nodes.map((_, index) => index).filter((index) => vectorOf(index).some((units) => units !== 0));
  const slot = new Map(priced.map((index, position) => [index, position]));
  const claims = priced.map(vectorOf);
  const names = priced.map((index) => world.nodes[index]!.name);
  const truth = priced.map((index) => {
    const parent = world.nodes[index]!.parent;
    return parent === null ? null : (slot.get(parent) ?? null);
  });
  const namesHierarchy = hierarchyOf(world).withCategories([ROOT, ...world.nodes.map((node) => node.name)]);
  const start = priorPlacement(world, names);
  const moved = (placement: readonly (number | null)[]): number => placement.filter((parent, position) => parent !== start[position]).length;
  const anchor = world.days.map((_, day) => world.nodes.reduce((sum, node, index) => sum + (node.parent === null ? priceOf(world, index, day) : 0), 0) + (world.uncategorised[day] ?? 0));

  // What each category lacks with nothing moved: its price minus its starting children's.
  const shortfall = claims.map((claim) => [...claim]);
  const startChildren = claims.map((): number[] => []);
  start.forEach((parent, position) => {
    if (parent === null) return;
    startChildren[parent]!.push(position);
    claims[position]!.forEach((units, day) => (shortfall[parent]![day]! -= units));
  });
  const keyOf = (vector: readonly number[]): string => vector.join(',');
  const zeroKey = keyOf(new Array<number>(dayCount).fill(0));

  const consistent: Array<readonly (number | null)[]> = [];
  for (const members of subsetsUpTo(priced.length, ORACLE_REACH)) {
    const moving = new Set(members);
    // What each category must gain once the members leave, and whether it must: one that keeps
    // children must gain what it lacks; one left childless stays a leaf or adopts a set costing
    // exactly its price. The top level takes anything.
    const required = claims.map((claim, container) => {
      const short = [...shortfall[container]!];
      for (const member of members) if (start[member] === container) claims[member]!.forEach((units, day) => (short[day]! += units));
      const keeps = startChildren[container]!.some((child) => !moving.has(child));
      return keeps ? { key: keyOf(short), mandatory: keyOf(short) !== zeroKey } : { key: keyOf(claim), mandatory: false };
    });
    const blockKeys = new Map<number, string>();
    for (let mask = 1; mask < 1 << members.length; mask++) {
      const sum = new Array<number>(dayCount).fill(0);
      members.forEach((member, bit) => {
        if (mask & (1 << bit)) claims[member]!.forEach((units, day) => (sum[day]! += units));
      });
      blockKeys.set(mask, keyOf(sum));
    }
    const placement: (number | null)[] = [...start];
    const receiving = new Set<number | null>();
    const assign = (unassigned: number): void => {
      if (unassigned === 0) {
        const complete = required.every((requirement, container) => !requirement.mandatory || receiving.has(container));
        if (complete && acyclic(placement)) consistent.push([...placement]);
        return;
      }
      // The lowest unassigned member goes with some block of the unassigned ones to one container.
      const lowest = unassigned & -unassigned;
      for (let block = unassigned; block > 0; block = (block - 1) & unassigned) {
        if (!(block & lowest)) continue;
        const blockMembers = members.filter((_, bit) => block & (1 << bit));
        const receivers = [null, ...required.map((_, container) => container).filter((container) => required[container]!.key === blockKeys.get(block))];
        for (const parent of receivers) {
          if (receiving.has(parent) || blockMembers.some((member) => member === parent || start[member] === parent)) continue;
          receiving.add(parent);
          for (const member of blockMembers) placement[member] = parent;
          assign(unassigned & ~block);
          for (const member of blockMembers) placement[member] = start[member] ?? null;
          receiving.delete(parent);
        }
      }
    };
    assign((1 << members.length) - 1);
  }
  // Two categories with the same prices every day cannot be told apart by the numbers: of the
  // directions of nesting one under the other, the connector takes the one that goes least against
  // the names, Σ by how much more general a held name reads than its holder (the convention, not
  // arithmetic: Hierarchy.generalityOf).
  const generality = names.map((name) => namesHierarchy.generalityOf(name));
  const inversions = (placement: readonly (number | null)[]): number =>
    placement.reduce<number>((sum, parent, position) => (parent !== null && keyOf(claims[parent]!) === keyOf(claims[position]!) ? sum + Math.max(0, generality[position]! - generality[parent]!) : sum), 0);
  // Days the top level is left unexplained, Σ |unexplained|, moves, nestings against the names: smaller is better.
  const rank = (placement: readonly (number | null)[]): [number, number, number, number] => {
    const residual = [...anchor];
    placement.forEach((parent, position) => {
      if (parent === null) claims[position]!.forEach((units, day) => (residual[day]! -= units));
    });
    return [residual.filter((units) => units !== 0).length, residual.reduce((sum, units) => sum + Math.abs(units), 0), moved(placement), inversions(placement)];
  };
  const compare = (a: readonly number[], b: readonly number[]): number => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || a[3]! - b[3]!;
  const truthKey = truth.join(',');
  if (!consistent.some((placement) => placement.join(',') === truthKey)) throw new Error(`the oracle misses the truth of a world hiding ${world.hidden.join(', ')}`);
  const truthRank = rank(truth);
  const others = consistent.filter((placement) => placement.join(',') !== truthKey).map((placement) => compare(rank(placement), truthRank));
  const favoured = consistent.filter((placement) => compare(rank(placement), truthRank) < 0).map((placement) => new Map(placement.map((parent, position) => [names[position]!, parent === null ? null : names[parent]!])));
  const pricedDays = (position: number): number => claims[position]!.filter((units) => units !== 0).length;
  const oneDay = truth.some((parent, position) => parent !== start[position] && pricedDays(position) < 2);
  const identifiability: Identifiability = others.some((order) => order < 0) ? 'favoured' : others.some((order) => order === 0) ? 'tie' : oneDay ? 'one-day' : 'determined';
  return { identifiability, truthMoves: moved(truth), favoured };
}

/** The connector's starting placement of the priced categories (indices into `names`, null = top level). */
function priorPlacement(world: World, names: readonly string[]): (number | null)[] {
  const hierarchy = hierarchyOf(world).withCategories([ROOT, ...world.nodes.map((node) => node.name)]);
  const position = new Map(names.map((name, index) => [name, index]));
  return names.map((name) => {
    for (let ancestor = hierarchy.parentOf(name); ancestor !== null; ancestor = hierarchy.parentOf(ancestor)) {
      const found = position.get(ancestor);
      if (found !== undefined) return found;
    }
    return null;
  });
}

function acyclic(placement: readonly (number | null)[]): boolean {
  return placement.every((_, start) => {
    let steps = 0;
    for (let current = placement[start] ?? null; current !== null; current = placement[current] ?? null) {
      if (++steps > placement.length) return false;
    }
    return true;
  });
}

/** Every set of at most `largest` of `count` indices, as ascending arrays. */
function* subsetsUpTo(count: number, largest: number): Generator<number[]> {
  const picked: number[] = [];
  function* extend(from: number): Generator<number[]> {
    yield [...picked];
    if (picked.length === largest) return;
    for (let index = from; index < count; index++) {
      picked.push(index);
      yield* extend(index + 1);
      picked.pop();
    }
  }
  yield* extend(0);
}
