import { expect } from 'chai';

import { SyncSummary } from '../../../source-twilio-costs/sync/summary';

describe('sync summary line', () => {
  it('counts streams, records and account-days, and sums usage_costs prices exactly per currency', () => {
    const summary = new SyncSummary(3);
    summary.record('usage_costs', { account_sid: 'AC1', start_date: '2026-10-02', price: 0.1, price_unit: 'USD' });
    summary.record('usage_costs', { account_sid: 'AC1', start_date: '2026-10-02', price: 0.2, price_unit: 'USD' });
    summary.record('usage_costs', { account_sid: 'AC2', start_date: '2026-10-01', price: 1e-7, price_unit: 'USD' });
    // usage_records repeats the money at every level of the hierarchy: not counted as spend.
    summary.record('usage_records', { account_sid: 'AC2', start_date: '2026-10-03', price: 99, price_unit: 'USD' });
    summary.record('accounts', { sid: 'AC1' });
    summary.streamFinished('usage_costs', 'landed');
    summary.streamFinished('usage_records', 'failed');
    summary.streamFinished('accounts', 'landed');
    expect(summary.line('/data/costs.duckdb', 12_345)).to.equal(
      'sync: 2 of 3 streams landed (usage_records failed), 5 records, 3 account-days (2026-10-01..2026-10-03) costing 0.3000001 USD in usage_costs; into /data/costs.duckdb in 12.3 s',
    );
  });

  it('leaves out account-days and spend when no usage stream was read', () => {
    const summary = new SyncSummary(1);
    for (let index = 0; index < 1500; index += 1) summary.record('usage_categories', { category: `c${index}` });
    summary.streamFinished('usage_categories', 'landed');
    expect(summary.line('x.duckdb', 400)).to.equal('sync: 1 of 1 streams landed, 1,500 records; into x.duckdb in 0.4 s');
  });
});
