import type { Hierarchy } from '../costs/hierarchy';
import { reconcileWindow, unattributedRow } from '../costs/reconcile';
import type { CostRow, ReconciledDay } from '../costs/types';
import { WindowRecords } from '../costs/window-records';
import { daysBetweenInclusive, eachDay, type Day, type DayRange } from '../dates';
import type { UsageCostsRecord } from '../generated/types';
import { decimalToNumber, type Decimal } from '../money';
import type { Logger } from '../protocol/logger';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { isSkippableAccountError } from '../twilio/error-policy';
import type { TwilioContext } from './context';
import { loadStreamSchema } from './schemas';
import { amountOf, describePlan, syncUsageScopes, widerShare, type DailyUsage, type ShareMode, type UsageScope, type WindowBatch, type WindowEvent, type WindowPlan } from '../usage';

/** The row on the main account for usage that no account read on its own explains. */
export const SUBACCOUNTS_RESIDUAL_CATEGORY = 'subaccounts:unattributed';
const DEFAULT_CURRENCY = 'USD';

/** A residual scope's id: derived from the main SID so it sits beside the accounts' cursors. */
const subaccountsResidualScopeId = (mainSid: string): string => `${mainSid}/unattributed_subaccounts`;

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

  /** Zero rows for the recent categories a day no longer has. */
  addTombstones(accountSid: string, day: Day, currency: string, emitted: ReadonlySet<string>, recent: ReadonlySet<string>, hierarchy: Hierarchy): void {
    for (const category of recent) if (!emitted.has(category)) this.add(accountSid, day, currency, tombstoneRow(category, hierarchy));
  }

  batch(): { kind: 'batch' } & WindowBatch<UsageCostsRecord> {
    return { kind: 'batch', records: this.records, nonZeroCategoriesByDay: this.nonZeroCategoriesByDay };
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
    private readonly twilio: TwilioContext,
    private readonly hierarchy: Hierarchy,
  ) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent<UsageCostsRecord>> {
    const accountScopes = await this.twilio.scopes(context.logger);
    const mainSid = this.twilio.config.accountSid;
    const residualScope: UsageScope | undefined =
      this.twilio.config.credentials.mode === 'auth_token'
        ? { id: subaccountsResidualScopeId(mainSid), accountSid: mainSid, includeSubaccounts: true, skippable: false }
        : undefined;
    // The residual needs each account's daily totals of the same windows: keep at least those.
    const share = widerShare(this.twilio.usageWindows.shareFor(context.laterStreams ?? []), residualScope ? 'totals' : 'none');
    const notes = new NoteLog(context.logger);
    yield* syncUsageScopes({
      streamName: this.name,
      scopes: residualScope ? [...accountScopes, residualScope] : accountScopes,
      syncMode: context.syncMode,
      state: context.state,
      config: this.twilio.config,
      logger: context.logger,
      readWindow: (scope, range, recent) =>
        scope === residualScope ? this.readSubaccountsResidual(accountScopes, range, recent) : this.readAccountWindow(scope, range, recent, notes, share),
    });
  }

  /**
   * Reconciles a window day by day. Records come category by category (sparse) or month by month
   * (dense), so a chunk's days are gathered, compactly, until the chunk ends; no more is held.
   */
  private async *readAccountWindow(scope: UsageScope, range: DayRange, recent: ReadonlySet<string>, notes: NoteLog, share: ShareMode): AsyncGenerator<WindowEvent<UsageCostsRecord>> {
    let records = new WindowRecords();
    /** Each day's first price unit: the currency of its rows. */
    let currencies = new Map<Day, string>();
    for await (const step of this.twilio.usageWindows.read(scope, range, new Set(), { share, fields: 'amounts', holdsChunks: true })) {
      if (step.kind === 'plan') {
        yield { kind: 'planned', rowEstimate: costRowEstimate(step.plan, range, this.hierarchy), plan: describePlan(step.plan) };
      } else if (step.kind === 'rows') {
        for (const record of step.records) {
          if (record.priceUnit !== null && !currencies.has(record.startDate)) currencies.set(record.startDate, record.priceUnit);
          records.add(record.startDate, {
            category: record.category,
            price: amountOf(record.price) ?? 0n,
            count: amountOf(record.count),
            countUnit: record.countUnit,
            usage: amountOf(record.usage),
            usageUnit: record.usageUnit,
          });
        }
      } else if (step.kind === 'warning') {
        notes.add('warn', step.message, range.from);
      } else {
        const chunk = records.byDay();
        const chunkCurrencies = currencies;
        records = new WindowRecords();
        currencies = new Map();
        // The chunk's days are placed together (the numbers of every day decide where a category
        // sits), or were already, by the reader.
        const window = reconcileWindow(chunk, this.hierarchy, step.placement);
        for (const note of window.notes) notes.add(note.level, `${scope.accountSid}: ${note.message}`, step.range.from);
        this.twilio.usedPlacements.add(window.placements);
        for (const day of eachDay(step.range)) yield* this.reconciledDay(scope, day, chunkCurrencies.get(day) ?? DEFAULT_CURRENCY, window.days.get(day), recent, notes);
      }
    }
  }

  private *reconciledDay(scope: UsageScope, day: Day, currency: string, reconciled: ReconciledDay | undefined, recent: ReadonlySet<string>, notes: NoteLog): Generator<WindowEvent<UsageCostsRecord>> {
    for (const note of reconciled?.notes ?? []) notes.add(note.level, `${scope.accountSid}: ${note.message}`, day);
    const rows = new DayRows();
    const emitted = new Set<string>();
    for (const row of reconciled?.rows ?? []) {
      rows.add(scope.accountSid, day, currency, row);
      emitted.add(row.category);
    }
    rows.addTombstones(scope.accountSid, day, currency, emitted, recent, this.hierarchy);
    if (rows.records.length > 0) yield rows.batch();
  }

  /**
   * The main account's whole bill (IncludeSubaccounts=true) minus every account read on its own:
   * closed subaccounts, filtered ones and unreadable ones. Each account's daily totals come from
   * the same window read in this run when there is one (an account idle in it costs nothing), else
   * from Twilio, so this scope still resumes and restates on its own. An account counts from its
   * creation day, as its own scope does.
   */
  private async *readSubaccountsResidual(accountScopes: readonly UsageScope[], range: DayRange, recent: ReadonlySet<string>): AsyncGenerator<WindowEvent<UsageCostsRecord>> {
    const mainSid = this.twilio.config.accountSid;
    const windows = this.twilio.usageWindows;
    const totals = async (scope: UsageScope): Promise<DailyUsage[]> => {
      const from = scope.earliestDay && scope.earliestDay > range.from ? scope.earliestDay : range.from;
      if (from > range.to) return [];
      try {
        return await windows.dailyTotals(scope, { from, to: range.to });
      } catch (error) {
        // An account that cannot be read is not explained by its own rows: its usage stays in the residual.
        if (scope.skippable && isSkippableAccountError(error)) return [];
        throw error;
      }
    };
    const whole = await totals({ id: mainSid, accountSid: mainSid, includeSubaccounts: true, skippable: false });
    yield { kind: 'planned', rowEstimate: daysBetweenInclusive(range.from, range.to) };
    const explained = new Map<Day, Decimal>();
    await Promise.all(
      accountScopes.map(async (scope) => {
        for (const record of await totals(scope)) explained.set(record.startDate, (explained.get(record.startDate) ?? 0n) + (amountOf(record.price) ?? 0n));
      }),
    );
    const wholeByDay = new Map(whole.map((record) => [record.startDate, record]));
    for (const day of eachDay(range)) {
      const total = wholeByDay.get(day);
      const residual = (amountOf(total?.price ?? null) ?? 0n) - (explained.get(day) ?? 0n);
      const currency = total?.priceUnit ?? DEFAULT_CURRENCY;
      const rows = new DayRows();
      const emitted = new Set<string>();
      if (residual !== 0n) {
        rows.add(mainSid, day, currency, unattributedRow({ category: SUBACCOUNTS_RESIDUAL_CATEGORY, parentCategory: null, product: 'Other', price: residual, placement: 'curated' }));
        emitted.add(SUBACCOUNTS_RESIDUAL_CATEGORY);
      }
      rows.addTombstones(mainSid, day, currency, emitted, recent, this.hierarchy);
      if (rows.records.length > 0) yield rows.batch();
    }
  }
}

/** Logs each distinct reconciliation note once per sync, with the first day it was seen. */
class NoteLog {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: Logger) {}

  add(level: 'info' | 'warn', message: string, day: Day): void {
    // The same correction recurs daily with another amount: one line per kind of note is enough.
    const kind = message.replace(/-?\d+(\.\d+)?/g, '#');
    if (this.seen.has(kind)) return;
    this.seen.add(kind);
    const text = `usage_costs (first on ${day}): ${message}`;
    if (level === 'warn') this.logger.warn(text);
    else this.logger.info(text);
  }
}
