/**
 * Exact decimal arithmetic for Twilio's decimal strings ("2192.84855", "-0.5", "0").
 *
 * Values are held as bigint counts of nano-units (10^-9). Twilio sends at most 5 decimal places,
 * so every value it sends is exact here, and sums of any number of them stay exact. Floats are used
 * only at the very end, to print a JSON number from the exact decimal string.
 */
export type Decimal = bigint;

export const DECIMAL_SCALE = 9;
const SCALE_FACTOR = 10n ** BigInt(DECIMAL_SCALE);
const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

export class DecimalFormatError extends Error {
  constructor(readonly input: string) {
    super(`not a decimal number: ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`);
    this.name = 'DecimalFormatError';
  }
}

/** Parses a decimal string exactly. Throws DecimalFormatError on anything else (or > 9 places). */
export function parseDecimal(input: string): Decimal {
  const text = input.trim();
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw new DecimalFormatError(input);
  const sign = match[1] ?? match[4] ?? '+';
  const whole = match[2] ?? '0';
  const fraction = match[3] ?? match[5] ?? '';
  if (fraction.length > DECIMAL_SCALE) throw new DecimalFormatError(input);
  const units = BigInt(whole) * SCALE_FACTOR + BigInt(fraction.padEnd(DECIMAL_SCALE, '0') || '0');
  return sign === '-' ? -units : units;
}

/** The shortest exact decimal string: 1234500000n → "1.2345", -500000000n → "-0.5". */
export function formatDecimal(value: Decimal): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const whole = magnitude / SCALE_FACTOR;
  const fraction = (magnitude % SCALE_FACTOR).toString().padStart(DECIMAL_SCALE, '0').replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && magnitude !== 0n ? `-${text}` : text;
}

/**
 * The JSON number for an exact decimal. Number() of a decimal string with at most 17 significant
 * digits is the closest double, and JSON.stringify prints that double back as the same shortest
 * string, so "2192.84855" is emitted as 2192.84855 with no float error.
 */
export function decimalToNumber(value: Decimal): number {
  return Number(formatDecimal(value));
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}
