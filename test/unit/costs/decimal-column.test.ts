import { expect } from 'chai';

import { DecimalColumn } from '../../../source-twilio-costs/costs/decimal-column';
import { WindowRecords } from '../../../source-twilio-costs/costs/window-records';
import { formatDecimal, parseDecimal } from '../../../source-twilio-costs/money';

describe('costs/DecimalColumn', () => {
  it('gives back every value exactly, compact or not, and null where none was set', () => {
    const values = ['0', '-0.5', '2192.84855', '1e-7', '0.000000000000000000000000000001', '123456789012.5', '-9223372.036854775808', '9223372.036854775807', '1e-12'];
    const column = new DecimalColumn(2);
    values.forEach((value, index) => column.set(2 * index, parseDecimal(value)));
    expect(values.map((_, index) => formatDecimal(column.get(2 * index) ?? 1n))).to.deep.equal(values.map((value) => formatDecimal(parseDecimal(value))));
    expect(column.get(1)).to.equal(null);
    expect(column.get(1000)).to.equal(null);
    column.set(4, null);
    expect(column.get(4)).to.equal(null);
  });
});

describe('costs/WindowRecords', () => {
  it('gives back each day its records as they were added', () => {
    const records = new WindowRecords();
    const sms = { category: 'sms', price: parseDecimal('1.5'), count: parseDecimal('3'), countUnit: 'messages', usage: null, usageUnit: null };
    const calls = { category: 'Calls', price: parseDecimal('1e-20'), count: null, countUnit: null, usage: parseDecimal('12.25'), usageUnit: 'minutes' };
    records.add('2025-01-02', sms);
    records.add('2025-01-01', calls);
    records.add('2025-01-02', calls);
    expect([...records.byDay()]).to.deep.equal([
      ['2025-01-02', [sms, calls]],
      ['2025-01-01', [calls]],
    ]);
  });
});
