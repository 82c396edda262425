import type { UsageRecordsRecord } from '../generated/types';
import { decimalToNumber, type Decimal } from '../money';
import type { JsonObject } from '../protocol/messages';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import type { TwilioContext } from './context';
import { loadStreamSchema } from './schemas';
import { isNonZero, readActiveDailyUsage, type DailyUsage } from './usage-window';
import { syncUsageScopes, type WindowOutput } from './usage-sync';

const nullableNumber = (value: Decimal | null): number | null => (value === null ? null : decimalToNumber(value));

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

/** Twilio's daily usage records, as they are, minus the categories with nothing in the window. */
export class UsageRecordsStream implements Stream {
  readonly name = 'usage_records';
  readonly primaryKey = [['account_sid'], ['category'], ['start_date'], ['end_date']];
  readonly cursorField = ['start_date'];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(private readonly twilio: TwilioContext) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent> {
    const scopes = await this.twilio.scopes(context.logger);
    yield* syncUsageScopes({
      streamName: this.name,
      scopes,
      syncMode: context.syncMode,
      state: context.state,
      config: this.twilio.config,
      logger: context.logger,
      readWindow: async (scope, range, recent): Promise<WindowOutput> => {
        const records = await readActiveDailyUsage(this.twilio.client, scope, range, recent);
        const nonZeroCategoriesByDay = new Map<string, Set<string>>();
        for (const record of records) {
          if (!isNonZero(record)) continue;
          const day = nonZeroCategoriesByDay.get(record.startDate) ?? new Set<string>();
          day.add(record.categoryKey);
          nonZeroCategoriesByDay.set(record.startDate, day);
        }
        return { records: records.map((record) => toUsageRecord(record) as JsonObject), nonZeroCategoriesByDay };
      },
    });
  }
}
