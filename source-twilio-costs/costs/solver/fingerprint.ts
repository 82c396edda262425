/**
 * Linear fingerprints of daily vectors: Σ weight(day) × value(day) modulo a prime. Equal vectors
 * have equal fingerprints and the fingerprint of a sum is the sum of the fingerprints, so a set of
 * categories that adds up to what a container lacks is found by adding numbers, not vectors. Two
 * different vectors share one only by a coincidence the exact check afterwards catches.
 */

/** Fingerprint modulus (a prime below 2^31) and per-day weights below 2^20: products stay exact in a double. */
const MODULUS = 2_147_483_629;

export function mod(value: number): number {
  const rest = value % MODULUS;
  return rest < 0 ? rest + MODULUS : rest;
}

/** Deterministic pseudo-random weights in [1, 2^20), one per day. */
export function dayWeights(dayCount: number): number[] {
  const weights: number[] = [];
  let state = 0x2545f491;
  for (let day = 0; day < dayCount; day++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    weights.push(((state >>> 0) % 0xfffff) + 1);
  }
  return weights;
}

/** The fingerprint of a daily vector of whole numbers (below 2^53 in magnitude) under the given day weights. */
export function fingerprintOfNumbers(values: ArrayLike<number>, weights: readonly number[]): number {
  let print = 0;
  for (let day = 0; day < weights.length; day++) {
    const value = values[day] ?? 0;
    if (value === 0) continue;
    print = (print + ((mod(value) * (weights[day] ?? 1)) % MODULUS)) % MODULUS;
  }
  return print;
}
