import { compareText, type Hierarchy, normalizeCategory } from '../costs/hierarchy';
import { otherCurrencyLeaves } from '../costs/other-currency';
import type { PlacementMemory } from '../costs/placement-memory';
import { placeWindow, reconcileWindow, unattributedRow, type WindowPlacement } from '../costs/reconcile';
import type { CostInputRecord, CostRow, PlacementSource, ReconciledDay } from '../costs/types';
import { WindowPrices } from '../costs/window-prices';
import { WindowRecords } from '../costs/window-records';
import { type Day, type DayRange, daysBetweenInclusive, eachDay } from '../dates';
import type { UsageCostsRecord } from '../generated/types';
import { type Decimal, decimalToNumber } from '../money';
import type { Logger } from '../protocol/logger';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { TOTAL_PRICE_CATEGORY } from '../twilio/resources';
import {
  amountOf,
  type CategoryDays,
  type ChunkPlacement,
  type ConsumerRun,
  type DailyUsage,
  type Placer,
  type RecordBatch,
  type ResidualWindow,
  type UsageConsumer,
  type UsageEngine,
  type UsageScope,
  type WindowConsumer,
  type WindowPlan,
} from '../usage';
import { loadStreamSchema } from './schemas';

/** The row on the main account for usage that no account read on its own explains. */
export const SUBACCOUNTS_RESIDUAL_CATEGORY = 'subaccounts:unattributed';
const DEFAULT_CURRENCY = 'USD';

function costRecord(accountSid: string, day: Day, currency: string, row: CostRow): UsageCostsRecord {
  const number = (value: Decimal | null): number | null => (value === null ? null : decimalToNumber(value));
  return {
    account_sid: accountSid,
    category: row.category,
    parent_category: row.parentCategory,
    product: row.product,
    start_date: day,
    end_date: day,
    price: decimalToNumber(row.price),
    price_unit: currency,
    is_unattributed: row.isUnattributed,
    placement: row.placement,
    count: number(row.count),
    count_unit: row.countUnit,
    usage: number(row.usage),
    usage_unit: row.usageUnit,
  };
}

/**
 * A zero-price row for a category emitted non-zero by an earlier sync but absent now: it
 * overwrites the stale row in a destination that keeps the latest row per primary key.
 */
function tombstoneRow(category: string, hierarchy: Hierarchy): CostRow {
  const residualOf = category.endsWith(':unattributed') ? category.slice(0, -':unattributed'.length) : undefined;
  const placement = hierarchy.placementOf(residualOf ?? category);
  return {
    category,
    parentCategory: residualOf ?? placement.parentCategory,
    product: placement.product,
    price: 0n,
    isUnattributed: residualOf !== undefined || category === 'unattributed',
    count: null,
    countUnit: null,
    usage: null,
    usageUnit: null,
    placement: placement.placement,
  };
}

/** Collects a day's rows and remembers which categories were emitted non-zero on which day. */
class DayRows {
  readonly records: UsageCostsRecord[] = [];
  readonly nonZeroCategoriesByDay = new Map<Day, Set<string>>();

  add(accountSid: string, day: Day, currency: string, row: CostRow): void {
    this.records.push(costRecord(accountSid, day, currency, row));
    if (row.price === 0n) return;
    const categories = this.nonZeroCategoriesByDay.get(day) ?? new Set<string>();
    categories.add(row.category);
    this.nonZeroCategoriesByDay.set(day, categories);
  }

  /** Zero rows for the categories emitted non-zero on the day by an earlier sync and gone now, their parents spelled as Twilio spells them, where known. */
  addTombstones(accountSid: string, day: Day, currency: string, emitted: ReadonlySet<string>, recent: CategoryDays, hierarchy: Hierarchy, spellings?: CategorySpellings): void {
    for (const category of recent.categories()) {
      if (emitted.has(category) || !recent.has(category, day)) continue;
      const row = tombstoneRow(category, hierarchy);
      this.add(accountSid, day, currency, spellings ? { ...row, parentCategory: spellings.spell(row.parentCategory) } : row);
    }
  }

  batch(): RecordBatch<UsageCostsRecord> {
    return { records: this.records, nonZeroCategoriesByDay: this.nonZeroCategoriesByDay };
  }
}

/** About one row per active leaf category and day: the active categories no other active one sits under. */
function costRowEstimate(plan: WindowPlan, range: DayRange, hierarchy: Hierarchy): number {
  const day = hierarchy.withCategories(plan.active);
  const parents = new Set<string>();
  for (const category of plan.active) {
    const parent = day.parentOf(category);
    if (parent !== null) parents.add(parent);
  }
  const leaves = [...plan.active].filter((category) => !parents.has(category) && !day.isRoot(category)).length;
  return leaves * daysBetweenInclusive(range.from, range.to);
}

const RESIDUAL_SUFFIX = ':unattributed';

/**
 * How Twilio spells each category it sent (the costs layer compares names lower-cased, and Twilio
 * writes some in mixed case, `Usage-RCS-Messages`): usage_costs names a category as usage_records
 * does, so the two join on it. A category Twilio sent in two cases takes the first spelling in
 * code-point order, as reconciliation merges them.
 */
export class CategorySpellings {
  private readonly spellings = new Map<string, string>();

  add(spelling: string): void {
    const key = normalizeCategory(spelling);
    const known = this.spellings.get(key);
    if (known === undefined || compareText(spelling, known) < 0) this.spellings.set(key, spelling);
  }

  /** A name of the costs layer (`usage-rcs-messages`, `usage-rcs-messages:unattributed`, null) as Twilio spelled it. */
  spell<Name extends string | null>(name: Name): Name {
    if (name === null) return name;
    const base = name.endsWith(RESIDUAL_SUFFIX) ? name.slice(0, -RESIDUAL_SUFFIX.length) : name;
    const spelled = this.spellings.get(base);
    return (spelled === undefined ? name : `${spelled}${name.slice(base.length)}`) as Name;
  }
}

/**
 * The placements usage_costs used in this run, by category, and how Twilio spelled the categories.
 * When every account and window that priced a category placed it the same way, that is its
 * placement; where they differ, none is kept (each usage_costs row still carries its own parent
 * and placement).
 */
export class UsedPlacements {
  private readonly used = new Map<string, { parentCategory: string | null; placement: PlacementSource } | 'differs'>();
  readonly spellings = new CategorySpellings();

  add(placements: readonly WindowPlacement[]): void {
    for (const { category, parentCategory, placement } of placements) {
      const known = this.used.get(category);
      if (known === undefined) this.used.set(category, { parentCategory, placement });
      else if (known !== 'differs' && (known.parentCategory !== parentCategory || known.placement !== placement)) this.used.set(category, 'differs');
    }
  }

  of(category: string): { parentCategory: string | null; placement: PlacementSource } | undefined {
    const used = this.used.get(category);
    return used === 'differs' ? undefined : used;
  }

  categories(): string[] {
    return [...this.used.keys()];
  }

  /** Whether some category was placed under it. */
  isParent(category: string): boolean {
    return [...this.used.values()].some((used) => used !== 'differs' && used.parentCategory === category);
  }
}

/**
 * Reconciliation: each chunk of a window (the days read together) placed and turned into leaf rows
 * that add up to each day's totalprice, with zero rows (tombstones) for the recent categories a day
 * no longer has; and in Auth Token mode the subaccounts' residual. Records the placements it used
 * for usage_categories.
 */
export class UsageCostsConsumer implements UsageConsumer<UsageCostsRecord> {
  readonly use = 'chunks';
  readonly readsRecentCategories = false;
  /** Where this run's reads placed each category. */
  readonly placements = new UsedPlacements();
  /**
   * The kinds of note this run logged: focus_costs reads these same reconciliations (its consumer
   * is this one, projected), so a note one stream logged is not logged again by the other.
   */
  private readonly loggedNotes = new Set<string>();

  /** `place` places a chunk: placeWindow unless a test counts the calls. */
  constructor(
    private readonly hierarchy: Hierarchy,
    private readonly place: Placer = placeWindow,
  ) {}

  async begin(logger: Logger): Promise<ConsumerRun<UsageCostsRecord>> {
    const notes = new NoteLog(logger, this.loggedNotes);
    const hierarchy = this.hierarchy;
    /** By scope: what the numbers of its chunks placed so far proved, the prior of the next chunk and sync. */
    const memories = new Map<string, PlacementMemory>();
    return {
      rowEstimate: (plan, range) => costRowEstimate(plan, range, hierarchy),
      window: (scope, range, recent) => new CostWindow(scope, range, recent, hierarchy, notes, this.placements, memories, this.place),
      residual: (window, recent) => subaccountsResidual(window, recent, hierarchy),
      remember: (scopeId, memory) => void memories.set(scopeId, memory),
      placementMemory: (scopeId) => memories.get(scopeId),
    };
  }
}

/**
 * One account's window being reconciled. Records come category by category (sparse) or month by
 * month (dense), so a chunk's days are gathered, compactly, until the chunk ends; no more is held.
 */
class CostWindow implements WindowConsumer<UsageCostsRecord> {
  /** The chunk's records by lower-cased price unit ('' for none): each currency is reconciled apart. */
  private records = new Map<string, WindowRecords>();
  /** Each price unit as Twilio spelled it first. */
  private currencies = new Map<string, string>();
  /** The price unit of the chunk's totalprice: the account's currency, which reconciles to it. */
  private accountCurrency: string | undefined;

  /** How this window's records spell their categories: its rows name them so. */
  private readonly spellings = new CategorySpellings();

  constructor(
    private readonly scope: UsageScope,
    private readonly range: DayRange,
    private readonly recent: CategoryDays,
    private readonly hierarchy: Hierarchy,
    private readonly notes: NoteLog,
    private readonly placements: UsedPlacements,
    private readonly memories: Map<string, PlacementMemory>,
    private readonly place: Placer,
  ) {}

  rows(records: readonly DailyUsage[]): undefined {
    for (const record of records) {
      this.spellings.add(record.category);
      this.placements.spellings.add(record.category);
      const currency = record.priceUnit?.toLowerCase() ?? '';
      if (!this.currencies.has(currency)) this.currencies.set(currency, record.priceUnit ?? DEFAULT_CURRENCY);
      if (record.categoryKey === TOTAL_PRICE_CATEGORY && record.priceUnit !== null) this.accountCurrency ??= currency;
      let records = this.records.get(currency);
      if (!records) this.records.set(currency, (records = new WindowRecords()));
      records.add(record.startDate, {
        category: record.category,
        price: amountOf(record.price) ?? 0n,
        count: amountOf(record.count),
        countUnit: record.countUnit,
        usage: amountOf(record.usage),
        usageUnit: record.usageUnit,
      });
    }
    return undefined;
  }

  *chunkEnd(range: DayRange, placement: ChunkPlacement | undefined): Generator<RecordBatch<UsageCostsRecord>> {
    const byCurrency = this.records;
    const accountKey = this.accountCurrency ?? [...byCurrency.keys()].find((currency) => currency !== '') ?? '';
    this.records = new Map();
    this.accountCurrency = undefined;
    // Rows without a price unit are the account's: zero rows, mostly.
    const chunk = mergedByDay([byCurrency.get(accountKey), accountKey === '' ? undefined : byCurrency.get('')]);
    const others = [...byCurrency].filter(([currency]) => currency !== accountKey && currency !== '').map(([currency, records]) => [this.currencies.get(currency) as string, records.byDay()] as const);
    const accountCurrency = this.currencies.get(accountKey) ?? DEFAULT_CURRENCY;
    for (const [currency, days] of others) {
      const count = [...days.values()].reduce((sum, records) => sum + records.filter((record) => record.price !== 0n).length, 0);
      const [other, account] = [currency.toUpperCase(), accountCurrency.toUpperCase()];
      const message = `${this.scope.accountSid}: ${count} usage record${count === 1 ? ' is' : 's are'} priced in ${other} in ${range.from}..${range.to}, not in ${account} like its totalprice; they stay in ${other}, deduplicated among themselves, and are left out of the ${account} reconciliation (counted in this window; later windows do not repeat this warning).`;
      if (count > 0) this.notes.once(`currency|${this.scope.accountSid}|${currency}`, 'warn', message, range.from);
    }
    // The chunk's days are placed together (the numbers of every day decide where a category
    // sits), with what the account's earlier days proved as the prior, so a day's rows do not depend
    // on the window or chunk that read it. The reader's placement (made to find the days to heal)
    // serves when it was made with this same memory and saw no other currency's rows.
    const memory = this.memories.get(this.scope.id);
    const placed = placement && placement.memory === memory && others.length === 0 ? placement.placed : this.place(WindowPrices.of(chunk), this.hierarchy, memory ? { memory } : {});
    if (placed.memory.size > 0) this.memories.set(this.scope.id, placed.memory);
    else this.memories.delete(this.scope.id);
    const window = reconcileWindow(chunk, this.hierarchy, placed);
    for (const note of window.notes) this.notes.add(note.level, `${this.scope.accountSid}: ${note.message}`, range.from);
    this.placements.add(window.placements);
    for (const day of eachDay(range)) {
      const otherRows = others.map(([currency, days]) => [currency, otherCurrencyLeaves(days.get(day) ?? [], this.hierarchy)] as const);
      const batch = this.reconciledDay(day, accountCurrency, window.days.get(day), otherRows);
      if (batch) yield batch;
    }
  }

  warning(message: string): void {
    this.notes.add('warn', message, this.range.from);
  }

  /** A day's rows: the account currency's, reconciled to totalprice, then each other currency's leaves. */
  private reconciledDay(day: Day, currency: string, reconciled: ReconciledDay | undefined, otherRows: ReadonlyArray<readonly [string, CostRow[]]>): RecordBatch<UsageCostsRecord> | undefined {
    const accountSid = this.scope.accountSid;
    for (const note of reconciled?.notes ?? []) this.notes.add(note.level, `${accountSid}: ${note.message}`, day);
    const rows = new DayRows();
    const emitted = new Set<string>();
    for (const [rowCurrency, dayRows] of [[currency, reconciled?.rows ?? []] as const, ...otherRows]) {
      for (const row of dayRows) {
        const spelled = { ...row, category: this.spellings.spell(row.category), parentCategory: this.spellings.spell(row.parentCategory) };
        rows.add(accountSid, day, rowCurrency, spelled);
        emitted.add(spelled.category);
      }
    }
    rows.addTombstones(accountSid, day, currency, emitted, this.recent, this.hierarchy, this.spellings);
    return rows.records.length > 0 ? rows.batch() : undefined;
  }
}

/** Several sets of a chunk's records as one, by day. */
function mergedByDay(sets: ReadonlyArray<WindowRecords | undefined>): Map<Day, CostInputRecord[]> {
  const merged = new Map<Day, CostInputRecord[]>();
  for (const records of sets) for (const [day, list] of records?.byDay() ?? []) merged.set(day, [...(merged.get(day) ?? []), ...list]);
  return merged;
}

/**
 * The subaccounts' residual: the main account's whole bill minus what every account read on its
 * own explains, as a `subaccounts:unattributed` row on the main account per day.
 */
function* subaccountsResidual(window: ResidualWindow, recent: CategoryDays, hierarchy: Hierarchy): Generator<RecordBatch<UsageCostsRecord>> {
  for (const day of eachDay(window.range)) {
    const total = window.whole.get(day);
    const residual = (amountOf(total?.price ?? null) ?? 0n) - (window.explained.get(day) ?? 0n);
    const currency = total?.priceUnit ?? DEFAULT_CURRENCY;
    const rows = new DayRows();
    const emitted = new Set<string>();
    if (residual !== 0n) {
      rows.add(window.accountSid, day, currency, unattributedRow({ category: SUBACCOUNTS_RESIDUAL_CATEGORY, parentCategory: null, product: 'Other', price: residual, placement: 'curated' }));
      emitted.add(SUBACCOUNTS_RESIDUAL_CATEGORY);
    }
    rows.addTombstones(window.accountSid, day, currency, emitted, recent, hierarchy);
    if (rows.records.length > 0) yield rows.batch();
  }
}

/**
 * Deduplicated leaf costs: one row per account, day and leaf category, whose prices add up to the
 * day's totalprice exactly. Money no leaf explains is a visible `…:unattributed` row.
 */
export class UsageCostsStream implements Stream<UsageCostsRecord> {
  readonly name = 'usage_costs';
  readonly primaryKey = [['account_sid'], ['category'], ['start_date']];
  readonly cursorField = ['start_date'];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(
    private readonly usage: UsageEngine,
    readonly consumer: UsageCostsConsumer,
  ) {}

  read(context: StreamReadContext): AsyncIterable<StreamEvent<UsageCostsRecord>> {
    return this.usage.read(this.name, this.consumer, context);
  }
}

/** Logs each distinct reconciliation note once per sync, with the first day it was seen. */
class NoteLog {
  constructor(
    private readonly logger: Logger,
    /** The kinds logged so far in this run, by every stream that reads these reconciliations. */
    private readonly seen: Set<string>,
  ) {}

  add(level: 'info' | 'warn', message: string, day: Day): void {
    // The same correction recurs daily with another amount: one line per kind of note is enough.
    this.once(message.replace(/-?\d+(\.\d+)?/g, '#'), level, message, day);
  }

  /** Logs the message unless a note of the same kind was logged already. */
  once(kind: string, level: 'info' | 'warn', message: string, day: Day): void {
    if (this.seen.has(kind)) return;
    this.seen.add(kind);
    const text = `usage_costs (first on ${day}): ${message}`;
    if (level === 'warn') this.logger.warn(text);
    else this.logger.info(text);
  }
}
