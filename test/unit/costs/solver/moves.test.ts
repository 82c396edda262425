import { expect } from 'chai';

import { candidateMoves, evaluateMove } from '../../../../source-twilio-costs/costs/solver/moves';
import { WindowTree } from '../../../../source-twilio-costs/costs/solver/window-tree';
import { numbersOf } from './inputs';

describe('costs/solver/moves', () => {
  it('ranks first the move that repairs both containers: a fee out of sms to the top level', () => {
    const tree = new WindowTree(
      numbersOf(['11.5', '13', '9'], {
        sms: { prior: null, prices: ['10', '12', '8'] },
        'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
        'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
        'sms-messages-carrierfees': { prior: 'sms', prices: ['1.5', '1', '1'] },
      }),
    );
    const [best] = candidateMoves(tree, new Set());
    expect(best?.move).to.deep.equal({ categories: ['sms-messages-carrierfees'], from: ['sms'], to: [null] });
    expect(best?.misfitGain).to.equal(6);
    expect(candidateMoves(tree, new Set(['sms-messages-carrierfees'])).some((candidate) => candidate.move.categories.includes('sms-messages-carrierfees'))).to.equal(false);
  });

  it('lets a rollup that looks like a leaf adopt children that sit in two places, in one move', () => {
    // a2p-registration-fees = brand + vetting; brand sits under sms (a wrong name), vetting at the top.
    const tree = new WindowTree(
      numbersOf(['14', '10.5'], {
        sms: { prior: null, prices: ['3', '2'] },
        'sms-inbound': { prior: 'sms', prices: ['3', '2'] },
        brand: { prior: 'sms', prices: ['4', '1.5'] },
        vetting: { prior: null, prices: ['7', '7'] },
        'a2p-registration-fees': { prior: null, prices: ['11', '8.5'] },
      }),
    );
    const [best] = candidateMoves(tree, new Set());
    expect(best?.move).to.deep.equal({ categories: ['brand', 'vetting'], from: ['sms', null], to: ['a2p-registration-fees', 'a2p-registration-fees'] });
  });

  it('swaps the children two containers hold of each other, where neither half fits alone', () => {
    const tree = new WindowTree(
      numbersOf(['21', '24'], {
        a: { prior: null, prices: ['8', '9'] },
        b: { prior: null, prices: ['13', '15'] },
        a1: { prior: 'a', prices: ['5', '4'] },
        a2: { prior: 'b', prices: ['3', '5'] },
        b1: { prior: 'b', prices: ['6', '8'] },
        b2: { prior: 'a', prices: ['7', '7'] },
      }),
    );
    const [best] = candidateMoves(tree, new Set());
    expect(best?.move).to.deep.equal({ categories: ['b2', 'a2'], from: ['a', 'b'], to: ['b', 'a'] });
  });

  it('never puts a category under itself or a descendant that stays under it', () => {
    const tree = new WindowTree(
      numbersOf(['10', '12'], {
        sms: { prior: null, prices: ['10', '12'] },
        'sms-outbound': { prior: 'sms', prices: ['10', '12'] },
      }),
    );
    expect(evaluateMove(tree, ['sms'], ['sms-outbound'])).to.equal(undefined);
    expect(evaluateMove(tree, ['sms'], ['sms'])).to.equal(undefined);
  });

  it('trusts a move resting on one day only when every container of that day then fits exactly, and is still checked', () => {
    const adopt = (total: string | null, family?: string): ReturnType<typeof evaluateMove> =>
      evaluateMove(
        new WindowTree(
          numbersOf([total], {
            'a2p-registration-fees': { prior: null, prices: ['10'], family: 'Messaging' },
            brand: { prior: null, prices: ['4'], family: 'Messaging' },
            vetting: { prior: null, prices: ['6'], family: family ?? 'Messaging' },
          }),
        ),
        ['brand', 'vetting'],
        ['a2p-registration-fees', 'a2p-registration-fees'],
      );
    expect(adopt('10')?.misfitGain).to.equal(1);
    // Cost in no category that day: the top level would still misfit, so 10 = 4 + 6 may be a coincidence.
    expect(adopt('10.5')).to.equal(undefined);
    // No totalprice that day: the top level is not checked, so the day proves nothing.
    expect(adopt(null)).to.equal(undefined);
    // A category of another family: one equality between strangers may be a coincidence.
    expect(adopt('10', 'Voice')).to.equal(undefined);
    const plain = new WindowTree(
      numbersOf(['10'], {
        pv: { prior: null, prices: ['10'] },
        'group-rooms': { prior: 'pv', prices: ['5'] },
        'group-rooms-participant-minutes': { prior: 'group-rooms', prices: ['5'] },
        'group-rooms-media-recorded': { prior: 'group-rooms', prices: ['1'] },
        'pv-rooms': { prior: 'pv', prices: ['4'] },
      }),
    );
    expect(evaluateMove(plain, ['group-rooms-media-recorded'], ['pv'])?.misfitGain).to.equal(2);
  });

  it('lets a category priced on one day leave a rollup it would empty only where it costs more than the rollup that day', () => {
    // calls-transcription sits under calls by its name; calls is priced at nothing that day.
    const leave = (callsPrice: string): ReturnType<typeof evaluateMove> =>
      evaluateMove(
        new WindowTree(
          numbersOf(['7'], {
            calls: { prior: null, prices: [callsPrice] },
            'calls-transcription': { prior: 'calls', prices: ['7'] },
          }),
        ),
        ['calls-transcription'],
        [null],
      );
    expect(leave('0')?.misfitGain).to.equal(2);
    // calls costs 9: it may hold the 7 with cost of its own, so emptying it proves nothing that day.
    expect(leave('9')).to.equal(undefined);
  });

  it('lets a category priced on one day leave a rollup whose other children sum to it exactly, into a top level holding cost in no category', () => {
    // sms = inbound + outbound on the one day the carrier fee is priced; totalprice holds `extra` more.
    const leave = (extra: string, outbound = '6'): ReturnType<typeof evaluateMove> =>
      evaluateMove(
        new WindowTree(
          numbersOf([String(10 + Number(extra))], {
            sms: { prior: null, prices: ['10'] },
            'sms-inbound': { prior: 'sms', prices: ['4'] },
            'sms-outbound': { prior: 'sms', prices: [outbound] },
            'sms-messages-carrierfees': { prior: 'sms', prices: ['1'] },
          }),
        ),
        ['sms-messages-carrierfees'],
        [null],
      );
    // The top level still holds 2 in no category: sms proves the move, the top level only takes it.
    expect(leave('3')?.misfitGain).to.equal(1);
    // Exactly the fee: everything fits.
    expect(leave('1')?.misfitGain).to.equal(2);
    // Totalprice 0.5 above sms: the fee at the top level would claim more than it, so nothing holds it.
    expect(leave('0.5')).to.equal(undefined);
    // sms exceeded by more than the fee: it still misfits without it, so the day proves nothing.
    expect(leave('3', '6.5')).to.equal(undefined);
  });

  it('sends a one-day category out of an overfull rollup to the top level only where no rollup lacks a child that day', () => {
    // pv-recording-compositions (2), named under pv, which it overfills; video-recordings lacks
    // `lacking` that day. Where it lacks exactly 2, that is where the category may belong.
    const leave = (lacking: string): ReturnType<typeof evaluateMove> =>
      evaluateMove(
        new WindowTree(
          numbersOf(['12'], {
            pv: { prior: null, prices: ['3'] },
            'pv-rooms': { prior: 'pv', prices: ['3'] },
            'pv-recording-compositions': { prior: 'pv', prices: ['2'] },
            'video-recordings': { prior: null, prices: [String(2 + Number(lacking))] },
            'group-rooms-recorded-minutes': { prior: 'video-recordings', prices: ['2'] },
          }),
        ),
        ['pv-recording-compositions'],
        [null],
      );
    expect(leave('0')?.misfitGain).to.equal(1);
    expect(leave('2')).to.equal(undefined);
  });

  it('keeps a rollup counted twice beside its members where they are, though the top level has room for it', () => {
    // pstnconnectivity-inbound (2.21) = its two minutes, all three under pstnconnectivity by their
    // names, with 3 of cost in no category: sending the group to the top level would make
    // pstnconnectivity fit, and count it twice where the top level's cost in no category hides it.
    const tree = new WindowTree(
      numbersOf(['8.868'], {
        pstnconnectivity: { prior: null, prices: ['2.868'] },
        'pstnconnectivity-inbound': { prior: 'pstnconnectivity', prices: ['2.21'] },
        'pstnconnectivity-minutesinboundlocal': { prior: 'pstnconnectivity', prices: ['0.5695'] },
        'pstnconnectivity-minutesinboundmobile': { prior: 'pstnconnectivity', prices: ['1.6405'] },
        'pstnconnectivity-outbound': { prior: 'pstnconnectivity', prices: ['0.658'] },
        sms: { prior: null, prices: ['3'] },
        'sms-outbound': { prior: 'sms', prices: ['3'] },
      }),
    );
    expect(evaluateMove(tree, ['pstnconnectivity-inbound'], [null])).to.equal(undefined);
    expect(evaluateMove(tree, ['pstnconnectivity-minutesinboundlocal', 'pstnconnectivity-minutesinboundmobile'], [null, null])).to.equal(undefined);
  });
});
