/**
 * The usage layer as the streams see it: the engine that reads every usage stream (windows planned,
 * paged, healed and kept for the streams after, per scope and cursor), and what a stream's consumer
 * of those windows is. Everything else under usage/ is how these work.
 */
export type { CategoryDays } from './category-days';
export { amountOf, isNonZero, type DailyUsage, type DecimalText } from './daily-usage';
export type { ForcedPlan } from './fetch-plan';
export { projectedConsumer, type ConsumerRun, type RecordBatch, type ResidualWindow, type UsageConsumer, type WindowConsumer } from './consumer';
export { UsageEngine } from './engine';
export type { UsageScope } from './usage-scope';
export { UsageWindowReader, type WindowPlan } from './window-reader';
