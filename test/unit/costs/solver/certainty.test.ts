import { expect } from 'chai';
import { judgeMoves } from '../../../../source-twilio-costs/costs/solver/certainty';
import type { Container, SolverInput } from '../../../../source-twilio-costs/costs/solver/types';
import { solverInput } from './inputs';

const prior = (entries: Record<string, Container>): Map<string, Container> => new Map(Object.entries(entries));

describe('costs/solver/certainty', () => {
  /** The same categories under other totalprices: whether the top level fits depends on them. */
  const withTotals = (anchor: readonly string[]): SolverInput =>
    solverInput(anchor, {
      sms: { prior: null, prices: ['10', '12', '8'] },
      'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
      'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
      'sms-messages-carrierfees': { prior: 'sms', prices: ['1.5', '1', '1'] },
      lookups: { prior: null, prices: ['1', '1', '1'] },
      'carrier-lookups': { prior: null, prices: ['1', '1', '1'] },
    });
  const input = withTotals(['12.5', '14', '10']);
  const start = prior({ sms: null, 'sms-inbound': 'sms', 'sms-outbound': 'sms', 'sms-messages-carrierfees': 'sms', lookups: null, 'carrier-lookups': null });

  it('proves a move when every rollup it touches fits on every day and the top level fits better with it', () => {
    const parents = new Map(start).set('sms-messages-carrierfees', null).set('carrier-lookups', 'lookups');
    expect(judgeMoves(input, start, parents)).to.deep.equal({ proven: ['sms-messages-carrierfees', 'carrier-lookups'], unproven: [] });
  });

  it('does not prove a move into a rollup that then misfits, nor one to the top level that fits no better with it', () => {
    // The fee under lookups: lookups over-sums. carrier-lookups to the top level: the top level now
    // counts lookups twice, and fits on none of its days either way.
    const parents = new Map(start).set('sms-messages-carrierfees', 'lookups');
    expect(judgeMoves(input, start, parents)).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees'] });
    const atTop = new Map(start).set('sms-messages-carrierfees', null);
    const withoutLookups = withTotals(['13.5', '15', '11']);
    expect(judgeMoves(withoutLookups, start, atTop)).to.deep.equal({ proven: ['sms-messages-carrierfees'], unproven: [] });
    // carrier-lookups under lookups leaves the top level short of it: neither move makes the top level fit better.
    const leftTop = new Map(start).set('sms-messages-carrierfees', null).set('carrier-lookups', 'lookups');
    expect(judgeMoves(withoutLookups, start, leftTop)).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees', 'carrier-lookups'] });
  });
});
