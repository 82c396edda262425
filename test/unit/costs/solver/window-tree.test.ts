import { expect } from 'chai';

import { WindowNumbers } from '../../../../source-twilio-costs/costs/solver/window-numbers';
import { WindowTree } from '../../../../source-twilio-costs/costs/solver/window-tree';
import { numbersOf, parentsOf, solverInput, stepsOf } from './inputs';

/** sms = inbound + outbound, and a carrier fee named under sms that totalprice counts beside it. */
const feeUnderSms = new WindowNumbers(
  solverInput(['11.5', '13', '9'], {
    sms: { prior: null, prices: ['10', '12', '8'] },
    'sms-inbound': { prior: 'sms', prices: ['4', '5', '3'] },
    'sms-outbound': { prior: 'sms', prices: ['6', '7', '5'] },
    'sms-messages-carrierfees': { prior: 'sms', prices: ['1.5', '1', '1'] },
  }),
);
const units = (price: string): bigint => stepsOf(feeUnderSms, price);

describe('costs/solver/WindowTree', () => {
  it('measures how each container fits: misfit days and the distance to an exact fit', () => {
    const tree = new WindowTree(feeUnderSms);
    expect(tree.fitOf('sms')).to.deep.equal({ misfits: 3, distance: units('3.5') });
    expect(tree.fitOf(null)).to.deep.equal({ misfits: 3, distance: units('3.5') });
    expect(tree.fitOf('sms-inbound')).to.deep.equal({ misfits: 0, distance: 0n });
    expect(tree.misfitting()).to.deep.equal([null, 'sms']);
    expect(tree.score()).to.deep.equal({ misfits: 6, distance: units('7') });
  });

  it('applies a move to its parents and sums, and the window then fits', () => {
    const tree = new WindowTree(feeUnderSms);
    const lacking = tree.shortfallPrint('sms');
    tree.apply({ categories: ['sms-messages-carrierfees'], from: ['sms'], to: [null] });
    expect(parentsOf(tree.parents())).to.deep.equal({ sms: null, 'sms-inbound': 'sms', 'sms-messages-carrierfees': null, 'sms-outbound': 'sms' });
    expect(tree.childrenOf(null)).to.deep.equal(['sms', 'sms-messages-carrierfees']);
    expect(tree.score()).to.deep.equal({ misfits: 0, distance: 0n });
    expect(tree.misfitting()).to.deep.equal([]);
    // sms lacked minus the fee; it now lacks nothing.
    expect(tree.shortfallPrint('sms')).to.equal(0);
    expect(lacking).to.not.equal(0);
    expect(tree.signature()).to.equal('sms>|sms-inbound>sms|sms-messages-carrierfees>|sms-outbound>sms');
  });

  it('works out a fit after a move without making it, the same as making it', () => {
    const tree = new WindowTree(feeUnderSms);
    const categories = ['sms-messages-carrierfees'];
    const from = ['sms'];
    const to = [null];
    const smsAfter = tree.fitAfter('sms', categories, from, to);
    const topAfter = tree.topFitAfter(categories, [], tree.fitOf(null));
    expect(tree.fitAfter(null, categories, from, to)).to.deep.equal(topAfter);
    tree.apply({ categories, from, to });
    expect(smsAfter).to.deep.equal(tree.fitOf('sms'));
    expect(topAfter).to.deep.equal(tree.fitOf(null));
    // And back again: the top level leaves the fee.
    expect(tree.topFitAfter([], categories, tree.fitOf(null))).to.deep.equal({ misfits: 3, distance: units('3.5') });
  });

  it('does not check a rollup on a day none of its children is priced (it reports alone), nor the top level where totalprice is missing', () => {
    const numbers = numbersOf([null, '3', '8'], {
      pv: { prior: null, prices: ['5', '3', '7'] },
      'pv-rooms': { prior: 'pv', prices: ['5', '0', '6'] },
    });
    const tree = new WindowTree(numbers);
    expect(tree.fitOf('pv')).to.deep.equal({ misfits: 1, distance: stepsOf(numbers, '1') });
    expect(tree.fitOf(null)).to.deep.equal({ misfits: 1, distance: stepsOf(numbers, '1') });
    expect(tree.pricedDays(['pv-rooms'])).to.equal(2);
    expect(tree.pricedDays(['pv', 'pv-rooms'])).to.equal(3);
  });

  it('knows ancestry, every node a category may go under, and the containers in order', () => {
    const tree = new WindowTree(feeUnderSms);
    expect(tree.isAncestor('sms', 'sms-inbound')).to.equal(true);
    expect(tree.isAncestor('sms-inbound', 'sms')).to.equal(false);
    expect(tree.everyNode()).to.deep.equal([null, 'sms', 'sms-inbound', 'sms-messages-carrierfees', 'sms-outbound']);
    expect([...tree.containers()]).to.deep.equal([null, 'sms']);
    expect(tree.printOf('sms-inbound')).to.not.equal(tree.printOf('sms-outbound'));
  });

  it("tells a rollup its priced children cost more than on a day, which Twilio's sums rule out if they are all inside", () => {
    const tree = new WindowTree(
      numbersOf(['9', '9'], {
        calls: { prior: null, prices: ['0', '9'] },
        'calls-transcription': { prior: 'calls', prices: ['7', '0'] },
      }),
    );
    expect(tree.exceededOn('calls', 0)).to.equal(true);
    // No priced child on the second day: calls reports alone, and nothing exceeds it.
    expect(tree.exceededOn('calls', 1)).to.equal(false);
    // sms with the carrier fee that totalprice counts beside it: exceeded until the fee leaves.
    const sms = new WindowTree(feeUnderSms);
    expect(sms.exceededOn('sms', 0)).to.equal(true);
    sms.apply({ categories: ['sms-messages-carrierfees'], from: ['sms'], to: [null] });
    expect(sms.exceededOn('sms', 0)).to.equal(false);
  });

  it('tells a rollup its priced children cost less than on a day: it lacks one, perhaps placed elsewhere', () => {
    const tree = new WindowTree(
      numbersOf(['9', '9'], {
        calls: { prior: null, prices: ['9', '0'] },
        'calls-outbound': { prior: 'calls', prices: ['7', '3'] },
      }),
    );
    expect(tree.lacksOn('calls', 0)).to.equal(true);
    // It costs less than its child on the second day: exceeded, not lacking.
    expect(tree.lacksOn('calls', 1)).to.equal(false);
    expect(new WindowTree(feeUnderSms).lacksOn('sms', 0)).to.equal(false);
  });

  it('tells whether the top level has room for categories in its cost in no category', () => {
    // Totalprice less what the top level holds now (sms): 1.5, 1, 1; the fee costs 1.5, 1, 1.
    const tree = new WindowTree(feeUnderSms);
    expect(tree.topHasRoomFor(['sms-messages-carrierfees'], [0, 1, 2])).to.equal(true);
    // sms-inbound (4 on the first day) would make it claim 2.5 more than totalprice.
    expect(tree.topHasRoomFor(['sms-inbound'], [0])).to.equal(false);
    // A top level that already claims more than totalprice has no room, whatever joins it.
    const overClaimed = new WindowTree(numbersOf(['1'], { sms: { prior: null, prices: ['2'] }, fee: { prior: 'sms', prices: ['0.5'] } }));
    expect(overClaimed.topHasRoomFor(['fee'], [0])).to.equal(false);
    const unknown = new WindowTree(numbersOf([null], { sms: { prior: null, prices: ['1'] }, fee: { prior: 'sms', prices: ['1'] } }));
    expect(unknown.topHasRoomFor(['fee'], [0])).to.equal(false);
  });
});
