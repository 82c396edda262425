/**
 * Turns one account-day of Twilio usage records (a flat list in which rollups and their parts
 * overlap) into leaf-cost rows that add up exactly to that day's totalprice.
 *
 * The day's tree holds the categories with a non-zero price. A category's parent in it is its
 * nearest ancestor in the hierarchy that is also priced that day: a zero or missing rollup makes no
 * claim about its children, so they belong to the next level that does.
 *
 * Each rollup's price is compared with the sum of its children; a difference becomes a
 * `<rollup>:unattributed` row, and `totalprice − Σ top level` an `unattributed` row. By telescoping,
 * Σ rows = totalprice exactly, whatever the tree looks like; nothing is scaled or hidden. Before
 * that, exact arithmetic coincidences are used to repair the tree (see correctByNumbers).
 */
import { formatDecimal, sumDecimals, type Decimal } from '../money';
import { compareText, normalizeCategory, type Hierarchy } from './hierarchy';
import { OTHER_PRODUCT } from './hierarchy-data';
import type {
  CostInputRecord,
  CostRow,
  DayRollup,
  PlacementSource,
  ReconcileNote,
  ReconciledDay,
} from './types';

export const TOP_LEVEL_RESIDUAL = 'unattributed';

export function residualCategoryOf(rollup: string): string {
  return `${rollup}:${TOP_LEVEL_RESIDUAL}`;
}

/** A priced category of the day and where it sits. */
interface DayNode {
  readonly record: CostInputRecord;
  readonly parent: string | null;
  readonly placement: PlacementSource;
}

/** Category → node. A container key of null is the top level (whose price is totalprice). */
type DayTree = ReadonlyMap<string, DayNode>;
type Container = string | null;

type Correction =
  /** The node belongs under `to`, not under `from`. */
  | { kind: 'move'; node: string; from: Container; to: Container; price: Decimal }
  /** A suspected rollup proven by the numbers; its members are its siblings and move under it. */
  | { kind: 'group'; rollup: string; container: Container; members: string[]; price: Decimal }
  /** A suspected rollup proven by the numbers whose members sit elsewhere: it repeats them. */
  | { kind: 'repeat'; rollup: string; container: Container; members: string[]; price: Decimal };

export function reconcileDay(records: CostInputRecord[], hierarchy: Hierarchy): ReconciledDay {
  const merged = mergeSameCategory(records);
  const dayHierarchy = hierarchy.withCategories(merged.records.keys());
  const anchor = merged.records.get(dayHierarchy.root)?.price ?? null;
  const notes: ReconcileNote[] = [...merged.notes];
  if (anchor === null) {
    notes.push(info(`no ${dayHierarchy.root} record: the top-level sum is the anchor and has no residual`));
  }
  const priced = [...merged.records.values()].filter(
    (record) => record.price !== 0n && record.category !== dayHierarchy.root,
  );
  const overlapping = priced.filter((record) => dayHierarchy.includedIn(record.category) !== null);
  for (const record of overlapping) {
    notes.push(
      info(
        `${record.category} (${formatDecimal(record.price)}) is already included in ` +
          `${dayHierarchy.includedIn(record.category)}; not summed`,
      ),
    );
  }
  const summed = priced.filter((record) => dayHierarchy.includedIn(record.category) === null);
  const corrected = correctByNumbers(initialTree(summed, dayHierarchy), anchor, dayHierarchy);
  return {
    rows: costRows(corrected.tree, anchor, dayHierarchy),
    notes: [...notes, ...corrected.notes],
    rollups: dayRollups(corrected.tree),
  };
}

/**
 * Twilio may spell one category in two cases. The same price twice is one report seen twice; two
 * different prices are both kept, summed, because dropping either would lose cost. Sorted by
 * category, so that the input order changes nothing.
 */
function mergeSameCategory(records: readonly CostInputRecord[]): {
  records: Map<string, CostInputRecord>;
  notes: ReconcileNote[];
} {
  const groups = new Map<string, CostInputRecord[]>();
  for (const record of records) {
    const category = normalizeCategory(record.category);
    groups.set(category, [...(groups.get(category) ?? []), record]);
  }
  const merged = new Map<string, CostInputRecord>();
  const notes: ReconcileNote[] = [];
  for (const [category, group] of [...groups].sort(([a], [b]) => compareText(a, b))) {
    const [first, ...others] = [...group].sort((a, b) => compareText(a.category, b.category));
    if (first === undefined) continue;
    merged.set(category, { ...first, category });
    if (others.length === 0) continue;
    if (others.every((other) => other.price === first.price)) {
      notes.push(info(`${category} was reported ${group.length} times with the same price; counted once`));
      continue;
    }
    const prices = group.map((record) => record.price);
    notes.push(
      warn(
        `${category} was reported with different prices (${[...prices].sort(compareDecimals).map(formatDecimal).join(', ')}); ` +
          'summed, without count or usage',
      ),
    );
    merged.set(category, {
      category,
      price: sumDecimals(prices),
      count: null,
      countUnit: null,
      usage: null,
      usageUnit: null,
    });
  }
  return { records: merged, notes };
}

function compareDecimals(a: Decimal, b: Decimal): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function initialTree(records: readonly CostInputRecord[], hierarchy: Hierarchy): DayTree {
  const present = new Set(records.map((record) => record.category));
  const nearestPresentAncestor = (category: string): string | null => {
    let ancestor = hierarchy.parentOf(category);
    while (ancestor !== null && !present.has(ancestor)) ancestor = hierarchy.parentOf(ancestor);
    return ancestor;
  };
  return new Map(
    records.map((record) => [
      record.category,
      {
        record,
        parent: nearestPresentAncestor(record.category),
        placement: hierarchy.placementSourceOf(record.category),
      },
    ]),
  );
}

function childrenByContainer(tree: DayTree): Map<Container, string[]> {
  const children = new Map<Container, string[]>();
  for (const [category, node] of tree) {
    const siblings = children.get(node.parent);
    if (siblings) siblings.push(category);
    else children.set(node.parent, [category]);
  }
  return children;
}

function priceOf(tree: DayTree, category: string): Decimal {
  return tree.get(category)?.record.price ?? 0n;
}

/**
 * price − Σ children for every rollup of the day, and totalprice − Σ top level when totalprice is
 * known. A category without children that day is a leaf, not a container.
 */
function residualsOf(tree: DayTree, anchor: Decimal | null): Map<Container, Decimal> {
  const residuals = new Map<Container, Decimal>();
  for (const [container, children] of childrenByContainer(tree)) {
    const claimed = container === null ? anchor : priceOf(tree, container);
    if (claimed === null) continue;
    residuals.set(container, claimed - sumDecimals(children.map((child) => priceOf(tree, child))));
  }
  if (anchor !== null && !residuals.has(null)) residuals.set(null, anchor);
  return residuals;
}

/**
 * "Let the numbers correct it". A name (or even the docs) can put a category under the wrong
 * parent. Then its old container over-sums by exactly its price and its true container under-sums
 * by exactly the same amount: two exact equalities, in cents of 10^-5, that a coincidence rarely
 * produces. Such a move is applied only when it is the only correction that fits those containers
 * and that category; otherwise nothing is guessed, the residual rows keep the differences and a
 * warning says so.
 *
 * The suspected rollups of the curation follow the same principle: the rollup's container
 * over-sums by exactly the rollup's price, and its members present that day add up to that price.
 *
 * Every applied correction turns one or two non-zero residuals to zero and no zero residual into a
 * non-zero one, so the loop ends.
 */
function correctByNumbers(
  initial: DayTree,
  anchor: Decimal | null,
  hierarchy: Hierarchy,
): { tree: DayTree; notes: ReconcileNote[] } {
  let tree = initial;
  const notes: ReconcileNote[] = [];
  for (;;) {
    const candidates = correctionCandidates(tree, anchor, hierarchy);
    const chosen = firstUnambiguous(candidates);
    if (chosen === undefined) {
      if (candidates.length > 0) notes.push(ambiguityNote(candidates));
      return { tree, notes };
    }
    tree = applyCorrection(tree, chosen);
    notes.push(correctionNote(chosen));
  }
}

function correctionCandidates(tree: DayTree, anchor: Decimal | null, hierarchy: Hierarchy): Correction[] {
  const residuals = residualsOf(tree, anchor);
  return [...moveCandidates(tree, residuals), ...suspectedRollupCandidates(tree, residuals, hierarchy)];
}

function moveCandidates(tree: DayTree, residuals: ReadonlyMap<Container, Decimal>): Correction[] {
  const candidates: Correction[] = [];
  for (const [category, node] of tree) {
    const price = node.record.price;
    if (residuals.get(node.parent) !== -price) continue;
    for (const [container, residual] of residuals) {
      if (residual === price && container !== node.parent && !isAncestorOrSelf(tree, category, container)) {
        candidates.push({ kind: 'move', node: category, from: node.parent, to: container, price });
      }
    }
  }
  return candidates;
}

function suspectedRollupCandidates(
  tree: DayTree,
  residuals: ReadonlyMap<Container, Decimal>,
  hierarchy: Hierarchy,
): Correction[] {
  const containers = new Set(childrenByContainer(tree).keys());
  const candidates: Correction[] = [];
  for (const [rollup, node] of tree) {
    const suspect = hierarchy.suspectedRollup(rollup);
    const price = node.record.price;
    if (suspect === undefined || containers.has(rollup) || residuals.get(node.parent) !== -price) continue;
    const isMember = (category: string): boolean =>
      category !== rollup && suspect.memberPrefixes.some((prefix) => category.startsWith(prefix));
    const members = [...tree.keys()].filter((category) => isMember(category) && !hasAncestor(tree, category, isMember));
    if (members.length === 0 || sumDecimals(members.map((member) => priceOf(tree, member))) !== price) continue;
    const siblings = members.every((member) => tree.get(member)?.parent === node.parent);
    candidates.push({ kind: siblings ? 'group' : 'repeat', rollup, container: node.parent, members, price });
  }
  return candidates;
}

function isAncestorOrSelf(tree: DayTree, ancestor: string, category: Container): boolean {
  return category === ancestor || ancestorsOf(tree, category).includes(ancestor);
}

function hasAncestor(tree: DayTree, category: string, matches: (ancestor: string) => boolean): boolean {
  return ancestorsOf(tree, category).some(matches);
}

function ancestorsOf(tree: DayTree, category: Container): string[] {
  const ancestors: string[] = [];
  for (let current = parentIn(tree, category); current !== null; current = parentIn(tree, current)) {
    ancestors.push(current);
  }
  return ancestors;
}

function parentIn(tree: DayTree, category: Container): Container {
  return category === null ? null : (tree.get(category)?.parent ?? null);
}

/** The containers and categories a correction changes; two corrections touching one compete. */
function touched(correction: Correction): string[] {
  const container = (key: Container): string => `container ${key ?? ''}`;
  switch (correction.kind) {
    case 'move':
      return [`category ${correction.node}`, container(correction.from), container(correction.to)];
    case 'group':
    case 'repeat':
      return [`category ${correction.rollup}`, container(correction.container)];
  }
}

function firstUnambiguous(candidates: readonly Correction[]): Correction | undefined {
  const uses = new Map<string, number>();
  for (const key of candidates.flatMap(touched)) uses.set(key, (uses.get(key) ?? 0) + 1);
  return candidates
    .filter((candidate) => touched(candidate).every((key) => uses.get(key) === 1))
    .sort((a, b) => compareText(describe(a), describe(b)))[0];
}

function applyCorrection(tree: DayTree, correction: Correction): DayTree {
  const next = new Map(tree);
  const reparent = (category: string, parent: Container): void => {
    const node = next.get(category);
    if (node) next.set(category, { ...node, parent, placement: 'numbers' });
  };
  switch (correction.kind) {
    case 'move':
      reparent(correction.node, correction.to);
      break;
    case 'group':
      for (const member of correction.members) reparent(member, correction.rollup);
      break;
    case 'repeat':
      next.delete(correction.rollup);
      break;
  }
  return next;
}

function where(container: Container): string {
  return container === null ? 'the top level' : container;
}

function describe(correction: Correction): string {
  const price = formatDecimal(correction.price);
  switch (correction.kind) {
    case 'move':
      return `${correction.node} (${price}) from ${where(correction.from)} to ${where(correction.to)}`;
    case 'group':
      return `${correction.rollup} (${price}) as the rollup of ${correction.members.join(', ')}`;
    case 'repeat':
      return `${correction.rollup} (${price}) as a repeat of ${correction.members.join(', ')}`;
  }
}

function correctionNote(correction: Correction): ReconcileNote {
  switch (correction.kind) {
    case 'move':
      return info(
        `moved ${describe(correction)}: ${where(correction.from)} over-summed and ${where(correction.to)} ` +
          `under-summed by exactly its price`,
      );
    case 'group':
      return info(
        `placed ${correction.members.join(', ')} under ${correction.rollup}: they add up to its price ` +
          `(${formatDecimal(correction.price)}) and ${where(correction.container)} over-summed by exactly that`,
      );
    case 'repeat':
      return info(
        `${correction.rollup} (${formatDecimal(correction.price)}) repeats ${correction.members.join(', ')}: ` +
          `they add up to its price and ${where(correction.container)} over-summed by exactly that; not summed`,
      );
  }
}

function ambiguityNote(candidates: readonly Correction[]): ReconcileNote {
  const options = candidates.map(describe).sort(compareText).join('; ');
  return warn(
    `several corrections fit the numbers equally (${options}); none applied, the residual rows carry the differences`,
  );
}

function costRows(tree: DayTree, anchor: Decimal | null, hierarchy: Hierarchy): CostRow[] {
  const containers = new Set(childrenByContainer(tree).keys());
  const leaves = [...tree]
    .filter(([category]) => !containers.has(category))
    .map(([category, node]) => leafRow(category, node, hierarchy));
  const residualRows = [...residualsOf(tree, anchor)]
    .filter(([, residual]) => residual !== 0n)
    .map(([container, residual]) => residualRow(container, residual, hierarchy));
  return [...leaves, ...residualRows].sort((a, b) => compareText(a.category, b.category));
}

function leafRow(category: string, node: DayNode, hierarchy: Hierarchy): CostRow {
  const { record } = node;
  return {
    category,
    parentCategory: node.parent,
    product: hierarchy.productOf(category),
    price: record.price,
    isUnattributed: false,
    count: record.count,
    countUnit: record.countUnit,
    usage: record.usage,
    usageUnit: record.usageUnit,
    placement: node.placement,
  };
}

/** A residual sits where the arithmetic puts it, hence placement 'numbers'. */
function residualRow(container: Container, residual: Decimal, hierarchy: Hierarchy): CostRow {
  return unattributedRow({
    category: container === null ? TOP_LEVEL_RESIDUAL : residualCategoryOf(container),
    parentCategory: container,
    product: container === null ? OTHER_PRODUCT : hierarchy.productOf(container),
    price: residual,
    placement: 'numbers',
  });
}

/** A row for money that no category explains: it has a price and nothing else to count. */
export function unattributedRow(row: Pick<CostRow, 'category' | 'parentCategory' | 'product' | 'price' | 'placement'>): CostRow {
  return { ...row, isUnattributed: true, count: null, countUnit: null, usage: null, usageUnit: null };
}

function dayRollups(tree: DayTree): DayRollup[] {
  const containers = new Set(childrenByContainer(tree).keys());
  return [...tree]
    .filter(([category]) => containers.has(category))
    .sort(([a], [b]) => compareText(a, b))
    .map(([category, node]) => ({
      category,
      parentCategory: node.parent,
      price: node.record.price,
      placement: node.placement,
    }));
}

function info(message: string): ReconcileNote {
  return { level: 'info', message };
}

function warn(message: string): ReconcileNote {
  return { level: 'warn', message };
}
