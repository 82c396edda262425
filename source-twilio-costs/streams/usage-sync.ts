import type { ResolvedConfig } from '../config';
import { lastCompleteDay } from '../config';
import { addDays, isValidDay, maxDay, minDay, monthWindows, type Day, type DayRange } from '../dates';
import { ConfigError } from '../protocol/errors';
import type { Logger } from '../protocol/logger';
import type { JsonObject, SyncMode } from '../protocol/messages';
import type { StreamEvent } from '../protocol/stream';
import { TwilioApiError } from '../twilio/errors';

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

/** The records of one scope's window, and which categories each day emitted with non-zero values. */
export interface WindowOutput {
  records: JsonObject[];
  nonZeroCategoriesByDay: Map<Day, Set<string>>;
}

export interface UsageSyncOptions {
  streamName: string;
  scopes: readonly UsageScope[];
  syncMode: SyncMode;
  state: JsonObject | undefined;
  config: ResolvedConfig;
  logger: Logger;
  readWindow(scope: UsageScope, range: DayRange, recentCategories: ReadonlySet<string>): Promise<WindowOutput>;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a usage stream's input state, naming what is wrong with it. */
export function parseUsageState(streamName: string, state: JsonObject | undefined): UsageStreamState {
  if (state === undefined || Object.keys(state).length === 0) return { accounts: {} };
  const fail = (detail: string): never => {
    throw new ConfigError(`The state of stream ${streamName} is not one this source wrote: ${detail}. Reset the stream or send its last state.`);
  };
  if (!isObject(state.accounts)) fail('it has no "accounts" object');
  const floor = state.start_date;
  if (floor !== undefined && (typeof floor !== 'string' || !isValidDay(floor))) fail('its "start_date" is not "YYYY-MM-DD"');
  const accounts: Record<string, ScopeCursor> = {};
  for (const [id, cursor] of Object.entries(state.accounts as JsonObject)) {
    if (!isObject(cursor) || typeof cursor.start_date !== 'string' || !isValidDay(cursor.start_date)) {
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

/** A scope's progress: windows finish out of order, the cursor advances over the finished prefix. */
class ScopeProgress {
  private readonly finished = new Set<number>();
  private finishedPrefix = 0;
  private readonly nonZeroByDay = new Map<Day, Set<string>>();
  skipped = false;

  constructor(
    readonly windows: DayRange[],
    private readonly input: ScopeCursor | undefined,
  ) {}

  finish(index: number, output: WindowOutput): void {
    this.finished.add(index);
    while (this.finished.has(this.finishedPrefix)) this.finishedPrefix += 1;
    for (const [day, categories] of output.nonZeroCategoriesByDay) this.nonZeroByDay.set(day, categories);
  }

  /**
   * The cursor: never backwards, never past the last complete day. The recent categories are the
   * ones seen non-zero on the days the next sync will read again; while windows are still
   * unread, the input's recent categories are kept too, since those days were not seen yet.
   */
  cursor(lastComplete: Day, lookbackDays: number): ScopeCursor | undefined {
    if (this.finishedPrefix === 0) return this.input;
    const finishedThrough = (this.windows[this.finishedPrefix - 1] as DayRange).to;
    const candidate = minDay(finishedThrough, lastComplete);
    const startDate = this.input ? maxDay(this.input.start_date, candidate) : candidate;
    const rereadFrom = addDays(startDate, 1 - lookbackDays);
    const recent = new Set<string>();
    for (const [day, categories] of this.nonZeroByDay) {
      // The cursor only moves forward, so days before its re-read horizon never matter again.
      if (day < rereadFrom) this.nonZeroByDay.delete(day);
      else for (const category of categories) recent.add(category);
    }
    if (this.finishedPrefix < this.windows.length) for (const category of this.input?.recent_categories ?? []) recent.add(category);
    return { start_date: startDate, ...(recent.size > 0 ? { recent_categories: [...recent].sort() } : {}) };
  }
}

/** Runs `task` over `items` with at most `limit` in flight, yielding each outcome as it completes. */
async function* runBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): AsyncGenerator<{ item: T; result: R } | { item: T; error: unknown }> {
  const running = new Map<number, Promise<{ key: number; outcome: { item: T; result: R } | { item: T; error: unknown } }>>();
  let next = 0;
  const launch = (): void => {
    const key = next;
    const item = items[next] as T;
    next += 1;
    running.set(
      key,
      task(item).then(
        (result) => ({ key, outcome: { item, result } }),
        (error: unknown) => ({ key, outcome: { item, error } }),
      ),
    );
  };
  while (next < items.length && running.size < limit) launch();
  while (running.size > 0) {
    const { key, outcome } = await Promise.race(running.values());
    running.delete(key);
    if (next < items.length) launch();
    yield outcome;
  }
}

/**
 * The incremental engine shared by the usage streams: plans calendar-month windows per scope from
 * its cursor (minus the lookback) or the start date, reads them concurrently, and checkpoints after
 * every finished window. A skippable scope that answers 403/404 is left out with a warning.
 */
export async function* syncUsageScopes(options: UsageSyncOptions): AsyncGenerator<StreamEvent> {
  const { config, logger } = options;
  const input = options.syncMode === 'incremental' ? parseUsageState(options.streamName, options.state) : { accounts: {} };
  const lastComplete = lastCompleteDay(config);
  const progress = new Map<string, ScopeProgress>();
  const jobs: WindowJob[] = [];
  const inputCursorOf = (scope: UsageScope): ScopeCursor | undefined => input.accounts[scope.id] ?? (input.start_date ? { start_date: input.start_date } : undefined);
  for (const scope of options.scopes) {
    const cursor = inputCursorOf(scope);
    let from = cursor ? maxDay(addDays(cursor.start_date, 1 - config.lookbackDays), config.startDate) : config.startDate;
    if (scope.earliestDay) from = maxDay(from, scope.earliestDay);
    const windows = from <= config.endDate ? monthWindows(from, config.endDate) : [];
    progress.set(scope.id, new ScopeProgress(windows, cursor));
    windows.forEach((range, index) => jobs.push({ scope, range, index }));
  }

  const currentState = (): JsonObject => {
    const accounts: Record<string, ScopeCursor> = { ...input.accounts };
    for (const [id, scopeProgress] of progress) {
      const cursor = scopeProgress.cursor(lastComplete, config.lookbackDays);
      if (cursor) accounts[id] = cursor;
    }
    return { ...(input.start_date ? { start_date: input.start_date } : {}), accounts } as unknown as JsonObject;
  };

  const recentOf = (scope: UsageScope): ReadonlySet<string> => new Set(input.accounts[scope.id]?.recent_categories ?? []);
  const outcomes = runBounded(jobs, config.maxConcurrency, async (job) => {
    if (progress.get(job.scope.id)?.skipped) return undefined;
    return options.readWindow(job.scope, job.range, recentOf(job.scope));
  });
  for await (const outcome of outcomes) {
    const { scope, range, index } = outcome.item;
    const scopeProgress = progress.get(scope.id) as ScopeProgress;
    if ('error' in outcome) {
      const { error } = outcome;
      if (scope.skippable && error instanceof TwilioApiError && (error.status === 403 || error.status === 404)) {
        if (!scopeProgress.skipped) logger.warn(`Skipping account ${scope.accountSid} in ${options.streamName}: Twilio answered HTTP ${error.status} for its usage (${range.from}..${range.to}). Its usage is left out of this sync.`);
        scopeProgress.skipped = true;
        continue;
      }
      throw error;
    }
    if (outcome.result === undefined) continue;
    for (const record of outcome.result.records) yield { kind: 'record', data: record };
    scopeProgress.finish(index, outcome.result);
    yield { kind: 'checkpoint', state: currentState() };
  }
  yield { kind: 'checkpoint', state: currentState() };
}
