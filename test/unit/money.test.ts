import { expect } from 'chai';
import fc from 'fast-check';

import { DecimalFormatError, decimalToNumber, formatDecimal, parseDecimal, sumDecimals } from '../../source-twilio-costs/money';

describe('money: exact decimals', () => {
  it('parses Twilio decimal strings exactly', () => {
    const unit = 10n ** 30n;
    expect(parseDecimal('2192.84855')).to.equal((219284855n * unit) / 100000n);
    expect(parseDecimal('0')).to.equal(0n);
    expect(parseDecimal('-0.5')).to.equal(-unit / 2n);
    expect(parseDecimal('.25')).to.equal(unit / 4n);
    expect(parseDecimal('14.')).to.equal(14n * unit);
  });

  it('parses more than 9 decimal places and exponent notation exactly', () => {
    expect(formatDecimal(parseDecimal('0.0000000001'))).to.equal('0.0000000001');
    expect(formatDecimal(parseDecimal('1e-7'))).to.equal('0.0000001');
    expect(formatDecimal(parseDecimal('-2.5E3'))).to.equal('-2500');
    expect(formatDecimal(parseDecimal('1.23456789012345678901'))).to.equal('1.23456789012345678901');
    expect(formatDecimal(sumDecimals([parseDecimal('1e-12'), parseDecimal('0.999999999999')]))).to.equal('1');
  });

  it('refuses what is not a decimal, or finer than 30 places, naming the input', () => {
    for (const bad of ['', 'abc', 'e5', '.', '1.2.3', 'NaN', '1e-31', '0.0000000000000000000000000000001']) {
      expect(() => parseDecimal(bad), bad).to.throw(DecimalFormatError);
    }
  });

  it('sums where floats drift: 0.1 + 0.2 is 0.3', () => {
    expect(formatDecimal(sumDecimals([parseDecimal('0.1'), parseDecimal('0.2')]))).to.equal('0.3');
    expect(0.1 + 0.2).not.to.equal(0.3);
  });

  it('round-trips every 5-place decimal through format and JSON numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (units) => {
        const value = units * 10n ** 25n;
        const text = formatDecimal(value);
        expect(parseDecimal(text)).to.equal(value);
        expect(JSON.stringify(decimalToNumber(value))).to.equal(text);
      }),
    );
  });
});
