import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { otherCurrencyLeaves } from '../../../source-twilio-costs/costs/other-currency';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';

const record = (category: string, price: bigint): CostInputRecord => ({ category, price, count: null, countUnit: null, usage: null, usageUnit: null });

describe('costs/other-currency: the leaves of rows priced in another currency than totalprice', () => {
  const hierarchy = twilioHierarchy();

  it('keeps the leaves, drops the rollups above them, and sums nothing', () => {
    const rows = otherCurrencyLeaves([record('sms', 7n), record('sms-outbound', 7n), record('sms-outbound-longcode', 4n), record('sms-outbound-shortcode', 3n), record('calls', 2n)], hierarchy);
    expect(rows.map((row) => [row.category, row.parentCategory, row.price])).to.deep.equal([
      ['sms-outbound-longcode', 'sms-outbound', 4n],
      ['sms-outbound-shortcode', 'sms-outbound', 3n],
      ['calls', null, 2n],
    ]);
    expect(rows.every((row) => !row.isUnattributed)).to.equal(true);
  });

  it('keeps a rollup whose children are all zero, and never a totalprice or a zero row', () => {
    const rows = otherCurrencyLeaves([record('totalprice', 9n), record('sms', 9n), record('sms-outbound', 0n)], hierarchy);
    expect(rows.map((row) => row.category)).to.deep.equal(['sms']);
  });

  it('leaves out a documented double count whose including category is priced too', () => {
    const rows = otherCurrencyLeaves([record('sms-outbound-longcode', 5n), record('authy-sms-outbound', 2n)], hierarchy);
    expect(rows.map((row) => [row.category, row.price])).to.deep.equal([['sms-outbound-longcode', 5n]]);
  });
});
