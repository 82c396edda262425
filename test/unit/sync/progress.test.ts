import { PassThrough } from 'node:stream';

import { expect } from 'chai';

import { SyncProgress } from '../../../source-twilio-costs/sync/progress';

describe('sync progress on a terminal', () => {
  it('shows streams done, records, the day read through, requests and retries', () => {
    const terminal = new PassThrough();
    let text = '';
    terminal.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const traffic = { requests: 0, retries: 0 };
    let clock = 0;
    const progress = new SyncProgress(terminal, 2, traffic, () => (clock += 1000));
    traffic.requests = 1234;
    traffic.retries = 3;
    progress.checkpoint('usage_records', { accounts: { AC1: { start_date: '2026-10-31' }, AC2: { start_date: '2026-09-30' } } });
    progress.record('usage_records');
    expect(text).to.include('[0/2 streams done] usage_records: 1 records, through 2026-09-30; 1,234 requests, 3 retries');
    progress.streamFinished('usage_records', 'landed');
    expect(text).to.include('✓ usage_records: 1 records, read through 2026-09-30\n');
  });
});
