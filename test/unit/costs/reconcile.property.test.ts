import { expect } from 'chai';
import fc from 'fast-check';

import { Hierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { CuratedGroup, HierarchyCuration } from '../../../source-twilio-costs/costs/hierarchy-data';
import { reconcileDay } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord, CostRow, ReconciledDay } from '../../../source-twilio-costs/costs/types';
import { type Decimal, DECIMAL_SCALE, sumDecimals } from '../../../source-twilio-costs/money';

/**
 * Random made-up category trees. Every node gets a name of one of three kinds:
 * - prefix: `<parent>-tN`, so the name alone places it;
 * - fresh: `tN`, a non-prefix edge (like lookups → carrier-lookups) that only curation knows;
 * - misleading: `<other node>-tN` under a different parent (like calls-sip, not inside calls).
 * Leaves get 5-decimal prices (some zero, some negative, some tiny so that prices collide);
 * a rollup's price is the sum of its children's, as Twilio computes it.
 */
const ROOT = 'totalprice';
/** 10^-5 in the connector's decimal units. */
const UNITS_PER_CENT_OF_CENT = 10n ** BigInt(DECIMAL_SCALE - 5);

interface NodeSpec {
  parent: number | null;
  naming: 'prefix' | 'fresh' | 'misleading';
  nameBase: number;
  units: number;
  reported: boolean;
  collapsed: boolean;
  hidden: boolean;
  known: boolean;
  upperCase: boolean;
}

interface TrueNode {
  name: string;
  parent: number | null;
  price: Decimal;
  reported: boolean;
  /** Present when only curation can place the node: its true parent's name, or null for the top. */
  curatedParent?: string | null;
  hidden: boolean;
  known: boolean;
  upperCase: boolean;
}

interface Scenario {
  nodes: TrueNode[];
  uncategorised: Decimal;
  overlap: { name: string; price: Decimal; includedIn: string } | null;
  totalprice: Decimal;
  records: CostInputRecord[];
}

const priceUnits = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -3, max: 8 }) }, { weight: 5, arbitrary: fc.integer({ min: -200_000, max: 2_000_000 }) });

/** Prices from a handful of values: coincidences, hence ambiguous corrections, become common. */
const tinyPriceUnits = fc.integer({ min: -2, max: 3 });

const nodeSpecWith = (units: fc.Arbitrary<number>): fc.Arbitrary<NodeSpec> =>
  fc.record({
    parent: fc.option(fc.nat(), { nil: null, freq: 4 }),
    naming: fc.constantFrom('prefix', 'prefix', 'fresh', 'misleading'),
    nameBase: fc.nat(),
    units,
    reported: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    collapsed: fc.boolean(),
    hidden: fc.boolean(),
    known: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    upperCase: fc.boolean(),
  });
const nodeSpec = nodeSpecWith(priceUnits);

function buildNodes(specs: readonly NodeSpec[]): TrueNode[] {
  const nodes: TrueNode[] = [];
  specs.forEach((spec, index) => {
    const parent = index === 0 || spec.parent === null ? null : spec.parent % index;
    const base = index === 0 ? null : spec.nameBase % index;
    const parentName = parent === null ? null : (nodes[parent]?.name ?? null);
    const baseName = base === null ? null : (nodes[base]?.name ?? null);
    const common = { parent, price: 0n, reported: false, hidden: spec.hidden, known: spec.known, upperCase: spec.upperCase };
    if (spec.naming === 'prefix' && parentName !== null) {
      nodes.push({ ...common, name: `${parentName}-t${index}` });
    } else if (spec.naming === 'misleading' && baseName !== null && base !== parent) {
      nodes.push({ ...common, name: `${baseName}-t${index}`, curatedParent: parentName });
    } else if (parentName !== null) {
      nodes.push({ ...common, name: `t${index}`, curatedParent: parentName });
    } else {
      nodes.push({ ...common, name: `t${index}` });
    }
  });
  const hasChildren = new Set(nodes.map((node) => node.parent));
  // Children come after their parents, so one backward pass sums every subtree.
  for (let index = nodes.length - 1; index >= 0; index -= 1) {
    const node = nodes[index]!;
    if (!hasChildren.has(index)) node.price = BigInt(specs[index]!.units) * UNITS_PER_CENT_OF_CENT;
    if (node.parent !== null) nodes[node.parent]!.price += node.price;
  }
  // Leaves are always reported; a rollup may be missing, or reported alone (its subtree missing).
  const belowCollapsed: boolean[] = [];
  nodes.forEach((node, index) => {
    const parentCollapsed = node.parent !== null && nodes[node.parent]!.reported && specs[node.parent]!.collapsed;
    belowCollapsed[index] = node.parent !== null && (belowCollapsed[node.parent]! || parentCollapsed);
    node.reported = !belowCollapsed[index] && (!hasChildren.has(index) || specs[index]!.reported);
  });
  return nodes;
}

function scenario(specs: readonly NodeSpec[], uncategorisedUnits: number, overlapOf: number | null): Scenario {
  const nodes = buildNodes(specs);
  const uncategorised = BigInt(uncategorisedUnits) * UNITS_PER_CENT_OF_CENT;
  const roots = nodes.filter((node) => node.parent === null);
  const totalprice = sumDecimals(roots.map((node) => node.price)) + uncategorised;
  const leaves = nodes.filter((node) => node.reported && !nodes.some((other) => other.parent === nodes.indexOf(node)));
  const duplicated = overlapOf === null ? undefined : leaves[overlapOf % Math.max(leaves.length, 1)];
  const overlap = duplicated ? { name: 'dup', price: duplicated.price, includedIn: duplicated.name } : null;
  const records: CostInputRecord[] = [
    rec(ROOT.toUpperCase(), totalprice),
    ...nodes.filter((node) => node.reported).map((node) => rec(node.upperCase ? node.name.toUpperCase() : node.name, node.price)),
    ...(overlap ? [rec(overlap.name, overlap.price)] : []),
  ];
  return { nodes, uncategorised, overlap, totalprice, records };
}

function rec(category: string, price: Decimal): CostInputRecord {
  return { category, price, count: price, countUnit: 'calls', usage: null, usageUnit: null };
}

/** The hierarchy a connector would have: `withHidden` false drops the hidden curated edges and unknown names. */
function hierarchyOf(world: Scenario, withHidden: boolean): Hierarchy {
  const visible = world.nodes.filter((node) => withHidden || !node.hidden);
  const placements: CuratedGroup[] = visible.filter((node) => node.curatedParent !== undefined).map((node) => ({ parent: node.curatedParent ?? null, children: [node.name] }));
  const curation: HierarchyCuration = {
    root: ROOT,
    placements,
    overlaps: world.overlap ? { [world.overlap.name]: world.overlap.includedIn } : {},
    products: {},
  };
  const known = world.nodes.filter((node) => withHidden || node.known).map((node) => node.name);
  return Hierarchy.create(known, curation);
}

/** What a perfect reconciliation yields: the priced nodes with no priced descendant, under the nearest priced ancestor. */
function trueRows(world: Scenario): Map<string, { parent: string | null; price: Decimal }> {
  const priced = (index: number | null): boolean => index !== null && world.nodes[index]!.reported && world.nodes[index]!.price !== 0n;
  const pricedAncestor = (index: number): number | null => {
    let ancestor = world.nodes[index]!.parent;
    while (ancestor !== null && !priced(ancestor)) ancestor = world.nodes[ancestor]!.parent;
    return ancestor;
  };
  const pricedIndexes = world.nodes.map((_, index) => index).filter(priced);
  const containers = new Set(pricedIndexes.map(pricedAncestor));
  const rows = new Map<string, { parent: string | null; price: Decimal }>();
  for (const index of pricedIndexes.filter((candidate) => !containers.has(candidate))) {
    const parent = pricedAncestor(index);
    rows.set(world.nodes[index]!.name, { parent: parent === null ? null : world.nodes[parent]!.name, price: world.nodes[index]!.price });
  }
  if (world.uncategorised !== 0n) rows.set('unattributed', { parent: null, price: world.uncategorised });
  return rows;
}

function rowsAsMap(rows: readonly CostRow[]): Map<string, { parent: string | null; price: Decimal }> {
  return new Map(rows.map((row) => [row.category, { parent: row.parentCategory, price: row.price }]));
}

/** Invariants 1-5, which hold whatever structure the hierarchy missed. */
function expectConsistent(world: Scenario, day: ReconciledDay): void {
  const inputs = new Map(
    world.records
      .map((input) => ({ ...input, category: input.category.toLowerCase() }))
      .filter((input) => input.price !== 0n && input.category !== ROOT && input.category !== world.overlap?.name)
      .map((input) => [input.category, input]),
  );
  // 1. Exactly totalprice.
  expect(sumDecimals(day.rows.map((row) => row.price))).to.equal(world.totalprice);
  // 4. Lower case, and no category twice (rows and rollups together).
  const listed = [...day.rows.map((row) => row.category), ...day.rollups.map((rollup) => rollup.category)];
  expect(new Set(listed).size).to.equal(listed.length);
  for (const category of listed) expect(category).to.equal(category.toLowerCase());
  // 2/4/5. Every priced input is a row with its own price, or a rollup the rows sit under; nothing
  // else is listed (so no overlap and no zero-price category) except non-zero residual rows.
  const rollups = new Map(day.rollups.map((rollup) => [rollup.category, rollup]));
  for (const row of day.rows) {
    const input = inputs.get(row.category);
    if (row.isUnattributed) {
      expect(input).to.equal(undefined);
      expect(row.price).to.not.equal(0n);
      expect(row.category).to.equal(row.parentCategory === null ? 'unattributed' : `${row.parentCategory}:unattributed`);
      expect(row.count).to.equal(null);
    } else {
      expect(input, row.category).to.not.equal(undefined);
      expect(row.price).to.equal(input?.price);
      expect(row.count).to.equal(input?.count);
    }
  }
  for (const rollup of day.rollups) expect(rollup.price).to.equal(inputs.get(rollup.category)?.price);
  expect([...inputs.keys()].sort()).to.deep.equal(listed.filter((category) => inputs.has(category)).sort());
  // 3. The rows form a tree whose every rollup is exactly the sum of its children.
  const entries = [...day.rows, ...day.rollups];
  for (const parent of [null, ...rollups.keys()]) {
    const children = entries.filter((entry) => entry.parentCategory === parent);
    const claimed = parent === null ? world.totalprice : rollups.get(parent)!.price;
    if (parent !== null) expect(children, parent).to.not.deep.equal([]);
    expect(sumDecimals(children.map((child) => child.price)), parent ?? 'top').to.equal(claimed);
  }
  for (const entry of entries) {
    const seen = new Set<string>();
    for (let parent = entry.parentCategory; parent !== null; parent = rollups.get(parent)?.parentCategory ?? null) {
      expect(rollups.has(parent), parent).to.equal(true);
      expect(seen.has(parent), 'cycle').to.equal(false);
      seen.add(parent);
    }
  }
}

const worldsWith = (units: fc.Arbitrary<number>) =>
  fc.record({
    specs: fc.array(nodeSpecWith(units), { minLength: 1, maxLength: 30, size: 'medium' }),
    uncategorisedUnits: fc.oneof(fc.constant(0), units),
    overlapOf: fc.option(fc.nat(), { nil: null }),
  });
const worlds = fc.oneof(worldsWith(priceUnits), worldsWith(tinyPriceUnits));

describe('costs/reconcileDay properties', () => {
  it('keeps every invariant when the hierarchy misses structure, whatever the input order', () => {
    fc.assert(
      fc.property(worlds, ({ specs, uncategorisedUnits, overlapOf }) => {
        const world = scenario(specs, uncategorisedUnits, overlapOf);
        const hierarchy = hierarchyOf(world, false);
        const day = reconcileDay(world.records, hierarchy);
        expectConsistent(world, day);
        expect(reconcileDay([...world.records].reverse(), hierarchy)).to.deep.equal(day);
      }),
      { numRuns: 400 },
    );
  });

  it('yields exactly the true priced leaves, and no residual but uncategorised cost, when the structure is known', () => {
    fc.assert(
      fc.property(worlds, ({ specs, uncategorisedUnits, overlapOf }) => {
        const world = scenario(specs, uncategorisedUnits, overlapOf);
        const day = reconcileDay(world.records, hierarchyOf(world, true));
        expectConsistent(world, day);
        expect(rowsAsMap(day.rows)).to.deep.equal(trueRows(world));
        expect(day.rows.filter((row) => row.placement === 'numbers' && !row.isUnattributed)).to.deep.equal([]);
        // Only coincidences with cost in no category, which the solver declined, are warned about.
        const expected = /^the numbers do not decide between several placements/;
        expect(day.notes.filter((note) => note.level === 'warn' && !expected.test(note.message))).to.deep.equal([]);
      }),
      { numRuns: 400 },
    );
  });

  it('recovers the truth when the numbers move the one misplaced category', () => {
    let recovered = 0;
    fc.assert(
      fc.property(fc.array(nodeSpec, { minLength: 2, maxLength: 20, size: 'medium' }), fc.nat(), (specs, pick) => {
        const world = scenario(specs, 0, null);
        const curated = world.nodes.filter((node) => node.curatedParent !== undefined);
        for (const node of world.nodes) Object.assign(node, { hidden: false, known: true });
        const hiddenNode = curated[pick % Math.max(curated.length, 1)];
        if (hiddenNode) hiddenNode.hidden = true;
        const day = reconcileDay(world.records, hierarchyOf(world, false));
        expectConsistent(world, day);
        const corrected = [...day.rows, ...day.rollups].filter((entry) => entry.placement === 'numbers' && !('isUnattributed' in entry && entry.isUnattributed)).map((entry) => entry.category);
        if (hiddenNode && corrected.length === 1 && corrected[0] === hiddenNode.name) {
          recovered += 1;
          expect(rowsAsMap(day.rows)).to.deep.equal(trueRows(world));
        }
      }),
      { numRuns: 600 },
    );
    expect(recovered).to.be.greaterThan(20);
  });
});
