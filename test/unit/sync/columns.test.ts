import { expect } from 'chai';

import { DECIMAL_TYPE, EXTRACTED_AT_COLUMN, type RowShape, rowTexts } from '../../../source-twilio-costs/sync/columns';
import { SyncError } from '../../../source-twilio-costs/sync/errors';

const table: RowShape = {
  name: 'usage_records',
  columns: [{ name: 'category', type: 'VARCHAR' }, { name: 'price', type: DECIMAL_TYPE }, EXTRACTED_AT_COLUMN],
  primaryKey: ['category'],
};
const priceText = (price: unknown): string | null => rowTexts({ category: 'sms', price }, 0, table)[1] ?? null;

describe('sync: records as the text DuckDB casts to their columns', () => {
  it('writes a decimal as the exact text the connector printed, without an exponent', () => {
    expect(priceText(2192.84855)).to.equal('2192.84855');
    expect(priceText(1e-7)).to.equal('0.0000001');
    expect(priceText(-0.5)).to.equal('-0.5');
    expect(priceText(1.5e21)).to.equal('1500000000000000000000');
    expect(priceText(0.000000001)).to.equal('0.000000001');
    expect(priceText(null)).to.equal(null);
  });

  it('refuses a decimal DECIMAL(38,9) cannot hold, naming the stream, field, value, record and why', () => {
    expect(() => priceText(0.1234567891234)).to.throw(
      SyncError,
      /^usage_records\.price is 0\.1234567891234 in the record with category sms, which DECIMAL\(38,9\) cannot hold exactly \(more than 9 decimal places\): sync stops rather than round it\. What landed before stays\.$/,
    );
    expect(() => priceText(1e-10)).to.throw(SyncError, /is 1e-10 .*more than 9 decimal places/);
    expect(() => priceText(1.5e29)).to.throw(SyncError, /is 1\.5e\+29 .*more than 29 digits before the point/);
    expect(() => priceText(-1e300)).to.throw(SyncError, /more than 29 digits before the point/);
    expect(() => priceText(5e-324)).to.throw(SyncError, /not a decimal with at most 9 places/);
    expect(priceText(9.99e28)).to.equal('99900000000000000000000000000');
  });
});
