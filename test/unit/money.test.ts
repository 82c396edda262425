import { expect } from 'chai';
import fc from 'fast-check';
import { DecimalFormatError, decimalToNumber, formatDecimal, parseDecimal, sumDecimals } from '../../source-twilio-costs/money';

describe('money: exact decimals', () => {
  it('parses Twilio decimal strings exactly', () => {
    expect(parseDecimal('2192.84855')).to.equal(2192848550000n);
    expect(parseDecimal('0')).to.equal(0n);
    expect(parseDecimal('-0.5')).to.equal(-500000000n);
    expect(parseDecimal('.25')).to.equal(250000000n);
    expect(parseDecimal('14.')).to.equal(14000000000n);
  });

  it('refuses what is not a decimal, naming the input', () => {
    for (const bad of ['', 'abc', '1e5', '1.2.3', 'NaN', '0.0000000001']) {
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
        const text = formatDecimal(units * 10000n);
        expect(parseDecimal(text)).to.equal(units * 10000n);
        expect(JSON.stringify(decimalToNumber(units * 10000n))).to.equal(text);
      }),
    );
  });
});
