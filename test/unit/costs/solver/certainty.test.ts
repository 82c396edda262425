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
    expect(judgeMoves(input, start, parents)).to.deep.equal({ proven: ['sms-messages-carrierfees', 'carrier-lookups'], unproven: [], unsupported: [] });
  });

  it('does not prove a move into a rollup that then misfits, nor one to the top level that fits no better with it', () => {
    // The fee under lookups: lookups over-sums. carrier-lookups to the top level: the top level now
    // counts lookups twice, and fits on none of its days either way.
    const parents = new Map(start).set('sms-messages-carrierfees', 'lookups');
    expect(judgeMoves(input, start, parents)).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees'], unsupported: [] });
    const atTop = new Map(start).set('sms-messages-carrierfees', null);
    const withoutLookups = withTotals(['13.5', '15', '11']);
    expect(judgeMoves(withoutLookups, start, atTop)).to.deep.equal({ proven: ['sms-messages-carrierfees'], unproven: [], unsupported: [] });
    // carrier-lookups under lookups leaves the top level short of it, so it fits better without
    // that move. The fee's move stands on sms, which sums exactly without it beside both its
    // children every day, whatever the top level does.
    const leftTop = new Map(start).set('sms-messages-carrierfees', null).set('carrier-lookups', 'lookups');
    expect(judgeMoves(withoutLookups, start, leftTop)).to.deep.equal({ proven: ['sms-messages-carrierfees'], unproven: ['carrier-lookups'], unsupported: [] });
  });

  it('proves a move to the top level by the rollup it leaves, which keeps priced children and fits without it, where the top level holds cost in no category', () => {
    // totalprice is 0.3 above the categories every day: the top level never fits.
    const atTop = new Map(start).set('sms-messages-carrierfees', null);
    expect(judgeMoves(withTotals(['13.8', '15.3', '11.3']), start, atTop)).to.deep.equal({ proven: ['sms-messages-carrierfees'], unproven: [], unsupported: [] });
    // One day is not enough: a fee priced on one day only is not proven so.
    const oneDay = solverInput(['12.3', '12.3', '8.3'], {
      sms: { prior: null, prices: ['10', '12', '8'] },
      'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
      'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
      'sms-messages-carrierfees': { prior: 'sms', prices: ['2', '0', '0'] },
    });
    const smsStart = prior({ sms: null, 'sms-inbound': 'sms', 'sms-outbound': 'sms', 'sms-messages-carrierfees': 'sms' });
    expect(judgeMoves(oneDay, smsStart, new Map(smsStart).set('sms-messages-carrierfees', null))).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees'], unsupported: [] });
    // Nor where the top level, which fits every day without it, is off by its price with it.
    expect(judgeMoves(withTotals(['12', '14', '10']), start, atTop)).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees'], unsupported: [] });
  });

  it('does not prove a move by a rollup that fits only because a move the numbers do not prove changed it', () => {
    // sms-outbound, named under mms, makes sms fit once it joins, but only with the carrier fee gone
    // to the top level, which that overfills by the fee every day: the fee's move is unproven, and
    // so is the one resting on it. With the fee kept where it is, sms misfits and proves nothing.
    const categories = {
      sms: { prior: null, prices: ['10', '12', '8'] },
      'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
      'sms-messages-carrierfees': { prior: 'sms', prices: ['1', '1', '1'] },
      mms: { prior: null, prices: ['2', '2', '2'] },
      'mms-outbound': { prior: 'mms', prices: ['2', '2', '2'] },
      'sms-outbound': { prior: 'mms', prices: ['6', '7', '5'] },
    };
    const named = prior({ sms: null, 'sms-inbound': 'sms', 'sms-messages-carrierfees': 'sms', mms: null, 'mms-outbound': 'mms', 'sms-outbound': 'mms' });
    const resting = new Map(named).set('sms-outbound', 'sms').set('sms-messages-carrierfees', null);
    expect(judgeMoves(solverInput(['12', '14', '10'], categories), named, resting)).to.deep.equal({ proven: [], unproven: ['sms-messages-carrierfees', 'sms-outbound'], unsupported: [] });
    // Where the top level holds the fee in no category, the fee's move is proven, and so the other.
    expect(judgeMoves(solverInput(['13', '15', '11'], categories), named, resting)).to.deep.equal({ proven: ['sms-messages-carrierfees', 'sms-outbound'], unproven: [], unsupported: [] });
  });

  describe('a move that empties the rollup it leaves', () => {
    /** pv with children priced as given, the top level holding pv and cost in no category. */
    const video = (pv: readonly string[], children: Readonly<Record<string, readonly string[]>>, anchor: readonly string[]): SolverInput =>
      solverInput(anchor, { pv: { prior: null, prices: pv }, ...Object.fromEntries(Object.entries(children).map(([category, prices]) => [category, { prior: 'pv', prices }])) });
    const videoStart = prior({ pv: null, 'group-rooms': 'pv', 'video-recordings': 'pv' });
    const emptied = prior({ pv: null, 'group-rooms': null, 'video-recordings': null });

    it('is unsupported when the top level it joins is off by more with it: pv fits only because nothing checks it', () => {
      // pv holds 3 of its own on day 1; the top level holds 1 and 2 in no category.
      const input = video(['10', '6'], { 'group-rooms': ['2', '4'], 'video-recordings': ['5', '2'] }, ['11', '8']);
      expect(judgeMoves(input, videoStart, emptied)).to.deep.equal({ proven: [], unproven: ['group-rooms', 'video-recordings'], unsupported: ['group-rooms', 'video-recordings'] });
    });

    it('is neither proven nor made when the rollup it empties is then cancelled where it sits: counted twice', () => {
      // video-recordings truly sits in pv with its two children, but starts at the top level. Its
      // children moved into pv make pv fit exactly, and leave video-recordings a leaf that the top
      // level, off by minus its price every day, cancels.
      const input = solverInput(['10', '12', '9'], {
        pv: { prior: null, prices: ['10', '12', '9'] },
        'group-rooms': { prior: 'pv', prices: ['4', '5', '3'] },
        'video-recordings': { prior: null, prices: ['6', '7', '6'] },
        'pv-composition-minutes': { prior: 'video-recordings', prices: ['2', '3', '1'] },
        'pv-recording-compositions': { prior: 'video-recordings', prices: ['4', '4', '5'] },
      });
      const named = prior({ pv: null, 'group-rooms': 'pv', 'video-recordings': null, 'pv-composition-minutes': 'video-recordings', 'pv-recording-compositions': 'video-recordings' });
      const intoPv = new Map(named).set('pv-composition-minutes', 'pv').set('pv-recording-compositions', 'pv');
      expect(judgeMoves(input, named, intoPv)).to.deep.equal({ proven: [], unproven: ['pv-composition-minutes', 'pv-recording-compositions'], unsupported: ['pv-composition-minutes', 'pv-recording-compositions'] });
      // video-recordings adopted by pv instead: proven.
      expect(judgeMoves(input, named, new Map(named).set('video-recordings', 'pv'))).to.deep.equal({ proven: ['video-recordings'], unproven: [], unsupported: [] });
    });

    it('is unsupported when the rollup summed exactly with it and the top level it joins is only closer, still off on the same days', () => {
      // recordings is its only child's price every day; the top level holds 1.92 and 2.11 in no
      // category. At the top level, calls-recordings brings it 0.225 and 0.0625 closer by counting
      // recordings twice: recordings would be a leaf beside it, with unattributed lowered by its price.
      const recordings = (anchor: readonly string[]): SolverInput =>
        solverInput(anchor, {
          calls: { prior: null, prices: ['9.4695', '19.853', '12.435'] },
          recordings: { prior: null, prices: ['0.225', '0.0625', '0'] },
          'calls-recordings': { prior: 'recordings', prices: ['0.225', '0.0625', '0'] },
        });
      const named = prior({ calls: null, recordings: null, 'calls-recordings': 'recordings' });
      const atTop = new Map(named).set('calls-recordings', null);
      expect(judgeMoves(recordings(['11.6145', '22.0255', '12.435']), named, atTop)).to.deep.equal({ proven: [], unproven: ['calls-recordings'], unsupported: ['calls-recordings'] });
      // Where the top level then fits on a day it did not (the second day's total holds both), the
      // numbers prove it.
      expect(judgeMoves(recordings(['11.6145', '19.978', '12.435']), named, atTop)).to.deep.equal({ proven: ['calls-recordings'], unproven: [], unsupported: [] });
    });

    it('is made, unproven, when the top level is off by less with it: pv is truly a leaf', () => {
      // pv covers its "children" every day, but they are top-level categories the names misread:
      // the top level is off by 0.01 a day with them, by 7 and 6 without.
      const input = video(['8', '7'], { 'group-rooms': ['2', '4'], 'video-recordings': ['5', '2'] }, ['15.01', '12.99']);
      expect(judgeMoves(input, videoStart, emptied)).to.deep.equal({ proven: [], unproven: ['group-rooms', 'video-recordings'], unsupported: [] });
    });

    it('is made, unproven, when its children exceed the rollup on some day, however the top level fits', () => {
      // pv costs nothing on day 1, when its "children" cost 7: it cannot hold them. The top level,
      // holding -3.5 and -3 in no category, is off by as much with them as without.
      const input = video(['0', '1'], { 'group-rooms': ['2', '4'], 'video-recordings': ['5', '2'] }, ['3.5', '4']);
      expect(judgeMoves(input, videoStart, emptied)).to.deep.equal({ proven: [], unproven: ['group-rooms', 'video-recordings'], unsupported: [] });
    });
  });
});
