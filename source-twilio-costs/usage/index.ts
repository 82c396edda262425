/**
 * The usage layer as the streams see it: a reader of daily usage windows (planned, paged, healed
 * and shared through the run's cache) and the incremental sync that drives it per scope and cursor.
 * Everything else under usage/ is how these work.
 */
export { amountOf, isNonZero, type DailyUsage, type DecimalText } from './daily-usage';
export type { ForcedPlan } from './fetch-plan';
export { syncUsageScopes, type WindowBatch, type WindowEvent } from './scope-sync';
export type { UsageScope } from './usage-scope';
export type { RowFields } from './window-cache';
export { describePlan, UsageWindowReader, widerShare, type ShareMode, type ChunkPlacer, type WindowPlan, type WindowReaders } from './window-reader';
