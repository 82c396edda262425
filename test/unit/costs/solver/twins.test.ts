import { expect } from 'chai';

import { bestUnderTwinSwaps, swapped } from '../../../../source-twilio-costs/costs/solver/twins';
import type { Container } from '../../../../source-twilio-costs/costs/solver/types';
import { numbersOf } from './inputs';

describe('costs/solver/twins', () => {
  // calls-outbound's only priced child is calls-text-to-speech: they cost the same every day.
  const numbers = numbersOf(['10', '12', '7'], {
    calls: { prior: null, prices: ['10', '12', '7'], generality: 998 },
    'calls-inbound': { prior: 'calls', prices: ['6', '7', '5'], generality: -2 },
    'calls-outbound': { prior: 'calls', prices: ['4', '5', '2'], generality: -2 },
    'calls-text-to-speech': { prior: 'calls', prices: ['4', '5', '2'], generality: -4 },
    'flex-seat-1': { prior: null, prices: ['0', '0', '0.5'] },
    'flex-seat-2': { prior: null, prices: ['0', '0', '0.5'] },
  });
  const index = (category: string): number => numbers.indexOf(category);

  it('finds the categories with the same prices on every day, the least general name first', () => {
    const { twins } = numbers;
    expect(twins.classes.map((members) => members.map((member) => numbers.categories[member]))).to.have.deep.members([
      ['calls-text-to-speech', 'calls-outbound'],
      ['flex-seat-1', 'flex-seat-2'],
    ]);
    expect(twins.areTwins(index('calls-outbound'), index('calls-text-to-speech'))).to.equal(true);
    expect(twins.areTwins(index('calls-outbound'), index('calls-inbound'))).to.equal(false);
    expect(twins.of(index('calls-outbound')).map((member) => numbers.categories[member])).to.deep.equal(['calls-text-to-speech']);
  });

  it('measures how far a nesting goes against the names', () => {
    const { twins } = numbers;
    expect(twins.againstNames(index('calls-outbound'), index('calls-text-to-speech'))).to.equal(0);
    expect(twins.againstNames(index('calls-text-to-speech'), index('calls-outbound'))).to.equal(2);
    expect(twins.againstNames(index('flex-seat-1'), index('flex-seat-2'))).to.equal(0);
    // Not twins: names do not matter.
    expect(twins.againstNames(index('calls-inbound'), index('calls'))).to.equal(0);
  });

  it('names a move by twin classes, so that a move and its twin swap share a key', () => {
    const { twins } = numbers;
    const key = (category: string, to: Container): string => twins.keyOf(numbers, { categories: [category], from: [null], to: [to] });
    expect(key('flex-seat-1', 'calls')).to.equal(key('flex-seat-2', 'calls'));
    expect(key('flex-seat-1', 'calls')).to.not.equal(key('calls-inbound', 'calls'));
  });

  it("swaps two categories' parents and children", () => {
    const parents = new Map<string, Container>([
      ['calls', null],
      ['calls-outbound', 'calls'],
      ['calls-text-to-speech', 'calls-outbound'],
    ]);
    expect([...swapped(parents, 'calls-outbound', 'calls-text-to-speech')]).to.deep.equal([
      ['calls', null],
      ['calls-outbound', 'calls-text-to-speech'],
      ['calls-text-to-speech', 'calls'],
    ]);
  });

  it('takes the twin swap that moves fewer categories or goes less against the names, and reports the ones as good as ties', () => {
    const prior = new Map<string, Container>([
      ['calls', null],
      ['calls-inbound', 'calls'],
      ['calls-outbound', 'calls'],
      ['calls-text-to-speech', 'calls'],
      ['flex-seat-1', null],
      ['flex-seat-2', null],
    ]);
    const againstNames = new Map(prior).set('calls-outbound', 'calls-text-to-speech');
    const better = bestUnderTwinSwaps(numbers, prior, againstNames);
    expect(better.parents.get('calls-text-to-speech')).to.equal('calls-outbound');
    expect(better.parents.get('calls-outbound')).to.equal('calls');
    expect(better.mirrors).to.deep.equal([]);
    // One seat moved under calls: the other would do as well.
    const seat = new Map(prior).set('flex-seat-1', 'calls');
    const tie = bestUnderTwinSwaps(numbers, prior, seat);
    expect(tie.mirrors.map((mirror) => [mirror.get('flex-seat-1'), mirror.get('flex-seat-2')])).to.deep.equal([[null, 'calls']]);
  });
});
