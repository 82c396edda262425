import { expect } from 'chai';

import { WindowNumbers } from '../../../../source-twilio-costs/costs/solver/window-numbers';
import { parseDecimal } from '../../../../source-twilio-costs/money';
import { solverInput } from './inputs';

describe('costs/solver/WindowNumbers', () => {
  it('holds every price as a whole number of the finest decimal step the window uses', () => {
    const numbers = new WindowNumbers(
      solverInput(['10.5', null], {
        sms: { prior: null, prices: ['10', '0.00125'] },
        fee: { prior: 'sms', prices: ['0.5', '-2'] },
      }),
    );
    expect(numbers.exact).to.equal(true);
    expect(numbers.step).to.equal(parseDecimal('0.00001'));
    expect(numbers.categories).to.deep.equal(['fee', 'sms']);
    expect([...numbers.prices]).to.deep.equal([50_000, -200_000, 1_000_000, 125]);
    expect([...numbers.anchor]).to.deep.equal([1_050_000, 0]);
    expect([...numbers.anchorKnown]).to.deep.equal([1, 0]);
    expect([...numbers.pricedDays]).to.deep.equal([2, 2]);
    expect(numbers.priceOf(numbers.indexOf('sms'), 1)).to.equal(125);
    expect(numbers.priors).to.deep.equal(['sms', null]);
    expect(() => numbers.indexOf('mms')).to.throw(RangeError);
  });

  it('gives equal prices equal fingerprints, and different ones different fingerprints', () => {
    const numbers = new WindowNumbers(
      solverInput(['3', '4'], {
        a: { prior: null, prices: ['1', '2'] },
        b: { prior: null, prices: ['1', '2'] },
        c: { prior: null, prices: ['2', '1'] },
      }),
    );
    const [a, b, c] = numbers.prints;
    expect(a).to.equal(b);
    expect(a).to.not.equal(c);
  });

  it('rounds to a coarser step, and says so, when the largest sum would not be exact in a double', () => {
    // 30 decimal places on a bill of a million: 10^36 steps of 10^-30, far beyond 2^53.
    const fine = '0.000000000000000000000000000001';
    const numbers = new WindowNumbers(
      solverInput(['1000000'], {
        big: { prior: null, prices: ['1000000'] },
        tiny: { prior: null, prices: [fine] },
      }),
    );
    expect(numbers.exact).to.equal(false);
    expect(Number.isSafeInteger(numbers.anchor[0])).to.equal(true);
    expect(numbers.priceOf(numbers.indexOf('big'), 0)).to.equal(Number(parseDecimal('1000000') / numbers.step));
    expect(numbers.priceOf(numbers.indexOf('tiny'), 0)).to.equal(0);
    // Still counted as priced: the category is not idle, only too small for the step.
    expect(numbers.pricedDays[numbers.indexOf('tiny')]).to.equal(1);
  });
});
