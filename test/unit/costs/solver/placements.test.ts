import { expect } from 'chai';

import { acyclic, changesFrom, movesBetween, priorParents, signatureOf } from '../../../../source-twilio-costs/costs/solver/placements';
import type { Container } from '../../../../source-twilio-costs/costs/solver/types';
import { solverInput } from './inputs';

describe('costs/solver/placements', () => {
  const before = new Map<string, Container>([
    ['a', null],
    ['b', 'a'],
    ['c', 'a'],
  ]);
  const after = new Map<string, Container>([
    ['c', null],
    ['a', null],
    ['b', 'c'],
  ]);

  it('movesBetween lists every category whose parent differs, in name order', () => {
    expect(movesBetween(before, after)).to.deep.equal({ categories: ['b', 'c'], from: ['a', 'a'], to: ['c', null] });
    expect(movesBetween(before, before).categories).to.deep.equal([]);
  });

  it('changesFrom keeps what differs from the prior, and priorParents reads the prior of every node', () => {
    expect([...changesFrom(before, after)]).to.deep.equal([
      ['c', null],
      ['b', 'c'],
    ]);
    const input = solverInput(['1'], { a: { prior: null, prices: ['1'] }, b: { prior: 'a', prices: ['1'] } });
    expect([...priorParents(input)]).to.deep.equal([
      ['a', null],
      ['b', 'a'],
    ]);
  });

  it('signatureOf does not depend on the order of the map', () => {
    const reordered = new Map([...before].reverse());
    expect(signatureOf(reordered)).to.equal(signatureOf(before));
    expect(signatureOf(before)).to.equal('a>|b>a|c>a');
    expect(signatureOf(after)).to.not.equal(signatureOf(before));
  });

  it('acyclic finds a member whose parents lead back to itself', () => {
    const cyclic = new Map<string, Container>([
      ['a', 'b'],
      ['b', 'a'],
      ['c', null],
    ]);
    expect(acyclic((category) => cyclic.get(category) ?? null, ['c'], 3)).to.equal(true);
    expect(acyclic((category) => cyclic.get(category) ?? null, ['a'], 3)).to.equal(false);
    expect(acyclic((category) => after.get(category) ?? null, ['a', 'b', 'c'], 3)).to.equal(true);
  });
});
