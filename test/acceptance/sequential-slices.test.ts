import { expect } from 'chai';

import { type CountedState, sampleCheckpoints, selectCheckpoints, uniqueCountedStates } from './sequential-slices';

/** States named by their stream_state, with their record counts. */
const states = (...entries: Array<[string, number]>): Array<CountedState<string>> => entries.map(([name, recordCount], index) => ({ message: `${name}#${index}`, streamState: { cursor: name }, recordCount }));

describe('acceptance: CAT’s checkpoint selection for test_read_sequential_slices', () => {
  it('merges identical consecutive states, drops zero counts and expects the records after each', () => {
    const unique = uniqueCountedStates(states(['a', 5], ['a', 3], ['b', 0], ['c', 4], ['d', 2], ['e', 1]));
    expect(unique).to.deep.equal([
      { message: 'a#0', expectedRecords: 7 },
      { message: 'c#3', expectedRecords: 3 },
      { message: 'd#4', expectedRecords: 1 },
      { message: 'e#5', expectedRecords: 0 },
    ]);
    expect(
      sampleCheckpoints(unique).map((state) => state.message),
      'never the first nor the last',
    ).to.deep.equal(['c#3', 'd#4']);
  });

  it('keeps CAT’s quirk: a run of identical states that reaches the end leaves out the last count', () => {
    expect(uniqueCountedStates(states(['x', 2], ['y', 3], ['y', 4]))).to.deep.equal([
      { message: 'x#0', expectedRecords: 3 },
      { message: 'y#1', expectedRecords: 0 },
    ]);
  });

  it('with fewer than three checkpoints resumes only from the last, expecting nothing', () => {
    expect(selectCheckpoints(states(['x', 2], ['y', 3]))).to.deep.equal([{ message: 'y#1', expectedRecords: 0 }]);
    expect(selectCheckpoints(states(['x', 3]))).to.deep.equal([{ message: 'x#0', expectedRecords: 0 }]);
  });

  it('finds nothing to resume from when every count is zero (CAT then fails the stream)', () => {
    expect(selectCheckpoints(states(['x', 0]))).to.deep.equal([]);
    expect(selectCheckpoints(states(['x', 0], ['y', 0], ['z', 0]))).to.deep.equal([]);
  });

  it('samples every (n // 5)-th of many checkpoints', () => {
    const many = states(...Array.from({ length: 12 }, (_, index): [string, number] => [`s${index}`, 1]));
    expect(selectCheckpoints(many)).to.deep.equal([2, 4, 6, 8, 10].map((index) => ({ message: `s${index}#${index}`, expectedRecords: 11 - index })));
  });
});
