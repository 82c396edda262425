import type { Day, DayRange } from '../dates';
import { DecimalFormatError, parseDecimal, type Decimal } from '../money';
import { SystemError } from '../protocol/errors';
import type { TwilioClient } from '../twilio/client';
import { dailyUsage, type UsageRecordWire } from '../twilio/resources';
import type { UsageScope } from './usage-sync';

/** A daily usage record with exact numbers. `categoryKey` is the lower-cased category. */
export interface DailyUsage {
  accountSid: string;
  category: string;
  categoryKey: string;
  description: string | null;
  startDate: Day;
  endDate: Day;
  count: Decimal | null;
  countUnit: string | null;
  usage: Decimal | null;
  usageUnit: string | null;
  price: Decimal | null;
  /** ISO 4217, upper-case (Twilio writes "usd"). */
  priceUnit: string | null;
  asOf: string | null;
  apiVersion: string | null;
  uri: string | null;
}

export const TOTAL_PRICE_CATEGORY = 'totalprice';

function decimalField(wire: UsageRecordWire, field: 'count' | 'usage' | 'price'): Decimal | null {
  const value = wire[field];
  if (value === null || value === undefined || value === '') return null;
  try {
    return parseDecimal(String(value));
  } catch (error) {
    if (error instanceof DecimalFormatError) {
      throw new SystemError(`Twilio sent a usage record whose ${field} is not a number (category ${wire.category ?? '?'}, ${wire.start_date ?? '?'}).`, error.message);
    }
    throw error;
  }
}

function textField(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : value;
}

export function parseDailyUsage(wire: UsageRecordWire, fallbackAccountSid: string): DailyUsage {
  const category = wire.category;
  const startDate = wire.start_date;
  if (typeof category !== 'string' || category === '' || typeof startDate !== 'string') {
    throw new SystemError('Twilio sent a usage record without a category or start_date.');
  }
  return {
    accountSid: wire.account_sid ?? fallbackAccountSid,
    category,
    categoryKey: category.toLowerCase(),
    description: textField(wire.description),
    startDate,
    endDate: wire.end_date ?? startDate,
    count: decimalField(wire, 'count'),
    countUnit: textField(wire.count_unit),
    usage: decimalField(wire, 'usage'),
    usageUnit: textField(wire.usage_unit),
    price: decimalField(wire, 'price'),
    priceUnit: wire.price_unit ? wire.price_unit.toUpperCase() : null,
    asOf: textField(wire.as_of),
    apiVersion: textField(wire.api_version),
    uri: textField(wire.uri),
  };
}

export function isNonZero(record: DailyUsage): boolean {
  return (record.count !== null && record.count !== 0n) || (record.usage !== null && record.usage !== 0n) || (record.price !== null && record.price !== 0n);
}

/**
 * Reads a scope's daily usage over a window and keeps the categories that matter: those with any
 * count, usage or price in the window (Twilio lists ~650 categories a day, nearly all zero), plus
 * `keep` (categories the previous sync emitted non-zero, which must be overwritten if restated).
 * A kept category keeps its zero days, so a day restated to zero overwrites its old row.
 */
export async function readActiveDailyUsage(
  client: TwilioClient,
  scope: UsageScope,
  range: DayRange,
  keep: ReadonlySet<string>,
  category?: string,
): Promise<DailyUsage[]> {
  const byCategory = new Map<string, DailyUsage[]>();
  const active = new Set<string>(keep);
  for await (const page of dailyUsage(client, { accountSid: scope.accountSid, range, includeSubaccounts: scope.includeSubaccounts, category })) {
    for (const wire of page) {
      const record = parseDailyUsage(wire, scope.accountSid);
      if (record.startDate < range.from || record.startDate > range.to) continue;
      if (isNonZero(record)) active.add(record.categoryKey);
      const list = byCategory.get(record.categoryKey);
      if (list) list.push(record);
      else byCategory.set(record.categoryKey, [record]);
    }
  }
  const kept: DailyUsage[] = [];
  for (const [key, records] of byCategory) if (active.has(key)) kept.push(...records);
  return kept;
}
