import { expect } from 'chai';

import { planOutputDifferences } from './plan-parity';
import type { Message } from './protocol';

const record = (stream: string, data: Record<string, unknown>, emittedAt = 1): Message => ({ type: 'RECORD', record: { stream, data, emitted_at: emittedAt } });
const state = (stream: string, cursor: string): Message => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: { accounts: { AC1: { start_date: cursor } } } }, sourceStats: { recordCount: 1 } },
});
const log = (message: string): Message => ({ type: 'LOG', log: { level: 'INFO', message } });

const sms = { account_sid: 'AC1', category: 'sms', start_date: '2026-10-01', end_date: '2026-10-01', price: 1.25, as_of: '2026-12-04T10:00:00+00:00' };
const calls = { account_sid: 'AC1', category: 'calls', start_date: '2026-10-01', end_date: '2026-10-01', price: 2, as_of: '2026-12-04T10:00:00+00:00' };
const reference: Message[] = [log('sparse, 2 of 645 categories'), record('usage_records', sms), record('usage_records', calls), state('usage_records', '2026-10-01')];

const differences = (messages: Message[]): string[] => planOutputDifferences({ label: 'auto', messages: reference }, { label: 'dense', messages });

describe('plan parity: the comparison of two reads', () => {
  it('ignores record order, emitted_at, as_of, LOG messages and the state counts', () => {
    const other: Message[] = [
      log('dense, 645 of 645 categories'),
      record('usage_records', { ...calls, as_of: '2026-12-04T10:00:07+00:00' }, 9),
      record('usage_records', sms, 9),
      { ...state('usage_records', '2026-10-01'), state: { ...state('usage_records', '2026-10-01').state, sourceStats: { recordCount: 2 } } },
    ];
    expect(differences(other)).to.deep.equal([]);
  });

  it('names the stream and key of a record whose fields differ, with both versions', () => {
    const found = differences([record('usage_records', sms), record('usage_records', { ...calls, price: 2.5 }), state('usage_records', '2026-10-01')]);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/^usage_records \["AC1","calls","2026-10-01","2026-10-01"\]:/);
    expect(found[0]).to.include('"price":2,').and.include('"price":2.5,');
  });

  it('finds a field missing, a field added, and a field of another type', () => {
    const { price: _price, ...withoutPrice } = calls;
    expect(differences([record('usage_records', sms), record('usage_records', withoutPrice), state('usage_records', '2026-10-01')])).to.have.length(1);
    expect(differences([record('usage_records', sms), record('usage_records', { ...calls, usage: 0 }), state('usage_records', '2026-10-01')])).to.have.length(1);
    expect(differences([record('usage_records', sms), record('usage_records', { ...calls, price: '2' }), state('usage_records', '2026-10-01')])).to.have.length(1);
  });

  it('finds a record missing, one emitted twice, and a record of a stream the other read lacks', () => {
    expect(differences([record('usage_records', sms), state('usage_records', '2026-10-01')])).to.have.length(1);
    expect(differences([...reference, record('usage_records', sms)])).to.have.length(1);
    expect(differences([...reference, record('usage_costs', { account_sid: 'AC1', category: 'sms', start_date: '2026-10-01', price: 1.25 })])).to.have.length(1);
  });

  it('finds a final state that differs, and compares nothing of streams whose rows do not come from usage windows', () => {
    expect(differences([record('usage_records', sms), record('usage_records', calls), state('usage_records', '2026-09-30')])[0]).to.match(/^usage_records final state:/);
    expect(differences([...reference, record('accounts', { sid: 'AC1' })])).to.deep.equal([]);
  });
});
