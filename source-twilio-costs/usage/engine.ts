/**
 * The usage engine: the one loop every usage stream is read through. Per scope it plans windows
 * from the stream's cursor, reads them through the window reader, hands what it reads to the
 * stream's consumer, and turns the consumer's records into the stream's events: records,
 * checkpoints in cursor order and row estimates. Nothing here knows what a record is.
 */
import type { ResolvedConfig } from '../config';
import { lastCompleteDay } from '../config';
import type { PlacementMemory } from '../costs/placement-memory';
import { type Day, type DayRange, daysBetweenInclusive } from '../dates';
import type { Decimal } from '../money';
import type { Logger } from '../protocol/logger';
import type { JsonObject } from '../protocol/messages';
import type { StreamEvent, StreamReadContext } from '../protocol/stream';
import { accountSkipReason, isSkippableAccountError } from '../twilio/error-policy';
import type { CategoryDays } from './category-days';
import type { ConsumerRun, RecordBatch, ResidualWindow, UsageConsumer } from './consumer';
import { firstDayToRead, inputRecentDays, ScopeProgress, WindowSummary } from './cursors';
import { amountOf, type DailyUsage, isNonZero } from './daily-usage';
import { mergeStreams } from './merge-streams';
import { syncWindows } from './sync-windows';
import type { UsageScope } from './usage-scope';
import { inputCursorOf, parseUsageState, type ScopeCursor, UsageStateWriter, type UsageStreamState } from './usage-state';
import { type RowUse, widestUse } from './window-cache';
import { describePlan, type UsageWindowReader } from './window-reader';

/** What a window being read gives the loop: once its plan is known, the rows it expects (and the plan, for debug logs); then its records. */
type WindowEvent<TRecord extends object> = { kind: 'planned'; rowEstimate: number; plan?: string } | { kind: 'batch'; batch: RecordBatch<TRecord> } | { kind: 'foreign-rows'; count: number };

/** What the engine asks of the window reader: a scope's window, and daily totals for the residual (a test scripts them). */
export type WindowSource = Pick<UsageWindowReader, 'read' | 'dailyTotals'>;

export interface UsageEngineOptions {
  config: ResolvedConfig;
  reader: WindowSource;
  /** The accounts usage is read in, each a scope with its own cursor (listing the subaccounts in Auth Token mode). */
  scopes(logger: Logger): Promise<UsageScope[]>;
}

/** The subaccounts' residual scope: the main account's whole bill, its id derived from the main SID so it sits beside the accounts' cursors. */
function residualScopeOf(mainSid: string): UsageScope {
  return { id: `${mainSid}/unattributed_subaccounts`, accountSid: mainSid, includeSubaccounts: true, skippable: false };
}

const NO_CATEGORIES: ReadonlySet<string> = new Set();

interface WindowJob {
  scope: UsageScope;
  range: DayRange;
  index: number;
}

/** Least time between two ESTIMATE messages of a stream, besides the first and the one once every window is planned. */
const ESTIMATE_INTERVAL_MS = 10_000;

/**
 * The stream's row estimate for the platform's progress bar: settled windows count what they
 * emitted; planned ones what their plan expects, and windows not planned yet the planned rows per
 * day so far times their days, both scaled by how settled windows compared with their plans (a
 * plan's count is exact for usage_records, an upper bound for usage_costs).
 */
class RowEstimate {
  private readonly planned = new Map<WindowJob, number>();
  private plannedRows = 0;
  private plannedDays = 0;
  private unplannedDays: number;
  private unplanned: number;
  private settledPlanned = 0;
  private settledActual = 0;
  private lastEmitted: number | undefined;
  private lastEmittedAt = Number.NEGATIVE_INFINITY;
  private emittedAllPlanned = false;

  constructor(
    jobs: readonly WindowJob[],
    private readonly now: () => number,
  ) {
    this.unplanned = jobs.length;
    this.unplannedDays = jobs.reduce((sum, job) => sum + daysBetweenInclusive(job.range.from, job.range.to), 0);
  }

  /** A window's plan is known: it expects `rows` records. */
  plan(job: WindowJob, rows: number): void {
    if (this.planned.has(job)) return;
    const days = daysBetweenInclusive(job.range.from, job.range.to);
    this.planned.set(job, rows);
    this.plannedRows += rows;
    this.plannedDays += days;
    this.unplannedDays -= days;
    this.unplanned -= 1;
  }

  /** A window is over (finished, failed or skipped) with `rows` records. */
  settle(job: WindowJob, rows: number): void {
    this.plan(job, rows);
    this.settledPlanned += this.planned.get(job) ?? 0;
    this.settledActual += rows;
  }

  /** The estimate to print now, if one is due: the first, the first once all is planned, then one per interval. */
  due(): number | undefined {
    const scale = this.settledPlanned > 0 ? this.settledActual / this.settledPlanned : 1;
    const unsettledPlanned = this.plannedRows - this.settledPlanned;
    const unplanned = this.plannedDays > 0 ? (this.plannedRows / this.plannedDays) * this.unplannedDays : 0;
    const estimate = Math.round(this.settledActual + scale * (unsettledPlanned + unplanned));
    const now = this.now();
    if (estimate === this.lastEmitted) return undefined;
    const firstAllPlanned = this.unplanned === 0 && !this.emittedAllPlanned;
    if (this.lastEmitted !== undefined && !firstAllPlanned && now - this.lastEmittedAt < ESTIMATE_INTERVAL_MS) return undefined;
    this.emittedAllPlanned ||= this.unplanned === 0;
    this.lastEmitted = estimate;
    this.lastEmittedAt = now;
    return estimate;
  }
}

/** A cursor with its scope's placement memory as the run has it now (the windows placed so far, beyond the cursor too: a prior, not a result). */
function withPlacementMemory(cursor: ScopeCursor | undefined, placementMemory: PlacementMemory | undefined): ScopeCursor | undefined {
  return cursor && placementMemory ? { ...cursor, placementMemory } : cursor;
}

/** A window being read: what it has emitted so far. */
interface OpenWindow {
  summary: WindowSummary;
  records: number;
}

/**
 * Reads the usage streams of a run, one after another, each through its consumer. Built once per
 * run and told the consumers a read runs, in order (`prepare`), it keeps of every window it reads
 * for one consumer what the consumers after it use, so a window is asked of Twilio once.
 */
export class UsageEngine {
  private readOrder: ReadonlyArray<UsageConsumer<object>> = [];

  constructor(private readonly options: UsageEngineOptions) {}

  /** The consumers this run's read runs, in the order it runs them (each read alone keeps nothing for the others until told). */
  prepare(consumers: ReadonlyArray<UsageConsumer<object>>): void {
    this.readOrder = [...consumers];
  }

  /**
   * Reads one usage stream through its consumer. Per scope it plans windows from the cursor (minus
   * the lookback) or the start date, on a grid of calendar-month blocks shared by all scopes; it
   * reads windows side by side (the same block of every scope first, so windows one scope's reader
   * waits for are read before it), streams their records out as they come, and checkpoints after
   * every finished window. A skippable scope that answers 403/404 is left out with a warning. Once
   * plans are known it reports a row estimate.
   */
  async *read<TRecord extends object>(streamName: string, consumer: UsageConsumer<TRecord>, context: StreamReadContext): AsyncGenerator<StreamEvent<TRecord>> {
    const { config } = this.options;
    const { logger } = context;
    const run = await consumer.begin(logger);
    const accountScopes = await this.options.scopes(logger);
    const residualScope = run.residual !== undefined && config.credentials.mode === 'auth_token' ? residualScopeOf(config.accountSid) : undefined;
    const keepFor = this.keepFor(consumer, residualScope !== undefined);
    const input: UsageStreamState = context.syncMode === 'incremental' ? parseUsageState(streamName, context.state) : { accounts: {} };
    const lastComplete = lastCompleteDay(config);
    const progress = new Map<string, ScopeProgress>();
    const scopeJobs: WindowJob[] = [];
    for (const scope of residualScope ? [...accountScopes, residualScope] : accountScopes) {
      const cursor = inputCursorOf(input, scope.id);
      if (cursor?.placementMemory) run.remember?.(scope.id, cursor.placementMemory);
      const from = firstDayToRead(cursor, config.lookbackDays, config.startDate, scope.earliestDay);
      const windows = from <= config.endDate ? syncWindows(from, config.endDate, config.startDate) : [];
      progress.set(scope.id, new ScopeProgress(windows, cursor, inputRecentDays(cursor, from, config.endDate)));
      windows.forEach((range, index) => scopeJobs.push({ scope, range, index }));
    }
    // Block by block (a stable sort keeps the scopes' order within a block).
    const jobs = [...scopeJobs].sort((a, b) => (a.range.to < b.range.to ? -1 : a.range.to > b.range.to ? 1 : 0));
    const stateWriter = new UsageStateWriter(input);
    const currentState = (): JsonObject =>
      stateWriter.write(new Map([...progress].map(([id, scopeProgress]) => [id, withPlacementMemory(scopeProgress.cursor(lastComplete, config.lookbackDays), run.placementMemory?.(id))])));
    // A state before any window, so a heartbeat has one to repeat while the first windows are read.
    yield { kind: 'checkpoint', state: currentState() };

    const estimate = new RowEstimate(jobs, Date.now);
    const open = new Map<WindowJob, OpenWindow>();
    /** By account: rows Twilio sent of other accounts, left out; one warning each once the stream is read, not one a row. */
    const foreignRows = new Map<string, number>();
    const steps = mergeStreams(jobs, Math.max(2, config.maxConcurrency * 2), (job) => {
      const scopeProgress = progress.get(job.scope.id);
      if (!scopeProgress || scopeProgress.skipped) return undefined;
      open.set(job, { summary: new WindowSummary(job.range), records: 0 });
      const recent = scopeProgress.inputRecent;
      return job.scope === residualScope ? this.residualWindow(run, accountScopes, job.range, recent) : this.accountWindow(consumer, run, job, recent, keepFor);
    });
    for await (const step of steps) {
      const job = step.item;
      const scopeProgress = progress.get(job.scope.id) as ScopeProgress;
      const window = open.get(job);
      if (step.kind === 'event') {
        const event = step.event;
        if (event.kind === 'planned') {
          if (event.plan) logger.debug(`${streamName}: ${job.scope.id} ${job.range.from}..${job.range.to} read ${event.plan}`);
          estimate.plan(job, event.rowEstimate);
          const rowEstimate = estimate.due();
          if (rowEstimate !== undefined) yield { kind: 'estimate', rowEstimate };
          continue;
        }
        if (event.kind === 'foreign-rows') {
          foreignRows.set(job.scope.accountSid, (foreignRows.get(job.scope.accountSid) ?? 0) + event.count);
          continue;
        }
        const { batch } = event;
        for (const record of batch.records) yield { kind: 'record', data: record };
        window?.summary.add(batch.nonZeroCategoriesByDay);
        if (window) window.records += batch.records.length;
        continue;
      }
      open.delete(job);
      estimate.settle(job, window?.records ?? 0);
      const rowEstimate = estimate.due();
      if (rowEstimate !== undefined) yield { kind: 'estimate', rowEstimate };
      if (step.kind === 'done' && window) {
        scopeProgress.finish(job.index, window.summary);
        yield { kind: 'checkpoint', state: currentState() };
      } else if (step.kind === 'error') {
        const { error } = step;
        const skipReason = job.scope.skippable ? accountSkipReason(error) : undefined;
        if (skipReason === undefined) throw error;
        if (!scopeProgress.skipped) logger.warn(`Skipping account ${job.scope.accountSid} in ${streamName} (${job.range.from}..${job.range.to}): ${skipReason}. Its usage is left out of this sync.`);
        scopeProgress.skipped = true;
      }
    }
    for (const [accountSid, count] of foreignRows) {
      logger.warn(`${streamName}: Twilio sent ${count} usage record${count === 1 ? '' : 's'} of other accounts when asked for the usage of ${accountSid}; they were left out.`);
    }
    yield { kind: 'checkpoint', state: currentState() };
  }

  /** What to keep of a window read for `consumer`: what the consumers read after it use, and the daily totals its own residual scope reads. */
  private keepFor(consumer: UsageConsumer<object>, readsResidual: boolean): RowUse | undefined {
    const position = this.readOrder.indexOf(consumer);
    const later: RowUse[] = position < 0 ? [] : this.readOrder.slice(position + 1).map((next) => next.use);
    return widestUse(readsResidual ? [...later, 'totals'] : later);
  }

  /** A scope's window, read for the consumer and handed to it as it comes. */
  private async *accountWindow<TRecord extends object>(
    consumer: UsageConsumer<TRecord>,
    run: ConsumerRun<TRecord>,
    job: WindowJob,
    recent: CategoryDays,
    keepFor: RowUse | undefined,
  ): AsyncGenerator<WindowEvent<TRecord>> {
    const window = run.window(job.scope, job.range, recent);
    const placementMemory = run.placementMemory?.bind(run);
    const reads = this.options.reader.read(job.scope, job.range, consumer.readsRecentCategories ? recent.categoriesWithin(job.range) : NO_CATEGORIES, {
      use: consumer.use,
      keepFor,
      ...(placementMemory ? { placementMemory: () => placementMemory(job.scope.id) } : {}),
    });
    /** Categories read only because they are recent (idle in the window): their zero rows are due only on their recent days. */
    let recentOnly: ReadonlySet<string> = NO_CATEGORIES;
    const due = (record: DailyUsage): boolean => !recentOnly.has(record.categoryKey) || isNonZero(record) || recent.has(record.categoryKey, record.startDate);
    for await (const read of reads) {
      if (read.kind === 'plan') {
        recentOnly = new Set([...read.plan.needed].filter((category) => !read.plan.active.has(category)));
        yield { kind: 'planned', rowEstimate: run.rowEstimate(read.plan, job.range), plan: describePlan(read.plan) };
      } else if (read.kind === 'rows') {
        const batch = window.rows(recentOnly.size > 0 ? read.records.filter(due) : read.records);
        if (batch) yield { kind: 'batch', batch };
      } else if (read.kind === 'chunk-end') {
        for (const batch of window.chunkEnd(read.range, read.placement)) yield { kind: 'batch', batch };
      } else if (read.kind === 'foreign-rows') {
        yield read;
      } else {
        window.warning(read.message);
      }
    }
  }

  /**
   * A window of the subaccounts' residual: the main account's whole bill (IncludeSubaccounts=true)
   * minus every account read on its own (closed subaccounts, filtered ones, unreadable ones). Each
   * account's daily totals come from the same window read in this run when there is one (an
   * account idle in it costs nothing), else from Twilio, so this scope still resumes and restates
   * on its own. An account counts from its creation day, as its own scope does.
   */
  private async *residualWindow<TRecord extends object>(run: ConsumerRun<TRecord>, accountScopes: readonly UsageScope[], range: DayRange, recent: CategoryDays): AsyncGenerator<WindowEvent<TRecord>> {
    const mainSid = this.options.config.accountSid;
    const totals = async (scope: UsageScope): Promise<DailyUsage[]> => {
      const from = scope.earliestDay && scope.earliestDay > range.from ? scope.earliestDay : range.from;
      if (from > range.to) return [];
      try {
        return await this.options.reader.dailyTotals(scope, { from, to: range.to });
      } catch (error) {
        // An account that cannot be read is not explained by its own rows: its usage stays in the residual.
        if (scope.skippable && isSkippableAccountError(error)) return [];
        throw error;
      }
    };
    const whole = await totals({ id: mainSid, accountSid: mainSid, includeSubaccounts: true, skippable: false });
    // At most a row a day.
    yield { kind: 'planned', rowEstimate: daysBetweenInclusive(range.from, range.to) };
    const explained = new Map<Day, Decimal>();
    await Promise.all(
      accountScopes.map(async (scope) => {
        for (const record of await totals(scope)) explained.set(record.startDate, (explained.get(record.startDate) ?? 0n) + (amountOf(record.price) ?? 0n));
      }),
    );
    const window: ResidualWindow = { accountSid: mainSid, range, whole: new Map(whole.map((record) => [record.startDate, record])), explained };
    for (const batch of run.residual?.(window, recent) ?? []) yield { kind: 'batch', batch };
  }
}
