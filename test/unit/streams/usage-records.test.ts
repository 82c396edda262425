import { expect } from 'chai';

import { toUsageRecord, UsageRecordsConsumer, UsageRecordsStream } from '../../../source-twilio-costs/streams/usage-records';
import { CategoryDays } from '../../../source-twilio-costs/usage/category-days';
import { UsageEngine } from '../../../source-twilio-costs/usage/engine';
import { capturedLog } from '../../helpers/captured-log';
import { configOf, MAIN_SID, planOf, scopeOf, ScriptedReader, usage } from '../usage/scripted-reader';
import { readEvents, schemaCheckedRecords } from './stream-read';

const WINDOW = { from: '2026-11-01', to: '2026-11-03' };

describe('usage_records stream', () => {
  it("is Twilio's record with its decimals as JSON numbers and its nulls kept", () => {
    const record = { ...usage(MAIN_SID, 'Usage-RCS-Messages', '2026-11-02', '14.73550'), count: '3', countUnit: 'messages', usage: null, description: 'RCS', asOf: '2026-11-03T00:00:00Z' };
    expect(toUsageRecord(record)).to.deep.equal({
      account_sid: MAIN_SID,
      category: 'Usage-RCS-Messages',
      description: 'RCS',
      start_date: '2026-11-02',
      end_date: '2026-11-02',
      count: 3,
      count_unit: 'messages',
      usage: null,
      usage_unit: 'usd',
      price: 14.7355,
      price_unit: 'USD',
      as_of: '2026-11-03T00:00:00Z',
      api_version: null,
      uri: null,
    });
  });

  it('maps each page of rows as it comes, and tells the cursor only the categories a day had non-zero', async () => {
    const { logger } = capturedLog();
    const run = await new UsageRecordsConsumer().begin(logger);
    const window = run.window(scopeOf(MAIN_SID, false), WINDOW, new CategoryDays(WINDOW.from));
    const batch = window.rows([usage(MAIN_SID, 'SMS', '2026-11-01', '1.5'), usage(MAIN_SID, 'calls', '2026-11-01', '0'), usage(MAIN_SID, 'calls', '2026-11-02', '0.000')]);
    expect(batch?.records.map((record) => `${record.start_date} ${record.category} ${record.price}`)).to.deep.equal(['2026-11-01 SMS 1.5', '2026-11-01 calls 0', '2026-11-02 calls 0']);
    expect([...(batch?.nonZeroCategoriesByDay ?? [])].map(([day, categories]) => [day, [...categories]])).to.deep.equal([['2026-11-01', ['sms']]]);
    expect([...window.chunkEnd(WINDOW, undefined)]).to.deep.equal([]);
  });

  it('expects a row per needed category and day, zeros included', async () => {
    const { logger } = capturedLog();
    const run = await new UsageRecordsConsumer().begin(logger);
    expect(run.rowEstimate(planOf(['sms', 'calls']), WINDOW)).to.equal(6);
  });

  it("logs a window's warnings under its name", async () => {
    const log = capturedLog();
    const run = await new UsageRecordsConsumer().begin(log.logger);
    run.window(scopeOf(MAIN_SID, false), WINDOW, new CategoryDays(WINDOW.from)).warning('Twilio sent a row dated outside the window');
    expect(await log.lines()).to.deep.equal(['WARN usage_records: Twilio sent a row dated outside the window']);
  });

  it("reads through the usage engine: records valid against its schema, then a state with the account's cursor", async () => {
    const config = configOf({ start_date: WINDOW.from, end_date: WINDOW.to });
    const reader = new ScriptedReader((scope, range) => ({ needed: ['sms'], rows: [usage(scope.accountSid, 'sms', range.from, '0.0079')] }));
    const stream = new UsageRecordsStream(new UsageEngine({ config, reader, scopes: async () => [scopeOf(MAIN_SID, false)] }));
    expect({ name: stream.name, primaryKey: stream.primaryKey, cursorField: stream.cursorField }).to.deep.equal({
      name: 'usage_records',
      primaryKey: [['account_sid'], ['category'], ['start_date'], ['end_date']],
      cursorField: ['start_date'],
    });
    const { logger } = capturedLog();
    const events = await readEvents(stream, logger, 'incremental');
    expect(schemaCheckedRecords(stream, events).map((record) => `${record.start_date} ${record.category} ${record.price}`)).to.deep.equal(['2026-11-01 sms 0.0079']);
    expect(events.at(-1)).to.deep.equal({ kind: 'checkpoint', state: { version: 2, categories: ['sms'], accounts: { [MAIN_SID]: { start_date: WINDOW.to, recent: { '-2': [0] } } } } });
    expect(reader.calls.map((call) => call.options.use)).to.deep.equal(['rows']);
  });
});
