import { expect } from 'chai';

import { formatNanos, NANOS_PER_PRICE_STEP, NANOS_PER_UNIT, priceStepsOf } from '../../../tools/simulator/amounts';
import { exact } from '../../helpers/simulator-truth';

describe('simulator: its own exact amounts', () => {
  it("converts the connector's amounts to its own unit exactly, so tests compare the two", () => {
    expect(exact('1.23456')).to.equal(priceStepsOf('1.23456') * NANOS_PER_PRICE_STEP);
    expect(exact(-0.5)).to.equal(-NANOS_PER_UNIT / 2n);
    expect(() => exact('1e-10')).to.throw(/finer than the simulator's unit/);
  });

  it('reads a unit price as whole 10^-5 steps, exactly', () => {
    expect(priceStepsOf('0.0079')).to.equal(790n);
    expect(priceStepsOf('1.15')).to.equal(115_000n);
    expect(priceStepsOf('2')).to.equal(200_000n);
    expect(priceStepsOf('0.00002')).to.equal(2n);
    expect(priceStepsOf('0.00002') * NANOS_PER_PRICE_STEP).to.equal(20_000n);
  });

  it('refuses a unit price Twilio could not bill: negative, over 5 places, not a number', () => {
    for (const text of ['-1', '0.000001', '1e-3', '', '.5', '1.']) expect(() => priceStepsOf(text), text).to.throw(/unit price/);
  });

  it('prints the shortest exact decimal, sign included', () => {
    expect(formatNanos(0n)).to.equal('0');
    expect(formatNanos(1_234_500_000n)).to.equal('1.2345');
    expect(formatNanos(-500_000_000n)).to.equal('-0.5');
    expect(formatNanos(-1n)).to.equal('-0.000000001');
    expect(formatNanos(42n * NANOS_PER_UNIT)).to.equal('42');
    // Far beyond a double's exact range: still every digit.
    expect(formatNanos(123_456_789_012_345_678_901n)).to.equal('123456789012.345678901');
  });
});
