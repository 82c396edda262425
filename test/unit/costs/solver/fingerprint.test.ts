import { expect } from 'chai';
import fc from 'fast-check';

import { dayWeights, fingerprintOfNumbers, mod } from '../../../../source-twilio-costs/costs/solver/fingerprint';

/** Whole numbers whose sums and differences stay exact in a double. */
const vectors = (days: number) => fc.array(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), { minLength: days, maxLength: days });

describe('costs/solver/fingerprint', () => {
  it('is linear: the fingerprint of a sum or a difference is the sum or difference of the fingerprints', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((days) => fc.tuple(vectors(days), vectors(days))),
        ([a, b]) => {
          const weights = dayWeights(a.length);
          const sum = a.map((value, day) => value + (b[day] ?? 0));
          const difference = a.map((value, day) => value - (b[day] ?? 0));
          expect(fingerprintOfNumbers(sum, weights)).to.equal(mod(fingerprintOfNumbers(a, weights) + fingerprintOfNumbers(b, weights)));
          expect(fingerprintOfNumbers(difference, weights)).to.equal(mod(fingerprintOfNumbers(a, weights) - fingerprintOfNumbers(b, weights)));
        },
      ),
    );
  });

  it('tells apart vectors that differ on one day, and weighs each day with a fixed weight in [1, 2^20)', () => {
    const weights = dayWeights(365);
    expect(dayWeights(365)).to.deep.equal(weights);
    for (const weight of weights) expect(weight).to.be.within(1, 2 ** 20 - 1);
    const base = Array.from({ length: 365 }, (_, day) => day * 100_000);
    const prints = new Set([fingerprintOfNumbers(base, weights)]);
    for (let day = 0; day < 365; day++)
      prints.add(
        fingerprintOfNumbers(
          base.map((value, other) => (other === day ? value + 1 : value)),
          weights,
        ),
      );
    expect(prints.size).to.equal(366);
  });

  it('mod is always in [0, modulus)', () => {
    expect(mod(-1)).to.be.greaterThan(0);
    expect(mod(mod(-1) + 1)).to.equal(0);
  });
});
