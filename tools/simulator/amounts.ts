/**
 * The simulator's exact money and quantities. It plays Twilio, so it keeps its own arithmetic rather
 * than borrowing the connector's: an amount is a bigint count of nano-units (10^-9 of a unit or of
 * the currency). Everything the simulator makes is a whole number of price steps (10^-5, Twilio's
 * price precision) or of usage hundredths, so sums of any length stay exact and no float touches
 * money.
 */
export type Nanos = bigint;

export const NANOS_PER_UNIT: Nanos = 1_000_000_000n;
/** Twilio prices carry 5 decimal places: one step of 10^-5 is 10^4 nano-units. */
export const NANOS_PER_PRICE_STEP: Nanos = 10_000n;
export const NANOS_PER_CENT: Nanos = 10_000_000n;

const PRICE_STEPS_PER_UNIT = 100_000n;
const UNIT_PRICE = /^(\d+)(?:\.(\d{1,5}))?$/;

/** A truth-model unit price ("0.0079", "1.15") as a whole number of 10^-5 steps. */
export function priceStepsOf(unitPrice: string): bigint {
  const match = UNIT_PRICE.exec(unitPrice);
  if (!match) throw new Error(`a unit price is a non-negative decimal with at most 5 places, got ${JSON.stringify(unitPrice)}`);
  const [, whole = '0', fraction = ''] = match;
  return BigInt(whole) * PRICE_STEPS_PER_UNIT + BigInt(fraction.padEnd(5, '0'));
}

/** The shortest exact decimal string of an amount: 1_234_500_000n → "1.2345", -500_000_000n → "-0.5". */
export function formatNanos(value: Nanos): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(10, '0');
  const fraction = digits.slice(-9).replace(/0+$/, '');
  const whole = digits.slice(0, -9);
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}
