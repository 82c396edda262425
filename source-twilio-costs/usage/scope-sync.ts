import type { ResolvedConfig } from '../config';
import { lastCompleteDay } from '../config';
import { daysBetweenInclusive, type Day, type DayRange } from '../dates';
import type { Logger } from '../protocol/logger';
import type { JsonObject, SyncMode } from '../protocol/messages';
import type { StreamEvent } from '../protocol/stream';
import { accountSkipReason } from '../twilio/error-policy';
import { firstDayToRead, ScopeProgress, WindowSummary, windowTailFrom } from './cursors';
import { mergeStreams } from './merge-streams';
import { syncWindows } from './sync-windows';
import type { UsageScope } from './usage-scope';
import { inputCursorOf, parseUsageState, serializeUsageState, type UsageStreamState } from './usage-state';

/** Records of a window, and which categories each of their days emitted with non-zero values. */
export interface WindowBatch<TRecord extends object = JsonObject> {
  records: TRecord[];
  nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>;
}

/** What reading a window yields: once its plan is known, the rows it expects (and the plan, for debug logs); then its records. */
export type WindowEvent<TRecord extends object = JsonObject> = { kind: 'planned'; rowEstimate: number; plan?: string } | ({ kind: 'batch' } & WindowBatch<TRecord>);

export interface UsageSyncOptions<TRecord extends object = JsonObject> {
  streamName: string;
  scopes: readonly UsageScope[];
  syncMode: SyncMode;
  state: JsonObject | undefined;
  config: ResolvedConfig;
  logger: Logger;
  readWindow(scope: UsageScope, range: DayRange, recentCategories: ReadonlySet<string>): AsyncIterable<WindowEvent<TRecord>>;
}

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

/** A window being read: what it has emitted so far. */
interface OpenWindow {
  summary: WindowSummary;
  records: number;
}

/**
 * The incremental engine shared by the usage streams. Per scope it plans windows from its cursor
 * (minus the lookback) or the start date, on a grid of WINDOW_MONTHS calendar months shared by all
 * scopes; it reads windows side by side (the same block of every scope first, so windows one
 * scope's reader waits for are read before it), streams their records out as they come, and
 * checkpoints after every finished window. A skippable scope that answers 403/404 is left out with a
 * warning. Once plans are known it reports a row estimate.
 */
export async function* syncUsageScopes<TRecord extends object>(options: UsageSyncOptions<TRecord>): AsyncGenerator<StreamEvent<TRecord>> {
  const { config, logger } = options;
  const input: UsageStreamState = options.syncMode === 'incremental' ? parseUsageState(options.streamName, options.state) : { accounts: {} };
  const lastComplete = lastCompleteDay(config);
  const progress = new Map<string, ScopeProgress>();
  const scopeJobs: WindowJob[] = [];
  for (const scope of options.scopes) {
    const cursor = inputCursorOf(input, scope.id);
    const from = firstDayToRead(cursor, config.lookbackDays, config.startDate, scope.earliestDay);
    const windows = from <= config.endDate ? syncWindows(from, config.endDate, config.startDate) : [];
    progress.set(scope.id, new ScopeProgress(windows, cursor));
    windows.forEach((range, index) => scopeJobs.push({ scope, range, index }));
  }
  // Block by block (a stable sort keeps the scopes' order within a block).
  const jobs = [...scopeJobs].sort((a, b) => (a.range.to < b.range.to ? -1 : a.range.to > b.range.to ? 1 : 0));
  const currentState = (): JsonObject =>
    serializeUsageState(input, new Map([...progress].map(([id, scopeProgress]) => [id, scopeProgress.cursor(lastComplete, config.lookbackDays)])));
  // A state before any window, so a heartbeat has one to repeat while the first windows are read.
  yield { kind: 'checkpoint', state: currentState() };

  const estimate = new RowEstimate(jobs, Date.now);
  const open = new Map<WindowJob, OpenWindow>();
  const recentOf = (scope: UsageScope): ReadonlySet<string> => new Set(input.accounts[scope.id]?.recent_categories ?? []);
  const steps = mergeStreams(jobs, Math.max(2, config.maxConcurrency * 2), (job) => {
    if (progress.get(job.scope.id)?.skipped) return undefined;
    open.set(job, { summary: new WindowSummary(job.range, windowTailFrom(job.range, lastComplete, config.lookbackDays)), records: 0 });
    return options.readWindow(job.scope, job.range, recentOf(job.scope));
  });
  for await (const step of steps) {
    const job = step.item;
    const scopeProgress = progress.get(job.scope.id) as ScopeProgress;
    const window = open.get(job);
    if (step.kind === 'event') {
      const event = step.event;
      if (event.kind === 'planned') {
        if (event.plan) logger.debug(`${options.streamName}: ${job.scope.id} ${job.range.from}..${job.range.to} read ${event.plan}`);
        estimate.plan(job, event.rowEstimate);
        const rowEstimate = estimate.due();
        if (rowEstimate !== undefined) yield { kind: 'estimate', rowEstimate };
        continue;
      }
      for (const record of event.records) yield { kind: 'record', data: record };
      window?.summary.add(event.nonZeroCategoriesByDay);
      if (window) window.records += event.records.length;
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
      if (!scopeProgress.skipped) logger.warn(`Skipping account ${job.scope.accountSid} in ${options.streamName} (${job.range.from}..${job.range.to}): ${skipReason}. Its usage is left out of this sync.`);
      scopeProgress.skipped = true;
    }
  }
  yield { kind: 'checkpoint', state: currentState() };
}
