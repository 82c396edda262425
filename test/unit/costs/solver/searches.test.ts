import { expect } from 'chai';

import { solvePlacement } from '../../../../source-twilio-costs/costs/solver';
import { exactPlacement } from '../../../../source-twilio-costs/costs/solver/exact';
import { greedyPlacement } from '../../../../source-twilio-costs/costs/solver/greedy';
import { WindowNumbers } from '../../../../source-twilio-costs/costs/solver/window-numbers';
import { WindowTree } from '../../../../source-twilio-costs/costs/solver/window-tree';
import { numbersOf, parentsOf, solverInput } from './inputs';

/** Two fees, each named under its message family and counted beside it by totalprice. */
const twoFees = solverInput(['16.5', '18.25', '12'], {
  sms: { prior: null, prices: ['10', '12', '8'] },
  'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
  'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
  'sms-messages-carrierfees': { prior: 'sms', prices: ['1.5', '1', '1'] },
  mms: { prior: null, prices: ['4', '5', '2.5'] },
  'mms-outbound': { prior: 'mms', prices: ['4', '5', '2.5'] },
  'mms-messages-carrierfees': { prior: 'mms', prices: ['1', '0.25', '0.5'] },
});

/** Two fees with the same prices every day, both named under sms; sms includes one of them. */
const twinFees = solverInput(['13', '15', '10'], {
  sms: { prior: null, prices: ['12', '14', '9'] },
  'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
  'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
  'sms-fee-a': { prior: 'sms', prices: ['2', '2', '1'] },
  'sms-fee-b': { prior: 'sms', prices: ['2', '2', '1'] },
});

/**
 * An interlock: r (at the top by its name) is truly under p and holds c1 and c2, which sit under p
 * by their names. p fits as it is (r costs c1 + c2), so no single move fits better: r must move
 * under p and adopt both at once.
 */
const interlocked = solverInput(['20', '24', '17'], {
  p: { prior: null, prices: ['20', '24', '17'] },
  d: { prior: 'p', prices: ['5', '6', '4'] },
  c1: { prior: 'p', prices: ['7', '10', '4'] },
  c2: { prior: 'p', prices: ['8', '8', '9'] },
  r: { prior: null, prices: ['15', '18', '13'] },
});

describe('costs/solver searches', () => {
  describe('greedyPlacement', () => {
    it('moves independent misplacements, here both fees to the top level at once', () => {
      const { tree, ...placement } = greedyPlacement(new WindowNumbers(twoFees));
      expect(placement.moves.flatMap((move) => move.categories)).to.have.members(['sms-messages-carrierfees', 'mms-messages-carrierfees']);
      expect(tree.score().misfits).to.equal(0);
      expect(placement.ties).to.deep.equal([]);
    });

    it('moves the first of two interchangeable twins, and leaves telling them apart to the end', () => {
      const placement = greedyPlacement(new WindowNumbers(twinFees));
      expect(placement.moves).to.deep.equal([{ categories: ['sms-fee-a'], from: ['sms'], to: [null] }]);
      expect(placement.ties).to.deep.equal([]);
    });

    it('freezes and reports two different moves that fit equally well, making neither', () => {
      // The fee named under sms fits under either rollup: each lacks exactly its prices.
      const input = solverInput(['23', '25', '27'], {
        sms: { prior: null, prices: ['8', '9', '10'] },
        'sms-inbound': { prior: 'sms', prices: ['8', '9', '10'] },
        'sms-fee': { prior: 'sms', prices: ['2', '1', '3'] },
        lookups: { prior: null, prices: ['5', '6', '7'] },
        'carrier-lookups': { prior: 'lookups', prices: ['3', '5', '4'] },
        voice: { prior: null, prices: ['10', '10', '10'] },
        'voice-minutes': { prior: 'voice', prices: ['8', '9', '7'] },
      });
      const placement = greedyPlacement(new WindowNumbers(input));
      expect(placement.moves.flatMap((move) => move.categories)).to.not.include('sms-fee');
      expect(placement.ties.flat().map((move) => `${move.categories.join()}>${move.to.join()}`)).to.have.members(['sms-fee>lookups', 'sms-fee>voice']);
    });

    it('stops where no single move fits better, before an interlock', () => {
      const { tree, ...placement } = greedyPlacement(new WindowNumbers(interlocked));
      expect(placement.moves).to.deep.equal([]);
      expect(tree.misfitting()).to.deep.equal([null]);
    });
  });

  describe('exactPlacement', () => {
    it('settles an interlock of three categories that no single move improves', () => {
      const outcome = exactPlacement(new WindowNumbers(interlocked), new WindowTree(new WindowNumbers(interlocked)));
      expect(outcome.cut).to.equal(null);
      expect(outcome.tie).to.equal(undefined);
      expect(parentsOf(outcome.parents ?? new Map())).to.deep.equal({ c1: 'r', c2: 'r', d: 'p', p: null, r: 'p' });
    });

    it("undoes a detour of greedy's and finds the three moves it stood for, one of a category greedy never moved, keeping greedy's other moves", () => {
      // Truly a sits under p beside r, b under r, x at the top, and f (named under q) at the top.
      // Greedy's detour emptied r into p and put r and x at the top (six changes): only the top level
      // misfits, by r. From there the truth is five changes away; from the prior, three (a, b, x),
      // and b is no category greedy moved.
      const numbers = numbersOf(['18.8', '19.15', '17.65'], {
        p: { prior: null, prices: ['11.45', '9.6', '11.9'] },
        r: { prior: 'p', prices: ['10.35', '7.3', '11.2'] },
        a: { prior: 'r', prices: ['1.1', '2.3', '0.7'] },
        b: { prior: 'p', prices: ['4.2', '3.1', '5.5'] },
        c: { prior: 'r', prices: ['2.25', '0', '3.5'] },
        d: { prior: 'r', prices: ['0.6', '1.4', '2.2'] },
        e: { prior: 'r', prices: ['3.3', '2.8', '0'] },
        x: { prior: 'p', prices: ['0.9', '1.75', '0.35'] },
        q: { prior: null, prices: ['6', '7.5', '5.25'] },
        q1: { prior: 'q', prices: ['2', '3.5', '1.25'] },
        q2: { prior: 'q', prices: ['4', '4', '4'] },
        f: { prior: 'q', prices: ['0.45', '0.3', '0.15'] },
      });
      const reached = new WindowTree(numbers);
      reached.apply({ categories: ['a', 'c', 'd', 'e', 'f', 'r', 'x'], from: ['r', 'r', 'r', 'r', 'q', 'p', 'p'], to: ['p', 'p', 'p', 'p', null, null, null] });
      expect(reached.misfitting()).to.deep.equal([null]);
      const outcome = exactPlacement(numbers, reached);
      expect(outcome.cut).to.equal(null);
      expect(outcome.tie).to.equal(undefined);
      expect(parentsOf(outcome.parents ?? new Map())).to.deep.equal({ a: 'p', b: 'r', c: 'r', d: 'r', e: 'r', f: null, p: null, q: null, q1: 'q', q2: 'q', r: 'p', x: null });
    });

    it('tries one of two twins in one container for both: the placements they give are the same under other names', () => {
      const numbers = new WindowNumbers(twinFees);
      const outcome = exactPlacement(numbers, new WindowTree(numbers));
      expect(outcome.parents?.get('sms-fee-a')).to.equal(null);
      expect(outcome.parents?.get('sms-fee-b')).to.equal('sms');
      expect(outcome.tie).to.equal(undefined);
    });

    it('undoes a detour greedy took through a rollup: near the prior, it moves the rollup whose children greedy moved one by one', () => {
      // Truly t1 sits in t0 and holds t4 (which looks like a leaf) and t1-t13; t4 holds t1-t5 and
      // its child; t1-t3 is at the top level. Greedy hands t1's grandchildren to t0 (they cost what
      // t1 costs) and t4 to the top level: five moves, more than a set of the search holds, and
      // none of them t1's.
      const input = solverInput(['5', '6', '25.5'], {
        t0: { prior: null, prices: ['5', '6', '18.5'] },
        t1: { prior: null, prices: ['5', '6', '7.5'] },
        't1-t3': { prior: 't1', prices: ['0', '0', '7'] },
        t4: { prior: 't1', prices: ['0', '4', '7.5'] },
        't1-t5': { prior: 't1', prices: ['0', '3', '1.5'] },
        t6: { prior: 't0', prices: ['0', '0', '11'] },
        't1-t5-t10': { prior: 't1-t5', prices: ['0', '1', '6'] },
        't1-t13': { prior: 't1', prices: ['5', '2', '0'] },
      });
      const numbers = new WindowNumbers(input);
      const greedy = greedyPlacement(numbers);
      expect(greedy.moves.flatMap((move) => move.categories))
        .to.have.lengthOf(5)
        .and.not.include('t1');
      const outcome = exactPlacement(numbers, greedy.tree);
      expect(parentsOf(outcome.parents ?? new Map())).to.deep.equal({ t0: null, t1: 't0', 't1-t13': 't1', 't1-t3': null, 't1-t5': 't4', 't1-t5-t10': 't4', t4: 't1', t6: 't0' });
      expect(outcome.tie).to.equal(undefined);
    });

    it('says where it stopped when a window has more sets than its budget', () => {
      // Sixty fees named under sms that never add up to it: sets of up to four of sixty are 487,635.
      const fees = Object.fromEntries(Array.from({ length: 60 }, (_, fee) => [`sms-fee-${fee}`, { prior: 'sms', prices: [1, 2, 3].map((day) => `0.${1000 + 37 * fee + 11 * day}`) }]));
      const sums = [1, 2, 3].map((day) => Array.from({ length: 60 }, (_, fee) => 1000 + 37 * fee + 11 * day).reduce((sum, part) => sum + part, 0) + 1);
      const prices = sums.map((sum) => `${Math.floor(sum / 10_000)}.${String(sum % 10_000).padStart(4, '0')}`);
      const input = solverInput(prices, { sms: { prior: null, prices }, ...fees });
      const outcome = exactPlacement(new WindowNumbers(input), new WindowTree(new WindowNumbers(input)));
      expect(outcome.cut).to.equal('stopped after 300000 sets, at sets of 4 of 60 categories');
      expect(outcome.parents).to.equal(undefined);
    });
  });

  describe('solvePlacement', () => {
    it('keeps what greedy found when the exact search finds nothing better', () => {
      const placement = solvePlacement(twoFees);
      expect(placement.moves.flatMap((move) => move.categories)).to.have.members(['sms-messages-carrierfees', 'mms-messages-carrierfees']);
      expect(placement.parents.get('sms-messages-carrierfees')).to.equal(null);
      expect(placement.searchCut).to.equal(null);
    });

    it('reports twins in one container as a tie, and leaves both where the prior put them', () => {
      const placement = solvePlacement(twinFees);
      expect(placement.parents.get('sms-fee-a')).to.equal('sms');
      expect(placement.parents.get('sms-fee-b')).to.equal('sms');
      expect(placement.moves).to.deep.equal([]);
      expect(placement.ties.flat().map((move) => `${move.categories.join()}>${move.to.join()}`)).to.have.members(['sms-fee-a>', 'sms-fee-b>']);
    });

    it('nests two categories of the same prices with the name that reads as more general holding the other', () => {
      // calls-outbound's only priced child is calls-text-to-speech, named under calls beside it.
      const input = solverInput(['10', '12', '7'], {
        calls: { prior: null, prices: ['10', '12', '7'] },
        'calls-inbound': { prior: 'calls', prices: ['6', '7', '5'] },
        'calls-outbound': { prior: 'calls', prices: ['4', '5', '2'], generality: -2 },
        'calls-text-to-speech': { prior: 'calls', prices: ['4', '5', '2'], generality: -4 },
      });
      const placement = solvePlacement(input);
      expect(placement.parents.get('calls-text-to-speech')).to.equal('calls-outbound');
      expect(placement.nestings).to.deep.equal([{ holder: 'calls-outbound', held: 'calls-text-to-speech', byName: true }]);
      expect(placement.ties).to.deep.equal([]);
    });

    it('makes a move a complete search prefers, but calls it uncertain when a rollup it touches still misfits', () => {
      // sms holds 0.5 no child explains besides the fee named under it; totalprice counts the fee beside it.
      const input = solverInput(['12', '13.5', '9.5'], {
        sms: { prior: null, prices: ['10.5', '12.5', '8.5'] },
        'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
        'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
        'sms-messages-carrierfees': { prior: 'sms', prices: ['1.5', '1', '1'] },
      });
      const placement = solvePlacement(input);
      expect(placement.parents.get('sms-messages-carrierfees')).to.equal(null);
      expect(placement.moves).to.deep.equal([]);
      expect(placement.uncertain).to.deep.equal([{ categories: ['sms-messages-carrierfees'], from: ['sms'], to: [null] }]);
    });

    it('leaves a settled prior as it is', () => {
      const settled = solverInput(['10', '12'], { sms: { prior: null, prices: ['10', '12'] }, 'sms-inbound': { prior: 'sms', prices: ['10', '12'] } });
      expect(solvePlacement(settled)).to.deep.equal({
        parents: new Map([
          ['sms', null],
          ['sms-inbound', 'sms'],
        ]),
        moves: [],
        uncertain: [],
        withheld: [],
        nestings: [],
        ties: [],
        searchCut: null,
      });
    });
  });
});
