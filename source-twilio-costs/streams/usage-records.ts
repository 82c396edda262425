import { type Day, daysBetweenInclusive } from '../dates';
import type { UsageRecordsRecord } from '../generated/types';
import type { Logger } from '../protocol/logger';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { type ConsumerRun, type DailyUsage, type DecimalText, isNonZero, type UsageConsumer, type UsageEngine } from '../usage';
import { loadStreamSchema } from './schemas';

/**
 * The JSON number for a decimal Twilio wrote: Number() of a decimal string is the closest double,
 * which JSON prints back as the shortest string for it (exactly what money.ts's decimalToNumber does).
 */
const nullableNumber = (value: DecimalText | null): number | null => (value === null ? null : Number(value));

export function toUsageRecord(record: DailyUsage): UsageRecordsRecord {
  return {
    account_sid: record.accountSid,
    category: record.category,
    description: record.description,
    start_date: record.startDate,
    end_date: record.endDate,
    count: nullableNumber(record.count),
    count_unit: record.countUnit,
    usage: nullableNumber(record.usage),
    usage_unit: record.usageUnit,
    price: nullableNumber(record.price),
    price_unit: record.priceUnit,
    as_of: record.asOf,
    api_version: record.apiVersion,
    uri: record.uri,
  };
}

/** The categories a page's records emitted non-zero, by day (lower-cased, as the cursor keeps them). */
function nonZeroCategoriesByDay(records: readonly DailyUsage[]): Map<Day, Set<string>> {
  const byDay = new Map<Day, Set<string>>();
  for (const record of records) {
    if (!isNonZero(record)) continue;
    const day = byDay.get(record.startDate) ?? new Set<string>();
    day.add(record.categoryKey);
    byDay.set(record.startDate, day);
  }
  return byDay;
}

/**
 * A window's active categories (and recent ones), every day of the window, zeros included, page by
 * page as Twilio sends them.
 */
export class UsageRecordsConsumer implements UsageConsumer<UsageRecordsRecord> {
  readonly use = 'rows';
  readonly readsRecentCategories = true;

  async begin(logger: Logger): Promise<ConsumerRun<UsageRecordsRecord>> {
    return {
      rowEstimate: (plan, range) => plan.needed.size * daysBetweenInclusive(range.from, range.to),
      window: () => ({
        rows: (records) => ({ records: records.map(toUsageRecord), nonZeroCategoriesByDay: nonZeroCategoriesByDay(records) }),
        chunkEnd: () => [],
        warning: (message) => logger.warn(`usage_records: ${message}`),
      }),
    };
  }
}

/** Twilio's daily usage records, as they are, minus the categories with nothing in the window. */
export class UsageRecordsStream implements Stream<UsageRecordsRecord> {
  readonly name = 'usage_records';
  readonly primaryKey = [['account_sid'], ['category'], ['start_date'], ['end_date']];
  readonly cursorField = ['start_date'];
  readonly jsonSchema = loadStreamSchema(this.name);
  readonly consumer = new UsageRecordsConsumer();

  constructor(private readonly usage: UsageEngine) {}

  read(context: StreamReadContext): AsyncIterable<StreamEvent<UsageRecordsRecord>> {
    return this.usage.read(this.name, this.consumer, context);
  }
}
