import { daysBetweenInclusive, type Day, type DayRange } from '../dates';
import type { UsageRecordsRecord } from '../generated/types';
import type { Logger } from '../protocol/logger';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import type { TwilioContext } from './context';
import { loadStreamSchema } from './schemas';
import { describePlan, isNonZero, syncUsageScopes, type DailyUsage, type DecimalText, type ShareMode, type UsageScope, type WindowEvent } from '../usage';

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

/** Twilio's daily usage records, as they are, minus the categories with nothing in the window. */
export class UsageRecordsStream implements Stream<UsageRecordsRecord> {
  readonly name = 'usage_records';
  readonly primaryKey = [['account_sid'], ['category'], ['start_date'], ['end_date']];
  readonly cursorField = ['start_date'];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(private readonly twilio: TwilioContext) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent<UsageRecordsRecord>> {
    const scopes = await this.twilio.scopes(context.logger);
    const share = this.twilio.usageWindows.shareFor(context.laterStreams ?? []);
    yield* syncUsageScopes({
      streamName: this.name,
      scopes,
      syncMode: context.syncMode,
      state: context.state,
      config: this.twilio.config,
      logger: context.logger,
      readWindow: (scope, range, recent) => this.readWindow(scope, range, recent, share, context.logger),
    });
  }

  /** A window's active categories (and recent ones), every day of the window, zeros included, page by page. */
  private async *readWindow(scope: UsageScope, range: DayRange, recent: ReadonlySet<string>, share: ShareMode, logger: Logger): AsyncGenerator<WindowEvent<UsageRecordsRecord>> {
    for await (const step of this.twilio.usageWindows.read(scope, range, recent, { share, fields: 'all', holdsChunks: false })) {
      if (step.kind === 'plan') {
        yield { kind: 'planned', rowEstimate: step.plan.needed.size * daysBetweenInclusive(range.from, range.to), plan: describePlan(step.plan) };
        continue;
      }
      if (step.kind === 'warning') {
        logger.warn(`usage_records: ${step.message}`);
        continue;
      }
      if (step.kind === 'chunk-end') continue;
      const nonZeroCategoriesByDay = new Map<Day, Set<string>>();
      for (const record of step.records) {
        if (!isNonZero(record)) continue;
        const day = nonZeroCategoriesByDay.get(record.startDate) ?? new Set<string>();
        day.add(record.categoryKey);
        nonZeroCategoriesByDay.set(record.startDate, day);
      }
      yield { kind: 'batch', records: step.records.map(toUsageRecord), nonZeroCategoriesByDay };
    }
  }
}
