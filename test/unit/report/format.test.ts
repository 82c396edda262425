import { expect } from 'chai';

import { parseDecimal } from '../../../source-twilio-costs/money';
import { formatAmount, formatDay, formatMonth, formatMultiple, formatShare } from '../../../source-twilio-costs/report/format';

describe('report: formatting', () => {
  it('writes an amount grouped, with at least two decimals and every decimal it has, never rounded', () => {
    expect(formatAmount(parseDecimal('80637.72871'))).to.equal('80,637.72871');
    expect(formatAmount(parseDecimal('-1690.66'))).to.equal('-1,690.66');
    expect(formatAmount(parseDecimal('1234567.000000001'))).to.equal('1,234,567.000000001');
    expect(formatAmount(0n)).to.equal('0.00');
    expect(formatAmount(parseDecimal('-0.00125'))).to.equal('-0.00125');
    expect(formatAmount(parseDecimal('955.1'), 5)).to.equal('955.10000');
  });

  it('writes a share to one decimal, rounded half away from zero, and a dash of nothing', () => {
    expect(formatShare(1n, 3n)).to.equal('33.3 %');
    expect(formatShare(parseDecimal('0.0005'), parseDecimal('1'))).to.equal('0.1 %');
    expect(formatShare(parseDecimal('0.00049'), parseDecimal('1'))).to.equal('0.0 %');
    expect(formatShare(parseDecimal('-1690.66'), parseDecimal('80637.72871'))).to.equal('-2.1 %');
    expect(formatShare(5n, 0n)).to.equal('–');
  });

  it('writes how many times the usual level a day is, or that it rose from nothing', () => {
    expect(formatMultiple(parseDecimal('54.20036'), parseDecimal('17.78925'))).to.equal('3.05×');
    expect(formatMultiple(parseDecimal('50'), 0n)).to.equal('from nothing');
  });

  it('writes days and months in words', () => {
    expect(formatDay('2026-10-01')).to.equal('1 Oct 2026');
    expect(formatMonth('2025-11')).to.equal('Nov 2025');
  });
});
