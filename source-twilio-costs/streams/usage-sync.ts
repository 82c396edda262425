import { isJsonObject } from '../protocol/json';
import type { ResolvedConfig } from '../config';
import { lastCompleteDay } from '../config';
import { addDays, daysBetweenInclusive, isValidDay, maxDay, minDay, type Day, type DayRange } from '../dates';
import { syncWindows } from '../planning/sync-windows';
import { mergeStreams } from './merge-streams';
import { ConfigError } from '../protocol/errors';
import type { Logger } from '../protocol/logger';
import type { JsonObject, SyncMode } from '../protocol/messages';
import type { StreamEvent } from '../protocol/stream';
import { isSkippableAccountError } from '../twilio/error-policy';

/** One set of usage the sync reads on its own, with its own cursor. */
export interface UsageScope {
  /** The key of this scope's cursor in the stream state (an account SID, or a derived name). */
  id: string;
  accountSid: string;
  includeSubaccounts: boolean;
  /** No usage can exist before this day (the account's creation). */
  earliestDay?: Day;
  /** A subaccount whose usage answers 403/404 is skipped with a warning; the main scope never is. */
  skippable: boolean;
}

/** What a scope's cursor keeps between syncs. */
export interface ScopeCursor {
  /** The last day read completely: the next incremental sync starts lookback_days before the day after it. */
  start_date: Day;
  /**
   * Categories emitted non-zero on the days the next sync reads again. That sync emits them again
   * even if they have gone to zero, so a restated day overwrites its old rows downstream.
   */
  recent_categories?: string[];
}

export interface UsageStreamState {
  accounts: Record<string, ScopeCursor>;
  /**
   * Optional cursor for every scope without one of its own. This source never writes it; it lets a
   * hand-written state (Airbyte's acceptance "abnormal state", a migration) hold for accounts it
   * cannot name in advance.
   */
  start_date?: Day;
}

/** Records of a window, and which categories each of their days emitted with non-zero values. */
export interface WindowBatch {
  records: JsonObject[];
  nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>;
}

/** What reading a window yields: once its plan is known, the rows it expects (and the plan, for debug logs); then its records. */
export type WindowEvent = { kind: 'planned'; rowEstimate: number; plan?: string } | ({ kind: 'batch' } & WindowBatch);

export interface UsageSyncOptions {
  streamName: string;
  scopes: readonly UsageScope[];
  syncMode: SyncMode;
  state: JsonObject | undefined;
  config: ResolvedConfig;
  logger: Logger;
  readWindow(scope: UsageScope, range: DayRange, recentCategories: ReadonlySet<string>): AsyncIterable<WindowEvent>;
}

/** Validates a usage stream's input state, naming what is wrong with it. */
export function parseUsageState(streamName: string, state: JsonObject | undefined): UsageStreamState {
  if (state === undefined || Object.keys(state).length === 0) return { accounts: {} };
  const fail = (detail: string): never => {
    throw new ConfigError(`The state of stream ${streamName} is not one this source wrote: ${detail}. Reset the stream or send its last state.`);
  };
  if (!isJsonObject(state.accounts)) fail('it has no "accounts" object');
  const floor = state.start_date;
  if (floor !== undefined && (typeof floor !== 'string' || !isValidDay(floor))) fail('its "start_date" is not "YYYY-MM-DD"');
  const accounts: Record<string, ScopeCursor> = {};
  for (const [id, cursor] of Object.entries(state.accounts as JsonObject)) {
    if (!isJsonObject(cursor) || typeof cursor.start_date !== 'string' || !isValidDay(cursor.start_date)) {
      fail(`the cursor of ${JSON.stringify(id)} is not {"start_date": "YYYY-MM-DD"}`);
    }
    const recent = (cursor as JsonObject).recent_categories;
    if (recent !== undefined && (!Array.isArray(recent) || !recent.every((c) => typeof c === 'string'))) {
      fail(`recent_categories of ${JSON.stringify(id)} is not a list of strings`);
    }
    accounts[id] = { start_date: (cursor as JsonObject).start_date as Day, ...(recent ? { recent_categories: recent as string[] } : {}) };
  }
  return { accounts, ...(typeof floor === 'string' ? { start_date: floor } : {}) };
}

interface WindowJob {
  scope: UsageScope;
  range: DayRange;
  index: number;
}

/** What a window leaves behind for the cursor's recent categories. */
class WindowSummary {
  /** Every category emitted non-zero on any day of the window. */
  readonly categories = new Set<string>();
  /** Per day, from the first day a cursor at the window's end re-reads. */
  readonly tail = new Map<Day, Set<string>>();

  constructor(
    readonly range: DayRange,
    private readonly tailFrom: Day,
  ) {}

  add(nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>): void {
    for (const [day, categories] of nonZeroCategoriesByDay) {
      for (const category of categories) this.categories.add(category);
      if (day < this.tailFrom) continue;
      const tail = this.tail.get(day) ?? new Set<string>();
      for (const category of categories) tail.add(category);
      this.tail.set(day, tail);
    }
  }
}

/** A scope's progress: windows finish out of order, the cursor advances over the finished prefix. */
class ScopeProgress {
  private readonly finished = new Set<number>();
  private finishedPrefix = 0;
  /** Finished windows that still have days a next sync re-reads. */
  private readonly summaries = new Map<number, WindowSummary>();
  /** The cursor as of the last finished window: a state is built after every window, of every scope. */
  private latest: ScopeCursor | undefined;
  private stale = true;
  skipped = false;

  constructor(
    readonly windows: DayRange[],
    private readonly input: ScopeCursor | undefined,
  ) {}

  finish(index: number, summary: WindowSummary): void {
    this.finished.add(index);
    this.summaries.set(index, summary);
    while (this.finished.has(this.finishedPrefix)) this.finishedPrefix += 1;
    this.stale = true;
  }

  /**
   * The cursor: never backwards, never past the last complete day. The recent categories are the
   * ones emitted non-zero on the days the next sync will read again: the tail of the finished prefix,
   * and every day of windows finished beyond it (the next sync re-reads them all). While windows are
   * still unread, the input's recent categories are kept too, since those days were not seen yet.
   */
  cursor(lastComplete: Day, lookbackDays: number): ScopeCursor | undefined {
    if (this.stale) {
      this.latest = this.computeCursor(lastComplete, lookbackDays);
      this.stale = false;
    }
    return this.latest;
  }

  private computeCursor(lastComplete: Day, lookbackDays: number): ScopeCursor | undefined {
    if (this.finishedPrefix === 0) return this.input;
    const finishedThrough = (this.windows[this.finishedPrefix - 1] as DayRange).to;
    const candidate = minDay(finishedThrough, lastComplete);
    const startDate = this.input ? maxDay(this.input.start_date, candidate) : candidate;
    const rereadFrom = addDays(startDate, 1 - lookbackDays);
    const recent = new Set<string>();
    for (const [index, summary] of this.summaries) {
      // The cursor only moves forward, so a window wholly before its re-read horizon never matters again.
      if (summary.range.to < rereadFrom) this.summaries.delete(index);
      else if (summary.range.from >= rereadFrom) for (const category of summary.categories) recent.add(category);
      else for (const [day, categories] of summary.tail) if (day >= rereadFrom) for (const category of categories) recent.add(category);
    }
    if (this.finishedPrefix < this.windows.length) for (const category of this.input?.recent_categories ?? []) recent.add(category);
    return { start_date: startDate, ...(recent.size > 0 ? { recent_categories: [...recent].sort() } : {}) };
  }
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
export async function* syncUsageScopes(options: UsageSyncOptions): AsyncGenerator<StreamEvent> {
  const { config, logger } = options;
  const input = options.syncMode === 'incremental' ? parseUsageState(options.streamName, options.state) : { accounts: {} };
  const lastComplete = lastCompleteDay(config);
  const progress = new Map<string, ScopeProgress>();
  const scopeJobs: WindowJob[] = [];
  const inputCursorOf = (scope: UsageScope): ScopeCursor | undefined => input.accounts[scope.id] ?? (input.start_date ? { start_date: input.start_date } : undefined);
  for (const scope of options.scopes) {
    const cursor = inputCursorOf(scope);
    let from = cursor ? maxDay(addDays(cursor.start_date, 1 - config.lookbackDays), config.startDate) : config.startDate;
    if (scope.earliestDay) from = maxDay(from, scope.earliestDay);
    const windows = from <= config.endDate ? syncWindows(from, config.endDate, config.startDate) : [];
    progress.set(scope.id, new ScopeProgress(windows, cursor));
    windows.forEach((range, index) => scopeJobs.push({ scope, range, index }));
  }
  // Block by block (a stable sort keeps the scopes' order within a block).
  const jobs = [...scopeJobs].sort((a, b) => (a.range.to < b.range.to ? -1 : a.range.to > b.range.to ? 1 : 0));
  const currentState = (): JsonObject => {
    const accounts: Record<string, ScopeCursor> = { ...input.accounts };
    for (const [id, scopeProgress] of progress) {
      const cursor = scopeProgress.cursor(lastComplete, config.lookbackDays);
      if (cursor) accounts[id] = cursor;
    }
    return { ...(input.start_date ? { start_date: input.start_date } : {}), accounts } as unknown as JsonObject;
  };
  // A state before any window, so a heartbeat has one to repeat while the first windows are read.
  yield { kind: 'checkpoint', state: currentState() };

  const estimate = new RowEstimate(jobs, Date.now);
  const open = new Map<WindowJob, OpenWindow>();
  const recentOf = (scope: UsageScope): ReadonlySet<string> => new Set(input.accounts[scope.id]?.recent_categories ?? []);
  const steps = mergeStreams(jobs, Math.max(2, config.maxConcurrency * 2), (job) => {
    if (progress.get(job.scope.id)?.skipped) return undefined;
    open.set(job, { summary: new WindowSummary(job.range, addDays(minDay(job.range.to, lastComplete), 1 - config.lookbackDays)), records: 0 });
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
      if (!(job.scope.skippable && isSkippableAccountError(error))) throw error;
      if (!scopeProgress.skipped) logger.warn(`Skipping account ${job.scope.accountSid} in ${options.streamName}: Twilio answered HTTP ${error.status} for its usage (${job.range.from}..${job.range.to}). Its usage is left out of this sync.`);
      scopeProgress.skipped = true;
    }
  }
  yield { kind: 'checkpoint', state: currentState() };
}
