import type { Day, DayRange } from '../dates';
import { type Decimal, DecimalFormatError, formatDecimal, parseDecimal } from '../money';
import { SystemError } from '../protocol/errors';
import type { UsageRecordWire } from '../twilio/resources';

/**
 * A decimal number as Twilio wrote it, checked to be one: exact, and read as a Decimal only where
 * money is added up (usage_records prints it as is).
 */
export type DecimalText = string;

/** A daily usage record. `categoryKey` is the lower-cased category. */
export interface DailyUsage {
  accountSid: string;
  category: string;
  categoryKey: string;
  description: string | null;
  startDate: Day;
  endDate: Day;
  count: DecimalText | null;
  countUnit: string | null;
  usage: DecimalText | null;
  usageUnit: string | null;
  price: DecimalText | null;
  /** ISO 4217, upper-case (Twilio writes "usd"). */
  priceUnit: string | null;
  asOf: string | null;
  apiVersion: string | null;
  uri: string | null;
}

/** The plain decimals Twilio sends ("0", "1412", "14.73550", "-3.5"), of any length: no need to parse them to check them. */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const ZERO_TEXT = /^[+-]?(0+\.?0*|\.0+)$/;

function decimalField(wire: UsageRecordWire, field: 'count' | 'usage' | 'price'): DecimalText | null {
  const value = wire[field];
  if (value === null || value === undefined || value === '') return null;
  const text = String(value);
  if (PLAIN_DECIMAL.test(text)) return text;
  try {
    // Anything else that is still a decimal (" +5", ".5", "1e-7") is written the plain way.
    return formatDecimal(parseDecimal(text));
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

const isNonZeroText = (text: DecimalText | null): boolean => text !== null && !ZERO_TEXT.test(text);

/** Whether a wire record has any count, usage or price. */
export function hasAmount(wire: UsageRecordWire): boolean {
  return isNonZeroText(decimalField(wire, 'count')) || isNonZeroText(decimalField(wire, 'usage')) || isNonZeroText(decimalField(wire, 'price'));
}

export function isNonZero(record: DailyUsage): boolean {
  return isNonZeroText(record.count) || isNonZeroText(record.usage) || isNonZeroText(record.price);
}

/** An amount as an exact Decimal, for sums. */
export function amountOf(text: DecimalText | null): Decimal | null {
  return text === null ? null : parseDecimal(text);
}

/** Whether a record is dated within a range (Twilio sometimes sends rows outside the asked days). */
export const isWithin = (record: DailyUsage, range: DayRange): boolean => record.startDate >= range.from && record.startDate <= range.to;
