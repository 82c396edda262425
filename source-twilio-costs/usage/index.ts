/**
 * The usage layer as the streams see it: the engine that reads every usage stream (windows planned,
 * paged, healed and kept for the streams after, per scope and cursor), and what a stream's consumer
 * of those windows is. Everything else under usage/ is how these work.
 */
export type { CategoryDays } from './category-days';
export { type ConsumerRun, projectedConsumer, type RecordBatch, type ResidualWindow, type UsageConsumer, type WindowConsumer } from './consumer';
export { amountOf, type DailyUsage, type DecimalText, isNonZero } from './daily-usage';
export { UsageEngine } from './engine';
export type { ForcedPlan } from './fetch-plan';
export type { UsageScope } from './usage-scope';
export { type ChunkPlacement, type Placer, UsageWindowReader, type WindowPlan } from './window-reader';
