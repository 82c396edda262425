/**
 * Exact decimal arithmetic for Twilio's decimal strings ("2192.84855", "-0.5", "0", "1e-7").
 *
 * Values are held as bigint counts of 10^-30 units. Twilio sends 5 decimal places, sometimes more,
 * sometimes in exponent notation; every value with up to 30 places is exact here, and sums of any
 * number of them stay exact. Floats are used only at the very end, to print a JSON number from the
 * exact decimal string.
 */
export type Decimal = bigint;

export const DECIMAL_SCALE = 30;
const SCALE_FACTOR = 10n ** BigInt(DECIMAL_SCALE);
const DECIMAL_PATTERN = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

export class DecimalFormatError extends Error {
  constructor(readonly input: string) {
    super(`not a decimal number with at most ${DECIMAL_SCALE} decimal places: ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`);
    this.name = 'DecimalFormatError';
  }
}

/** Parses a decimal string exactly, exponent notation included. Throws DecimalFormatError on anything else (or finer than 10^-30). */
export function parseDecimal(input: string): Decimal {
  const text = input.trim();
  const match = DECIMAL_PATTERN.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole + fraction === '') throw new DecimalFormatError(input);
  // digits × 10^(exponent − fraction length), as a whole number of 10^-30 units.
  const shift = Number(match[4] ?? '0') - fraction.length + DECIMAL_SCALE;
  const digits = BigInt(whole + fraction || '0');
  let units: bigint;
  if (shift >= 0) {
    units = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    if (digits % divisor !== 0n) throw new DecimalFormatError(input);
    units = digits / divisor;
  }
  return match[1] === '-' ? -units : units;
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
 * The JSON number for an exact decimal. Number() of a decimal string with at most 15 significant
 * digits is the closest double, and JSON.stringify prints that double back as the same shortest
 * string, so "2192.84855" is emitted as 2192.84855 with no float error (more digits than 15 may
 * come back as another nearest-double string; Twilio's prices have 5 places).
 */
export function decimalToNumber(value: Decimal): number {
  return Number(formatDecimal(value));
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}
