import type { PlacementMemory } from '../costs/placement-memory';
import type { Day, DayRange } from '../dates';
import type { Decimal } from '../money';
import type { Logger } from '../protocol/logger';
import type { CategoryDays } from './category-days';
import type { DailyUsage } from './daily-usage';
import type { UsageScope } from './usage-scope';
import type { ChunkPlacement, WindowPlan } from './window-reader';

/**
 * A consumer of usage windows: what one usage stream makes of the windows the engine reads for it
 * (usage_records maps rows to records, usage_costs reconciles them, focus_costs projects
 * usage_costs' rows). The engine reads; the consumer is handed what was read and hands back
 * records. It never reads Twilio itself, and the engine never asks a stream anything. Built once;
 * `begin` starts each read of its stream.
 */
export interface UsageConsumer<TRecord extends object> {
  /**
   * What it uses of a window's rows (see RowUse). The engine keeps of each window it reads what
   * the consumers read after this one use, so a window is asked of Twilio once per run.
   */
  readonly use: 'chunks' | 'rows';
  /**
   * Whether a window's needed categories include its cursor's recent ones even where idle: a
   * consumer that emits Twilio's rows reads them to emit their zero rows, one that makes rows of
   * its own emits zero rows of its own (tombstones) instead.
   */
  readonly readsRecentCategories: boolean;
  /** Starts one read of its stream: what lasts across the read's windows (notes logged once) lives in what this returns. */
  begin(logger: Logger): Promise<ConsumerRun<TRecord>>;
}

/** One read of a consumer's stream. */
export interface ConsumerRun<TRecord extends object> {
  /** The records a window is expected to give once its plan is known: the platform's progress bar. */
  rowEstimate(plan: WindowPlan, range: DayRange): number;
  /** A scope's window about to be read, with the (category, day) its cursor kept as recent: a tombstone is due on each gone to zero. */
  window(scope: UsageScope, range: DayRange, recent: CategoryDays): WindowConsumer<TRecord>;
  /**
   * The records of a window of the subaccounts' residual (Auth Token mode): the main account's
   * whole bill minus every account read on its own. A consumer without it has no residual scope.
   */
  residual?(window: ResidualWindow, recent: CategoryDays): Iterable<RecordBatch<TRecord>>;
  /**
   * A consumer that places its windows (usage_costs) keeps per scope what the numbers proved, the
   * prior of the scope's later chunks and of its next sync: `remember` starts a scope from its input
   * cursor's memory, `placementMemory` is the memory now, for the cursor.
   */
  remember?(scopeId: string, memory: PlacementMemory): void;
  placementMemory?(scopeId: string): PlacementMemory | undefined;
}

/** One window of one scope as it is read: its rows as they come, the end of each chunk, and warnings. */
export interface WindowConsumer<TRecord extends object> {
  rows(records: readonly DailyUsage[]): RecordBatch<TRecord> | undefined;
  /** Every row of the chunk has come; `placement` is the reader's placement of exactly those rows, when it made one. */
  chunkEnd(range: DayRange, placement: ChunkPlacement | undefined): Iterable<RecordBatch<TRecord>>;
  warning(message: string): void;
}

/** Records of a window, and the categories each of their days emitted non-zero (the cursor keeps the recent ones). */
export interface RecordBatch<TRecord extends object> {
  records: TRecord[];
  nonZeroCategoriesByDay: ReadonlyMap<Day, ReadonlySet<string>>;
}

/** A window of the subaccounts' residual, from daily totals. */
export interface ResidualWindow {
  /** The main account, which the residual's rows are on. */
  accountSid: string;
  range: DayRange;
  /** The main account's whole bill (IncludeSubaccounts=true) by day, where Twilio sent a total. */
  whole: ReadonlyMap<Day, DailyUsage>;
  /** What the accounts read on their own spent, by day. */
  explained: ReadonlyMap<Day, Decimal>;
}

/**
 * A consumer whose records are another's, each mapped: the same windows, reads, cursors and
 * recent categories, so the two streams always agree. `begin` yields the mapping for one read.
 */
export function projectedConsumer<TFrom extends object, TTo extends object>(source: UsageConsumer<TFrom>, begin: (logger: Logger) => Promise<(record: TFrom) => TTo>): UsageConsumer<TTo> {
  return {
    use: source.use,
    readsRecentCategories: source.readsRecentCategories,
    async begin(logger: Logger): Promise<ConsumerRun<TTo>> {
      const project = await begin(logger);
      const run = await source.begin(logger);
      const projected = (batch: RecordBatch<TFrom>): RecordBatch<TTo> => ({ records: batch.records.map(project), nonZeroCategoriesByDay: batch.nonZeroCategoriesByDay });
      const residual = run.residual?.bind(run);
      const remember = run.remember?.bind(run);
      const placementMemory = run.placementMemory?.bind(run);
      return {
        rowEstimate: (plan, range) => run.rowEstimate(plan, range),
        window(scope, range, recent): WindowConsumer<TTo> {
          const window = run.window(scope, range, recent);
          return {
            rows: (records) => {
              const batch = window.rows(records);
              return batch && projected(batch);
            },
            *chunkEnd(chunk, placement) {
              for (const batch of window.chunkEnd(chunk, placement)) yield projected(batch);
            },
            warning: (message) => window.warning(message),
          };
        },
        ...(residual
          ? {
              *residual(window: ResidualWindow, recent: CategoryDays) {
                for (const batch of residual(window, recent)) yield projected(batch);
              },
            }
          : {}),
        ...(remember ? { remember } : {}),
        ...(placementMemory ? { placementMemory } : {}),
      };
    },
  };
}
