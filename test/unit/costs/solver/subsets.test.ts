import { expect } from 'chai';
import fc from 'fast-check';

import { mod } from '../../../../source-twilio-costs/costs/solver/fingerprint';
import { forEachSet, forEachSubset, hasSubsetSumming, largestSubset, setsUpTo } from '../../../../source-twilio-costs/costs/solver/subsets';

describe('costs/solver/subsets', () => {
  it('hasSubsetSumming finds a set of 1 to the given size adding up to the target exactly, credits included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 200 }), { maxLength: 8 }), fc.integer({ min: -100, max: 600 }), fc.integer({ min: 1, max: 5 }), (values, target, largest) => {
        let expected = false;
        for (let mask = 1; mask < 1 << values.length; mask++) {
          const picked = values.filter((_, index) => (mask & (1 << index)) !== 0);
          if (picked.length <= largest && picked.reduce((sum, value) => sum + value, 0) === target) expected = true;
        }
        expect(hasSubsetSumming(values, target, largest), `${values.join(',')} → ${target} in ${largest}`).to.equal(expected);
      }),
    );
    // The largest size bounds it: 1 + 2 + 3 needs three.
    expect(hasSubsetSumming([1, 2, 3], 6, 2)).to.equal(false);
    expect(hasSubsetSumming([1, 2, 3], 6, 3)).to.equal(true);
  });

  it('forEachSubset visits every subset of at most the given size once, with the sum of its fingerprints', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2_000_000_000 }), { maxLength: 7 }), fc.nat({ max: 7 }), (prints, largest) => {
        const seen = new Map<string, number>();
        forEachSubset(prints, largest, (print, picked) => {
          const key = picked.join(',');
          expect(seen.has(key), key).to.equal(false);
          seen.set(key, print);
        });
        // Brute force: every non-empty bit mask with at most `largest` bits.
        const expected = new Map<string, number>();
        for (let mask = 1; mask < 1 << prints.length; mask++) {
          const picked = prints.map((_, index) => index).filter((index) => (mask & (1 << index)) !== 0);
          if (picked.length > largest) continue;
          expected.set(
            picked.join(','),
            picked.reduce((sum, index) => mod(sum + (prints[index] ?? 0)), 0),
          );
        }
        expect(new Map([...seen].sort())).to.deep.equal(new Map([...expected].sort()));
      }),
    );
  });

  it('forEachSet visits the sets of one size in order, and stops when asked', () => {
    const sets: string[] = [];
    forEachSet(4, 2, (picked) => {
      sets.push(picked.join(''));
      return true;
    });
    expect(sets).to.deep.equal(['01', '02', '03', '12', '13', '23']);
    const firstThree: string[] = [];
    forEachSet(5, 3, (picked) => {
      firstThree.push(picked.join(''));
      return firstThree.length < 3;
    });
    expect(firstThree).to.deep.equal(['012', '013', '014']);
  });

  it('setsUpTo counts the sets forEachSet visits, of every size up to the largest', () => {
    for (const [count, largest] of [
      [0, 4],
      [3, 4],
      [7, 2],
      [9, 4],
    ] as const) {
      let visited = 0;
      for (let size = 1; size <= Math.min(largest, count); size++)
        forEachSet(count, size, () => {
          visited += 1;
          return true;
        });
      expect(setsUpTo(count, largest), `${count}, ${largest}`).to.equal(visited);
    }
    // C(57,1) + … + C(57,4): more than the exact search's 300,000 sets.
    expect(setsUpTo(57, 4)).to.equal(425_923);
  });

  it('largestSubset keeps the enumeration of one container within its budget, up to sets of six', () => {
    expect(largestSubset(0)).to.equal(0);
    expect(largestSubset(5)).to.equal(5);
    expect(largestSubset(10)).to.equal(6);
    // C(150,1) + C(150,2) = 11,325 subsets; with sets of 3 it would be 562,625, beyond 200,000.
    expect(largestSubset(150)).to.equal(2);
    const count = (n: number, k: number): number => (k === 0 ? 1 : (count(n, k - 1) * (n - k + 1)) / k);
    for (const n of [20, 40, 80, 400]) {
      const size = largestSubset(n);
      let total = 0;
      for (let k = 1; k <= size; k++) total += count(n, k);
      expect(total, `${n}`).to.be.at.most(200_000);
    }
  });
});
