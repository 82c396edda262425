/**
 * Turns one account's window of Twilio usage records (flat daily lists in which rollups and their
 * parts overlap) into leaf-cost rows that add up exactly to each day's totalprice.
 *
 * The window's tree holds every category with a non-zero price on some day of it. Where each one
 * sits is decided once for the window: the curation and the names give a prior, and the solver
 * (solver/) re-parents what the numbers of all the days show to be misplaced.
 *
 * Each day, a category with a priced child that day is a rollup: its price minus the sum of its
 * children becomes a `<rollup>:unattributed` row when it is not zero. A category without a priced
 * child that day is a leaf row (a rollup reported alone is its own leaf). `totalprice − Σ top
 * level` becomes an `unattributed` row. By telescoping, Σ rows = totalprice exactly, whatever the
 * tree; nothing is scaled or hidden.
 */
import type { Day } from '../dates';
import { type Decimal, formatDecimal, sumDecimals } from '../money';
import { compareText, type Hierarchy, normalizeCategory } from './hierarchy';
import { OTHER_PRODUCT } from './hierarchy-data';
import { PlacementMemory, type RememberedPlacement } from './placement-memory';
import { type Container, type Move, type Nesting, solvePlacement, type SolverNode } from './solver';
import type { CostInputRecord, CostRow, DayRollup, PlacementSource, ReconciledDay, ReconcileNote } from './types';
import { isOneReport, WindowPrices } from './window-prices';

export const TOP_LEVEL_RESIDUAL = 'unattributed';

export function residualCategoryOf(rollup: string): string {
  return `${rollup}:${TOP_LEVEL_RESIDUAL}`;
}

/** Where a category of the window sits and why. */
export interface WindowPlacement {
  readonly category: string;
  readonly parentCategory: string | null;
  readonly placement: PlacementSource;
}

export interface ReconciledWindow {
  /** Only the days that had records. */
  readonly days: ReadonlyMap<Day, ReconciledDay>;
  /** Every priced category of the window, sorted. */
  readonly placements: readonly WindowPlacement[];
  /** About the window as a whole: moves, ties and what stays unattributed. */
  readonly notes: readonly ReconcileNote[];
}

/** One day is a window of one day. */
export function reconcileDay(records: readonly CostInputRecord[], hierarchy: Hierarchy): ReconciledDay {
  const window = reconcileWindow(new Map([['day', records]]), hierarchy);
  const day = window.days.get('day') ?? { rows: [], notes: [], rollups: [] };
  return { ...day, notes: [...day.notes, ...window.notes] };
}

/**
 * Where a window's categories sit, decided from its prices alone, and what follows from that
 * without the rest of the records. Placing is the costly part of reconciling (the solver), so a
 * window placed once (to find its unexplained days) is reconciled with that placement, not placed
 * again.
 */
export interface PlacedWindow {
  /** The days that have records, sorted. */
  readonly days: readonly Day[];
  /** Every category with a record on some day (lower-cased), totalprice included. */
  readonly categories: ReadonlySet<string>;
  /** totalprice on each day, or null where Twilio sent none. */
  readonly anchor: readonly (Decimal | null)[];
  readonly tree: WindowTree;
  /** Every priced category of the window, sorted. */
  readonly placements: readonly WindowPlacement[];
  /** Documented double counts seen, moves and ties: the window's notes before its residuals. */
  readonly notes: readonly ReconcileNote[];
  /**
   * The days whose top level stays unexplained (a non-zero `unattributed` row): where a category
   * the aggregate showed as idle may be missing.
   */
  readonly unexplainedDays: ReadonlySet<Day>;
  /** The account's placement memory with what this window proved (see PlaceOptions). */
  readonly memory: PlacementMemory;
}

export interface PlaceOptions {
  /**
   * What the account's earlier windows proved (placement-memory.ts). Where a remembered parent is
   * in the window, it is the category's prior instead of its names, so the solver keeps it unless
   * this window's numbers place it otherwise; the memory returned is updated with what they prove.
   */
  readonly memory?: PlacementMemory;
}

/** Places a window's categories from the numbers of all its days (see solver/). */
export function placeWindow(windowPrices: WindowPrices, hierarchy: Hierarchy, options: PlaceOptions = {}): PlacedWindow {
  const memory = options.memory ?? new PlacementMemory();
  const { days, prices } = windowPrices.merged();
  const categories = new Set(prices.keys());
  const dayHierarchy = hierarchy.withCategories(categories);
  const root = dayHierarchy.root;
  const isPriced = (category: string): boolean => (prices.get(category) ?? []).some((price) => price !== undefined && price !== 0n);
  const notes: ReconcileNote[] = [];
  for (const category of [...categories].sort(compareText)) {
    const including = dayHierarchy.includedIn(category);
    if (including !== null && isPriced(category)) notes.push(info(`${category} is already included in ${including}; not summed`));
  }
  const summed = [...categories]
    .filter((category) => category !== root && dayHierarchy.includedIn(category) === null)
    .filter(isPriced)
    .sort(compareText);
  const present = new Set(summed);
  const byNames = new Map(summed.map((category) => [category, nearestPresentAncestor(category, present, dayHierarchy)]));
  const remembered = rememberedPriors(memory, byNames);
  const nodes = new Map<string, SolverNode>(
    summed.map((category) => [
      category,
      {
        prices: (prices.get(category) ?? []).map((price) => price ?? 0n),
        prior: remembered.has(category) ? (remembered.get(category) ?? null) : (byNames.get(category) ?? null),
        generality: dayHierarchy.generalityOf(category),
        family: familyOf(category, dayHierarchy),
        suggestedGroup: dayHierarchy.isSuggestedGroup(category),
      },
    ]),
  );
  const rootPrices = prices.get(root);
  const anchor = days.map((_, index) => rootPrices?.[index] ?? null);
  const solution = solvePlacement({ dayCount: days.length, nodes, anchor });
  const uncertain = new Set(solution.uncertain.flatMap((move) => move.categories));
  const kept = [...remembered.keys()].filter((category) => (solution.parents.get(category) ?? null) === remembered.get(category) && !uncertain.has(category));
  const sourceOf = placementSources([...solution.moves, ...solution.uncertain], kept, dayHierarchy);
  if (kept.length > 0) notes.push(info(`placed ${kept.map((category) => `${category} under ${where(remembered.get(category) ?? null)}`).join(', ')} as earlier days' numbers proved, which these days do not contradict`));
  notes.push(...solution.moves.map((move) => moveNote(move, solution.nestings)), ...solution.uncertain.map(uncertainMoveNote), ...solution.ties.map(tieNote));
  if (solution.searchCut !== null) notes.push(cutNote(solution.searchCut, solution.withheld));
  else if (solution.withheld.length > 0) notes.push(unsupportedNote(solution.withheld));
  return {
    days,
    categories,
    anchor,
    tree: { parents: solution.parents, sourceOf, hierarchy: dayHierarchy },
    placements: summed.map((category) => ({ category, parentCategory: solution.parents.get(category) ?? null, placement: sourceOf(category) })),
    notes,
    unexplainedDays: topLevelUnexplained(days, anchor, nodes, solution.parents),
    memory: updatedMemory(memory, days, nodes, byNames, solution.parents, [...solution.moves.flatMap((move) => move.categories), ...kept]),
  };
}

/**
 * The remembered parents that differ from the names' and are in the window, as priors. One that
 * would close a cycle with the other priors (the names placed elsewhere in an earlier window) is
 * left out: the names stand for it.
 */
function rememberedPriors(memory: PlacementMemory, byNames: ReadonlyMap<string, Container>): Map<string, Container> {
  const priors = new Map<string, Container>();
  for (const [category, named] of byNames) {
    const place = memory.get(category);
    if (place !== undefined && place.parent !== named && (place.parent === null || byNames.has(place.parent))) priors.set(category, place.parent);
  }
  const parentOf = (category: string): Container => (priors.has(category) ? (priors.get(category) ?? null) : (byNames.get(category) ?? null));
  for (const category of [...priors.keys()]) {
    let ancestor = parentOf(category);
    for (let steps = 0; ancestor !== null && ancestor !== category && steps <= byNames.size; steps++) ancestor = parentOf(ancestor);
    if (ancestor === category) priors.delete(category);
  }
  return priors;
}

/**
 * The memory after a window: the categories whose place these days' numbers proved (moved and shown
 * to fit) or left standing (remembered, not contradicted) are remembered there over the days they
 * were priced, or forgotten where that place is their names'.
 */
function updatedMemory(
  memory: PlacementMemory,
  days: readonly Day[],
  nodes: ReadonlyMap<string, SolverNode>,
  byNames: ReadonlyMap<string, Container>,
  parents: ReadonlyMap<string, Container>,
  proven: readonly string[],
): PlacementMemory {
  const placed: RememberedPlacement[] = [];
  const forgotten: string[] = [];
  for (const category of new Set(proven)) {
    const parent = parents.get(category) ?? null;
    const prices = nodes.get(category)?.prices ?? [];
    const first = prices.findIndex((price) => price !== 0n);
    const last = prices.findLastIndex((price) => price !== 0n);
    if (parent === (byNames.get(category) ?? null)) forgotten.push(category);
    else if (first >= 0) placed.push({ category, parent, firstDay: days[first] as Day, lastDay: days[last] as Day });
  }
  return memory.updated(placed, forgotten);
}

/** The product a category's name belongs to, null when its name says none (Other). */
function familyOf(category: string, hierarchy: Hierarchy): string | null {
  const product = hierarchy.productOf(category);
  return product === OTHER_PRODUCT ? null : product;
}

/**
 * Where each category's place came from. Made apart from placeWindow so that the closure, which
 * the placement keeps while its chunk is reconciled, holds only the moves, not the window's prices.
 */
function placementSources(moves: readonly Move[], remembered: readonly string[], hierarchy: Hierarchy): (category: string) => PlacementSource {
  const moved = new Set([...moves.flatMap((move) => move.categories), ...remembered]);
  return (category) => (moved.has(category) ? 'numbers' : hierarchy.placementSourceOf(category));
}

/** The days whose totalprice differs from the sum of the top level once placed: those reconcileOneDay gives an `unattributed` row. */
function topLevelUnexplained(days: readonly Day[], anchor: readonly (Decimal | null)[], nodes: ReadonlyMap<string, SolverNode>, parents: ReadonlyMap<string, Container>): Set<Day> {
  const topLevel = [...parents].filter(([, parent]) => parent === null).map(([category]) => nodes.get(category)?.prices ?? []);
  const unexplained = new Set<Day>();
  days.forEach((day, index) => {
    const total = anchor[index] ?? null;
    if (total === null) return;
    let residual = total;
    for (const prices of topLevel) residual -= prices[index] ?? 0n;
    if (residual !== 0n) unexplained.add(day);
  });
  return unexplained;
}

/**
 * Reconciles a window's days. `placed` is the placement of the same records' prices when it was
 * already worked out; one made from other records (other days or categories) is not used.
 */
export function reconcileWindow(recordsByDay: ReadonlyMap<Day, readonly CostInputRecord[]>, hierarchy: Hierarchy, placed?: PlacedWindow): ReconciledWindow {
  const days = [...recordsByDay.keys()].sort(compareText);
  const merged = days.map((day) => mergeSameCategory(recordsByDay.get(day) ?? []));
  // A day given with no record is no day of the placement (WindowPrices keeps only recorded days):
  // its anchor is looked up by day, so that the days after it keep theirs.
  const recordedDays = days.filter((_, index) => (merged[index]?.records.size ?? 0) > 0);
  const placement = placed !== undefined && isPlacementOf(placed, recordedDays, merged) ? placed : placeWindow(WindowPrices.of(recordsByDay), hierarchy);
  const anchorOf = new Map(placement.days.map((day, index) => [day, placement.anchor[index] ?? null]));
  const root = placement.tree.hierarchy.root;
  const reconciled = new Map<Day, ReconciledDay>();
  days.forEach((day, index) => {
    const input = merged[index];
    if (!input) return;
    const anchor = anchorOf.get(day) ?? null;
    const dayNotes = [...input.notes];
    if (anchor === null) dayNotes.push(info(`no ${root} record: the top-level sum is the anchor and has no residual`));
    reconciled.set(day, reconcileOneDay(input.records, anchor, placement.tree, dayNotes));
  });
  return { days: reconciled, placements: placement.placements, notes: [...placement.notes, ...residualNotes(reconciled)] };
}

/** Whether a placement was made from records of these days and categories. */
function isPlacementOf(placed: PlacedWindow, days: readonly Day[], merged: ReadonlyArray<{ records: ReadonlyMap<string, CostInputRecord> }>): boolean {
  if (placed.days.length !== days.length || placed.days.some((day, index) => day !== days[index])) return false;
  const categories = new Set(merged.flatMap((day) => [...day.records.keys()]));
  return categories.size === placed.categories.size && [...categories].every((category) => placed.categories.has(category));
}

/** A window's placement as its days' rows read it. */
export interface WindowTree {
  readonly parents: ReadonlyMap<string, Container>;
  readonly sourceOf: (category: string) => PlacementSource;
  readonly hierarchy: Hierarchy;
}

/** The prior: the nearest ancestor in the hierarchy that is priced somewhere in the window. */
function nearestPresentAncestor(category: string, present: ReadonlySet<string>, hierarchy: Hierarchy): Container {
  let ancestor = hierarchy.parentOf(category);
  while (ancestor !== null && !present.has(ancestor)) ancestor = hierarchy.parentOf(ancestor);
  return ancestor;
}

function reconcileOneDay(records: ReadonlyMap<string, CostInputRecord>, anchor: Decimal | null, tree: WindowTree, notes: ReconcileNote[]): ReconciledDay {
  const priced = [...tree.parents.keys()].filter((category) => (records.get(category)?.price ?? 0n) !== 0n);
  const children = new Map<Container, string[]>();
  for (const category of priced) {
    const parent = tree.parents.get(category) ?? null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(category);
    else children.set(parent, [category]);
  }
  const priceOf = (category: string): Decimal => records.get(category)?.price ?? 0n;
  const rows: CostRow[] = [];
  const rollups: DayRollup[] = [];
  for (const category of priced) {
    if (children.has(category)) continue;
    const record = records.get(category);
    if (record) rows.push(leafRow(category, record, tree));
  }
  for (const [container, members] of children) {
    const claimed = container === null ? anchor : priceOf(container);
    if (container !== null) {
      rollups.push({ category: container, parentCategory: tree.parents.get(container) ?? null, price: claimed ?? 0n, placement: tree.sourceOf(container) });
    }
    if (claimed === null) continue;
    const residual = claimed - sumDecimals(members.map(priceOf));
    if (residual !== 0n) rows.push(residualRow(container, residual, tree.hierarchy));
  }
  if (anchor !== null && !children.has(null) && anchor !== 0n) rows.push(residualRow(null, anchor, tree.hierarchy));
  return {
    rows: rows.sort((a, b) => compareText(a.category, b.category)),
    notes,
    rollups: rollups.sort((a, b) => compareText(a.category, b.category)),
  };
}

/**
 * Twilio may spell one category in two cases. The same price twice is one report seen twice; two
 * different prices are both kept, summed, because dropping either would lose cost.
 */
function mergeSameCategory(records: readonly CostInputRecord[]): { records: Map<string, CostInputRecord>; notes: ReconcileNote[] } {
  const groups = new Map<string, CostInputRecord[]>();
  for (const record of records) {
    const category = normalizeCategory(record.category);
    const group = groups.get(category);
    if (group) group.push(record);
    else groups.set(category, [record]);
  }
  const merged = new Map<string, CostInputRecord>();
  const notes: ReconcileNote[] = [];
  for (const [category, group] of [...groups].sort(([a], [b]) => compareText(a, b))) {
    const [first, ...others] = [...group].sort((a, b) => compareText(a.category, b.category));
    if (first === undefined) continue;
    merged.set(category, { ...first, category });
    if (others.length === 0) continue;
    const prices = group.map((record) => record.price);
    if (isOneReport(prices)) {
      notes.push(info(`${category} was reported ${group.length} times with the same price; counted once`));
      continue;
    }
    notes.push(warn(`${category} was reported with different prices (${[...prices].sort(compareDecimals).map(formatDecimal).join(', ')}); summed, without count or usage`));
    merged.set(category, { category, price: sumDecimals(prices), count: null, countUnit: null, usage: null, usageUnit: null });
  }
  return { records: merged, notes };
}

function compareDecimals(a: Decimal, b: Decimal): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function leafRow(category: string, record: CostInputRecord, tree: WindowTree): CostRow {
  return {
    category,
    parentCategory: tree.parents.get(category) ?? null,
    product: tree.hierarchy.productOf(category),
    price: record.price,
    isUnattributed: false,
    count: record.count,
    countUnit: record.countUnit,
    usage: record.usage,
    usageUnit: record.usageUnit,
    placement: tree.sourceOf(category),
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

function where(container: Container): string {
  return container === null ? 'the top level' : container;
}

function describeMove(move: Move): string {
  if (move.categories.length === 0) return 'everything where it is';
  const legs = new Map<string, string[]>();
  move.categories.forEach((category, index) => {
    const leg = `from ${where(move.from[index] ?? null)} to ${where(move.to[index] ?? null)}`;
    legs.set(leg, [...(legs.get(leg) ?? []), category]);
  });
  return [...legs].map(([leg, categories]) => `${categories.join(', ')} ${leg}`).join(' and ');
}

function moveNote(move: Move, nestings: readonly Nesting[]): ReconcileNote {
  const [category] = move.categories;
  const [parent] = move.to;
  const nesting = move.categories.length === 1 ? nestings.find((candidate) => candidate.holder === parent && candidate.held === category) : undefined;
  if (nesting !== undefined) {
    const why = nesting.byName ? `${nesting.holder} reads as the more general name` : `this way round moves fewer categories from where the curation and their names put them`;
    return info(`placed ${nesting.held} under ${nesting.holder}: the two cost the same on every day, so the numbers cannot tell which holds the other, and ${why}`);
  }
  return info(`placed ${describeMove(move)}: the numbers of every day fit only that way`);
}

function uncertainMoveNote(move: Move): ReconcileNote {
  return warn(`placed ${describeMove(move)}: the window fits best that way, but what it touches does not add up on every day, or only beside moves they do not prove, so the numbers do not prove it`);
}

function cutNote(cut: string, withheld: readonly Move[]): ReconcileNote {
  const notMade = withheld.length === 0 ? '' : `; moves the numbers do not prove were not made (${withheld.map(describeMove).join('; ')})`;
  return info(`the placement search was cut short (${cut})${notMade}; what it did not try stays in the residual rows`);
}

function unsupportedNote(withheld: readonly Move[]): ReconcileNote {
  return info(
    `did not place ${withheld.map(describeMove).join('; ')}: that would leave a rollup with no priced child to check it, which the rest of the numbers do not support (where they would go fits no better with them, or the rollup would be counted twice); the residual rows carry the differences`,
  );
}

/** Alternatives a tie note names at most: many twins can make hundreds. */
const LISTED_ALTERNATIVES = 12;

function tieNote(alternatives: readonly Move[]): ReconcileNote {
  const described = alternatives.map(describeMove).sort(compareText);
  const listed = described.length > LISTED_ALTERNATIVES ? [...described.slice(0, LISTED_ALTERNATIVES), `and ${described.length - LISTED_ALTERNATIVES} more`] : described;
  return warn(
    `the numbers do not decide between several placements (${listed.join('; ')}): ` + 'they fit equally, or the better fit rests on a price seen on one day only; none applied, the residual rows carry the differences',
  );
}

/**
 * One note per residual row category, with its total over the window and how many days have one.
 * A rollup's residual is structure the numbers could not explain: a warning. The top level's is
 * expected (Twilio documents that totalprice holds cost no category reports): information.
 */
function residualNotes(days: ReadonlyMap<Day, ReconciledDay>): ReconcileNote[] {
  const totals = new Map<string, { amount: Decimal; days: number }>();
  for (const day of days.values()) {
    for (const row of day.rows) {
      if (!row.isUnattributed) continue;
      const total = totals.get(row.category) ?? { amount: 0n, days: 0 };
      totals.set(row.category, { amount: total.amount + row.price, days: total.days + 1 });
    }
  }
  return [...totals]
    .sort(([a], [b]) => compareText(a, b))
    .map(([category, total]) => {
      const message = `${category} carries ${formatDecimal(total.amount)} that no category explains, on ${total.days} day(s)`;
      return category === TOP_LEVEL_RESIDUAL ? info(message) : warn(message);
    });
}

function info(message: string): ReconcileNote {
  return { level: 'info', message };
}

function warn(message: string): ReconcileNote {
  return { level: 'warn', message };
}
