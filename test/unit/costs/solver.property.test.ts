import { expect } from 'chai';
import fc from 'fast-check';
import { Hierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { CuratedGroup } from '../../../source-twilio-costs/costs/hierarchy-data';
import { reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { DECIMAL_SCALE, formatDecimal, type Decimal } from '../../../source-twilio-costs/money';

/**
 * Made-up account windows whose true tree the connector's hierarchy gets wrong in k places, on
 * several days with non-round prices. The truth is written here, apart from the product's own
 * category list and curation; the test requires the exact true leaves, not only the totals.
 *
 * A hidden placement is one of:
 * - misnamed: the category is named `<other>-tN` after a category that is not its parent, so the
 *   name puts it under that one (like a fee named under sms that sms does not include);
 * - uncurated: it has a name of its own (`tN`) and its parent is not curated, so it starts at the
 *   top level (like a Lookup v2 package Twilio added under lookups);
 * - unknown: the same, and the hierarchy has never heard of it.
 * When every child of a rollup is hidden, the rollup looks like a leaf and must adopt them.
 */
const ROOT = 'totalprice';
/** 10^-5 (Twilio's smallest price step) in the connector's decimal units. */
const STEP_UNITS = 10n ** BigInt(DECIMAL_SCALE - 5);

type Hiding = 'misnamed' | 'uncurated' | 'unknown';

interface TrueNode {
  name: string;
  parent: number | null;
  children: number[];
  /** Leaves only: price per day in 10^-5 units (0 = idle that day). */
  units: number[];
  curatedParent: string | null | undefined;
  known: boolean;
}

interface World {
  nodes: TrueNode[];
  days: string[];
  uncategorised: number[];
  hidden: string[];
}

interface WorldSpec {
  shape: Array<{ parent: number | null }>;
  days: number;
  prices: number[][];
  idle: boolean[][];
  uncategorised: number[];
  hidings: Array<{ node: number; how: Hiding; other: number }>;
}

const worldSpecs: fc.Arbitrary<WorldSpec> = fc
  .record({ size: fc.integer({ min: 4, max: 16 }), days: fc.integer({ min: 3, max: 6 }), hiddenCount: fc.integer({ min: 1, max: 4 }) })
  .chain(({ size, days, hiddenCount }) =>
    fc.record({
      shape: fc.tuple(...Array.from({ length: size }, (_, index) => fc.record({ parent: index === 0 ? fc.constant(null) : fc.option(fc.nat({ max: index - 1 }), { nil: null, freq: 3 }) }))),
      days: fc.constant(days),
      prices: fc.array(fc.array(fc.noShrink(fc.integer({ min: 100_000, max: 5_000_000 })), { minLength: days, maxLength: days }), { minLength: size, maxLength: size }),
      idle: fc.array(fc.array(fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0), { minLength: days, maxLength: days }), { minLength: size, maxLength: size }),
      uncategorised: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -200_000, max: 200_000 })), { minLength: days, maxLength: days }),
      hidings: fc.uniqueArray(fc.record({ node: fc.nat({ max: size - 1 }), how: fc.constantFrom<Hiding>('misnamed', 'uncurated', 'unknown'), other: fc.nat() }), {
        minLength: hiddenCount,
        maxLength: hiddenCount,
        selector: (hiding) => hiding.node,
      }),
    }),
  );

function buildWorld(spec: WorldSpec): World {
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
function priceOf(world: World, index: number, day: number): number {
  const node = world.nodes[index]!;
  if (node.children.length === 0) return node.units[day] ?? 0;
  return node.children.reduce((sum, child) => sum + priceOf(world, child, day), 0);
}

function recordsOf(world: World): Map<string, CostInputRecord[]> {
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
function hierarchyOf(world: World): Hierarchy {
  const placements: CuratedGroup[] = world.nodes
    .filter((node) => node.curatedParent !== undefined)
    .map((node) => ({ parent: node.curatedParent ?? null, children: [node.name] }));
  return Hierarchy.create(
    world.nodes.filter((node) => node.known).map((node) => node.name),
    { root: ROOT, placements, overlaps: {}, products: {} },
  );
}

/** Per day: leaf → "parent price", and the top-level residual. */
function expectedDay(world: World, day: number): Record<string, string> {
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

/**
 * Whether the numbers can tell the truth: every hidden category is priced on two days at least (one
 * day cannot tell a placement from a coincidence), and no rollup costs the same as one of its
 * children every day (then either could be the other's parent).
 */
function determinable(world: World): boolean {
  const vector = (index: number): string => world.days.map((_, day) => priceOf(world, index, day)).join(',');
  const pricedDays = (index: number): number => world.days.filter((_, day) => priceOf(world, index, day) !== 0).length;
  const hiddenSeen = world.hidden.every((name) => pricedDays(world.nodes.findIndex((node) => node.name === name)) >= 2);
  const rollupsDistinct = world.nodes.every((node, index) => node.children.every((child) => vector(child) !== vector(index)));
  return hiddenSeen && rollupsDistinct;
}

/** Reconciles a world; whether every day's rows are exactly the true leaves, after checking what must always hold. */
function reconcilesExactly(world: World): boolean {
  const records = recordsOf(world);
  const window = reconcileWindow(records, hierarchyOf(world));
  let exact = true;
  world.days.forEach((day, dayIndex) => {
    const rows = window.days.get(day)?.rows ?? [];
    // Always: the rows add up to totalprice, and every non-residual row carries its input's exact price.
    const inputs = new Map((records.get(day) ?? []).map((input) => [input.category, input.price]));
    expect(rows.reduce((sum, row) => sum + row.price, 0n), day).to.equal(inputs.get(ROOT));
    for (const row of rows.filter((candidate) => !candidate.isUnattributed)) expect(row.price, row.category).to.equal(inputs.get(row.category));
    const actual = Object.fromEntries(rows.map((row) => [row.category, `${row.parentCategory ?? '-'} ${formatDecimal(row.price)}`]));
    try {
      expect(actual).to.deep.equal(expectedDay(world, dayIndex));
    } catch {
      exact = false;
    }
  });
  return exact;
}

describe('costs/reconcileWindow with hidden placements', () => {
  it('finds every true leaf with its exact price and parent when one or two placements are hidden', () => {
    fc.assert(
      fc.property(worldSpecs, (spec) => {
        const world = buildWorld(spec);
        fc.pre(determinable(world) && world.hidden.length >= 1 && world.hidden.length <= 2);
        expect(reconcilesExactly(world), `hidden: ${world.hidden.join(', ')}`).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  // Not yet every world: when three or four misplacements interlock so that no single move (of one
  // set, a set drawn from several places, or a swap) fits anything better, they stay visible in
  // residual rows. About 1 window in 60 when measured; the floor guards against regressions.
  it('finds the exact leaves in nearly every window when 3 or 4 placements are hidden, and keeps every total exact in all', () => {
    let windows = 0;
    let exact = 0;
    fc.assert(
      fc.property(worldSpecs, (spec) => {
        const world = buildWorld(spec);
        fc.pre(determinable(world) && world.hidden.length >= 3);
        windows += 1;
        if (reconcilesExactly(world)) exact += 1;
      }),
      { numRuns: 200 },
    );
    expect(exact / windows).to.be.at.least(0.95);
  });
});
