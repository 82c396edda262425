/** How the report writes amounts, shares and dates. Amounts stay exact: formatting never rounds money. */
import type { Day } from '../dates';
import { type Decimal, formatDecimal } from '../money';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Twilio prices to five decimal places: tables show that many, so their columns line up. */
export const TWILIO_DECIMALS = 5;

/**
 * An exact amount as people read it: thousands grouped, at least `minimumDecimals` decimals, and
 * every decimal it has ("1,690.66", "-0.00125"). Nothing is rounded.
 */
export function formatAmount(value: Decimal, minimumDecimals = 2): string {
  const [whole = '0', fraction = ''] = formatDecimal(value).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(minimumDecimals, '0')}`;
}

/** `numerator / denominator` to `places` decimal places, rounded half away from zero, as text ("12.3"). */
function quotient(numerator: bigint, denominator: bigint, places: number): string {
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const scale = 10n ** BigInt(places);
  const top = (numerator < 0n ? -numerator : numerator) * scale;
  const bottom = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * top + bottom) / (2n * bottom);
  return `${negative ? '-' : ''}${rounded / scale}.${(rounded % scale).toString().padStart(places, '0')}`;
}

/** A part's share of a whole, in per cent to one decimal ("12.3 %"); a dash when the whole is zero. */
export function formatShare(part: Decimal, whole: Decimal): string {
  return whole === 0n ? '–' : `${quotient(part * 100n, whole, 1)} %`;
}

/** How many times `usual` an amount is ("3.05×"), or that it rose from nothing. */
export function formatMultiple(amount: Decimal, usual: Decimal): string {
  return usual <= 0n ? 'from nothing' : `${quotient(amount, usual, 2)}×`;
}

/** "2026-10-01" as "1 Oct 2026". */
export function formatDay(day: Day): string {
  const [year, month, dayOfMonth] = day.split('-');
  return `${Number(dayOfMonth)} ${MONTH_NAMES[Number(month) - 1] ?? month} ${year}`;
}

/** "2026-10" as "Oct 2026". */
export function formatMonth(month: string): string {
  const [year, number] = month.split('-');
  return `${MONTH_NAMES[Number(number) - 1] ?? number} ${year}`;
}

/** A count with thousands grouped ("1,234"). */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
