import type { Hierarchy } from '../costs/hierarchy';
import { reconcileDay } from '../costs/reconcile';
import type { CostInputRecord, CostRow } from '../costs/types';
import { eachDay, type Day, type DayRange } from '../dates';
import type { UsageCostsRecord } from '../generated/types';
import { decimalToNumber, type Decimal } from '../money';
import type { Logger } from '../protocol/logger';
import type { JsonObject } from '../protocol/messages';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { TwilioApiError } from '../twilio/errors';
import type { TwilioContext } from './context';
import { loadStreamSchema } from './schemas';
import { readActiveDailyUsage, TOTAL_PRICE_CATEGORY, type DailyUsage } from './usage-window';
import { syncUsageScopes, type UsageScope, type WindowOutput } from './usage-sync';

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

function groupByDay(records: DailyUsage[]): Map<Day, DailyUsage[]> {
  const byDay = new Map<Day, DailyUsage[]>();
  for (const record of records) {
    const list = byDay.get(record.startDate);
    if (list) list.push(record);
    else byDay.set(record.startDate, [record]);
  }
  return byDay;
}

function toCostInput(record: DailyUsage): CostInputRecord {
  return {
    category: record.category,
    price: record.price ?? 0n,
    count: record.count,
    countUnit: record.countUnit,
    usage: record.usage,
    usageUnit: record.usageUnit,
  };
}

/** Collects a window's rows and remembers which categories were emitted non-zero on which day. */
class WindowRows {
  readonly records: JsonObject[] = [];
  readonly nonZeroCategoriesByDay = new Map<Day, Set<string>>();

  add(accountSid: string, day: Day, currency: string, row: CostRow): void {
    this.records.push(costRecord(accountSid, day, currency, row) as JsonObject);
    if (row.price === 0n) return;
    const categories = this.nonZeroCategoriesByDay.get(day) ?? new Set<string>();
    categories.add(row.category);
    this.nonZeroCategoriesByDay.set(day, categories);
  }

  /** Zero rows for the recent categories a day no longer has. */
  addTombstones(accountSid: string, day: Day, currency: string, emitted: ReadonlySet<string>, recent: ReadonlySet<string>, hierarchy: Hierarchy): void {
    for (const category of recent) if (!emitted.has(category)) this.add(accountSid, day, currency, tombstoneRow(category, hierarchy));
  }

  output(): WindowOutput {
    return { records: this.records, nonZeroCategoriesByDay: this.nonZeroCategoriesByDay };
  }
}

/**
 * Deduplicated leaf costs: one row per account, day and leaf category, whose prices add up to the
 * day's totalprice exactly. Money no leaf explains is a visible `…:unattributed` row.
 */
export class UsageCostsStream implements Stream {
  readonly name = 'usage_costs';
  readonly primaryKey = [['account_sid'], ['category'], ['start_date']];
  readonly cursorField = ['start_date'];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(
    private readonly twilio: TwilioContext,
    private readonly hierarchy: Hierarchy,
  ) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent> {
    const accountScopes = await this.twilio.scopes(context.logger);
    const mainSid = this.twilio.config.accountSid;
    const residualScope: UsageScope | undefined =
      this.twilio.config.credentials.mode === 'auth_token'
        ? { id: subaccountsResidualScopeId(mainSid), accountSid: mainSid, includeSubaccounts: true, skippable: false }
        : undefined;
    const notes = new NoteLog(context.logger);
    yield* syncUsageScopes({
      streamName: this.name,
      scopes: residualScope ? [...accountScopes, residualScope] : accountScopes,
      syncMode: context.syncMode,
      state: context.state,
      config: this.twilio.config,
      logger: context.logger,
      readWindow: (scope, range, recent) =>
        scope === residualScope ? this.readSubaccountsResidual(accountScopes, range, recent) : this.readAccountWindow(scope, range, recent, notes),
    });
  }

  private async readAccountWindow(scope: UsageScope, range: DayRange, recent: ReadonlySet<string>, notes: NoteLog): Promise<WindowOutput> {
    const byDay = groupByDay(await readActiveDailyUsage(this.twilio.client, scope, range, new Set()));
    const rows = new WindowRows();
    for (const day of eachDay(range)) {
      const records = byDay.get(day) ?? [];
      const currency = records.find((record) => record.priceUnit)?.priceUnit ?? DEFAULT_CURRENCY;
      const reconciled = records.length > 0 ? reconcileDay(records.map(toCostInput), this.hierarchy) : undefined;
      for (const note of reconciled?.notes ?? []) notes.add(note.level, `${scope.accountSid}: ${note.message}`, day);
      const emitted = new Set<string>();
      for (const row of reconciled?.rows ?? []) {
        rows.add(scope.accountSid, day, currency, row);
        emitted.add(row.category);
      }
      rows.addTombstones(scope.accountSid, day, currency, emitted, recent, this.hierarchy);
    }
    return rows.output();
  }

  /**
   * The main account's whole bill (IncludeSubaccounts=true) minus every account read on its own:
   * closed subaccounts, filtered ones and unreadable ones. Each account's total is read here
   * rather than taken from the other scopes, so this scope resumes and restates on its own.
   */
  private async readSubaccountsResidual(accountScopes: readonly UsageScope[], range: DayRange, recent: ReadonlySet<string>): Promise<WindowOutput> {
    const mainSid = this.twilio.config.accountSid;
    const totals = async (scope: UsageScope): Promise<DailyUsage[]> => {
      try {
        return await readActiveDailyUsage(this.twilio.client, scope, range, new Set([TOTAL_PRICE_CATEGORY]), TOTAL_PRICE_CATEGORY);
      } catch (error) {
        // An account that cannot be read is not explained by its own rows: its usage stays in the residual.
        if (scope.skippable && error instanceof TwilioApiError && (error.status === 403 || error.status === 404)) return [];
        throw error;
      }
    };
    const [whole, ...parts] = await Promise.all([
      totals({ id: mainSid, accountSid: mainSid, includeSubaccounts: true, skippable: false }),
      ...accountScopes.map((scope) => totals(scope)),
    ]);
    const explained = new Map<Day, Decimal>();
    for (const record of parts.flat()) explained.set(record.startDate, (explained.get(record.startDate) ?? 0n) + (record.price ?? 0n));
    const rows = new WindowRows();
    const wholeByDay = new Map((whole ?? []).map((record) => [record.startDate, record]));
    for (const day of eachDay(range)) {
      const total = wholeByDay.get(day);
      const residual = (total?.price ?? 0n) - (explained.get(day) ?? 0n);
      const currency = total?.priceUnit ?? DEFAULT_CURRENCY;
      const emitted = new Set<string>();
      if (residual !== 0n) {
        rows.add(mainSid, day, currency, {
          category: SUBACCOUNTS_RESIDUAL_CATEGORY,
          parentCategory: null,
          product: 'Other',
          price: residual,
          isUnattributed: true,
          count: null,
          countUnit: null,
          usage: null,
          usageUnit: null,
          placement: 'curated',
        });
        emitted.add(SUBACCOUNTS_RESIDUAL_CATEGORY);
      }
      rows.addTombstones(mainSid, day, currency, emitted, recent, this.hierarchy);
    }
    return rows.output();
  }
}

/** Logs each distinct reconciliation note once per sync, with the first day it was seen. */
class NoteLog {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: Logger) {}

  add(level: 'info' | 'warn', message: string, day: Day): void {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    const text = `usage_costs (first on ${day}): ${message}`;
    if (level === 'warn') this.logger.warn(text);
    else this.logger.info(text);
  }
}
