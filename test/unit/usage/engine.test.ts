import { expect } from 'chai';

import { lastCompleteDay, type ResolvedConfig } from '../../../source-twilio-costs/config';
import { type DayRange, daysBetweenInclusive } from '../../../source-twilio-costs/dates';
import type { JsonObject } from '../../../source-twilio-costs/protocol/messages';
import type { StreamEvent } from '../../../source-twilio-costs/protocol/stream';
import { TwilioApiError } from '../../../source-twilio-costs/twilio/errors';
import type { ConsumerRun, UsageConsumer } from '../../../source-twilio-costs/usage/consumer';
import { UsageEngine } from '../../../source-twilio-costs/usage/engine';
import type { UsageScope } from '../../../source-twilio-costs/usage/usage-scope';
import { capturedLog } from '../../helpers/captured-log';
import { configOf, deferred, MAIN_SID, scopeOf, ScriptedReader, usage } from './scripted-reader';

/**
 * The usage engine against a scripted window reader and a small consumer: what it does with
 * windows that finish out of order, scopes that cannot be read, plans (estimates) and the
 * consumers read after the one it reads for. The reader and the consumers have tests of their own.
 */
const MAIN = MAIN_SID;
const SUB = 'AC00000000000000000000000000000002';
/** Two windows on the 24-month grid: 2023-01-01..2024-12-31 and 2025-01-01..2026-11-25. */
const FIRST_WINDOW: DayRange = { from: '2023-01-01', to: '2024-12-31' };
const SECOND_WINDOW: DayRange = { from: '2025-01-01', to: '2026-11-25' };

const twoWindowConfig = (): ResolvedConfig => configOf({ start_date: FIRST_WINDOW.from });

interface TestRecord {
  row: string;
}

/** Records "account day category price", one per row; estimates a row per needed category and day. */
function recordingConsumer(use: 'chunks' | 'rows'): UsageConsumer<TestRecord> {
  return {
    use,
    readsRecentCategories: true,
    async begin(): Promise<ConsumerRun<TestRecord>> {
      return {
        rowEstimate: (plan, range) => plan.needed.size * daysBetweenInclusive(range.from, range.to),
        window: () => ({
          rows: (records) => ({
            records: records.map((record) => ({ row: `${record.accountSid} ${record.startDate} ${record.category} ${record.price}` })),
            nonZeroCategoriesByDay: new Map(records.map((record) => [record.startDate, new Set([record.categoryKey])])),
          }),
          chunkEnd: () => [],
          warning: () => undefined,
        }),
      };
    },
  };
}

function engineOver(reader: ScriptedReader, config: ResolvedConfig, scopes: UsageScope[]): UsageEngine {
  return new UsageEngine({ config, reader, scopes: async () => scopes });
}

type TestEvent = StreamEvent<TestRecord>;

const accountsOf = (event: TestEvent): JsonObject | undefined => (event.kind === 'checkpoint' ? (event.state.accounts as JsonObject) : undefined);

describe('usage engine', () => {
  it('checkpoints a scope only over the windows finished in order when a later window finishes first', async () => {
    const config = twoWindowConfig();
    const lastComplete = lastCompleteDay(config);
    const firstWindowHeld = deferred();
    const reader = new ScriptedReader((_scope, range) =>
      range.from === FIRST_WINDOW.from ? { waitFor: firstWindowHeld.promise, needed: ['calls'], rows: [usage(MAIN, 'calls', '2023-06-01', '1.5')] } : { needed: ['sms'], rows: [usage(MAIN, 'sms', lastComplete, '0.25')] },
    );
    const { logger } = capturedLog();
    const events: TestEvent[] = [];
    for await (const event of engineOver(reader, config, [scopeOf(MAIN, false)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'incremental', state: undefined, logger })) {
      events.push(event);
      // The later window has been read and checkpointed: only now may the first one finish.
      if (event.kind === 'checkpoint' && events.some((seen) => seen.kind === 'record')) firstWindowHeld.release();
    }
    const sequence = events.filter((event) => event.kind !== 'estimate').map((event) => (event.kind === 'record' ? event.data.row : JSON.stringify(accountsOf(event))));
    // sms was non-zero on the cursor's own day: offset 0, category 0 of the state's list.
    const finalCursor = JSON.stringify({ [MAIN]: { start_date: lastComplete, recent: { '0': [0] } } });
    expect(sequence).to.deep.equal([
      '{}',
      `${MAIN} ${lastComplete} sms 0.25`,
      // The second window is done, the first is not: the cursor must not move past the first's start.
      '{}',
      `${MAIN} 2023-06-01 calls 1.5`,
      finalCursor,
      finalCursor,
    ]);
  });

  it('keeps the input cursor of a scope whose first window is unfinished, and the cursors of scopes it does not read', async () => {
    const config = twoWindowConfig();
    const other = 'AC00000000000000000000000000000009';
    const input = { accounts: { [MAIN]: { start_date: '2024-12-31', recent_categories: ['calls'] }, [other]: { start_date: '2025-03-01' } } };
    const reader = new ScriptedReader(() => ({ failure: new Error('the network is gone') }));
    const { logger } = capturedLog();
    const checkpoints: JsonObject[] = [];
    const read = async (): Promise<void> => {
      for await (const event of engineOver(reader, config, [scopeOf(MAIN, false)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'incremental', state: input, logger })) {
        if (event.kind === 'checkpoint') checkpoints.push(event.state);
      }
    };
    let failure: unknown;
    await read().catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(Error).with.property('message', 'the network is gone');
    // The input's cursors as they were, in the format this source writes.
    expect(checkpoints).to.deep.equal([{ version: 2, ...input }]);
    // The cursor (2024-12-31, lookback 3) re-reads from 2024-12-29: the first window starts there.
    expect(reader.calls.map((call) => call.range.from)).to.include('2024-12-29');
  });

  it('leaves out a subaccount that answers 403 with one warning, and reads the others', async () => {
    const config = twoWindowConfig();
    const reader = new ScriptedReader((scope, range) =>
      scope.accountSid === SUB ? { failure: new TwilioApiError('GET', `/2010-04-01/Accounts/${SUB}/Usage/Records.json`, 403, 20003) } : { needed: ['sms'], rows: [usage(MAIN, 'sms', range.from, '2')] },
    );
    const log = capturedLog();
    const events: TestEvent[] = [];
    for await (const event of engineOver(reader, config, [scopeOf(MAIN, false), scopeOf(SUB, true)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'incremental', state: undefined, logger: log.logger }))
      events.push(event);
    const records = events.flatMap((event) => (event.kind === 'record' ? [event.data.row] : []));
    expect(records).to.have.members([`${MAIN} ${FIRST_WINDOW.from} sms 2`, `${MAIN} ${SECOND_WINDOW.from} sms 2`]);
    const last = events.at(-1);
    expect(last?.kind).to.equal('checkpoint');
    expect(Object.keys((last && accountsOf(last)) ?? {})).to.deep.equal([MAIN]);
    const skipWarnings = (await log.lines()).filter((line) => line.startsWith('WARN') && line.includes(SUB));
    expect(skipWarnings).to.have.length(1);
    expect(skipWarnings[0]).to.match(/^WARN Skipping account AC0+2 in test_stream \(\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d\): .*HTTP 403.*left out of this sync/);
  });

  it('fails the read when the main account, which is never skipped, answers 403', async () => {
    const config = twoWindowConfig();
    const forbidden = new TwilioApiError('GET', `/2010-04-01/Accounts/${MAIN}/Usage/Records.json`, 403, 20003);
    const reader = new ScriptedReader(() => ({ failure: forbidden }));
    const { logger } = capturedLog();
    let failure: unknown;
    try {
      for await (const event of engineOver(reader, config, [scopeOf(MAIN, false)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'full_refresh', state: undefined, logger })) void event;
    } catch (error) {
      failure = error;
    }
    expect(failure).to.equal(forbidden);
  });

  it('fails the read when a subaccount fails in a way that is not about its access', async () => {
    const config = twoWindowConfig();
    const serverError = new TwilioApiError('GET', `/2010-04-01/Accounts/${SUB}/Usage/Records.json`, 500, 20500);
    const reader = new ScriptedReader((scope) => (scope.accountSid === SUB ? { failure: serverError } : { needed: [] }));
    const { logger } = capturedLog();
    let failure: unknown;
    try {
      for await (const event of engineOver(reader, config, [scopeOf(MAIN, false), scopeOf(SUB, true)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'full_refresh', state: undefined, logger })) void event;
    } catch (error) {
      failure = error;
    }
    expect(failure).to.equal(serverError);
  });

  it('estimates the rows from the first plan, then from every plan once all are known', async () => {
    const config = twoWindowConfig();
    const firstPlanSeen = deferred();
    const allPlanned = deferred();
    // Neither window settles before both are planned: a settled window would scale the estimate by what it emitted.
    const reader = new ScriptedReader((_scope, range) => (range.from === FIRST_WINDOW.from ? { needed: ['calls', 'sms'], endWaitsFor: allPlanned.promise } : { planWaitsFor: firstPlanSeen.promise, needed: ['sms'] }));
    const { logger } = capturedLog();
    const estimates: number[] = [];
    for await (const event of engineOver(reader, config, [scopeOf(MAIN, false)]).read('test_stream', recordingConsumer('rows'), { syncMode: 'full_refresh', state: undefined, logger })) {
      if (event.kind !== 'estimate') continue;
      estimates.push(event.rowEstimate);
      (estimates.length === 1 ? firstPlanSeen : allPlanned).release();
    }
    const firstDays = 731;
    const secondDays = 694;
    // The first plan says 2 rows a day over its days; the second window's days, not planned yet, count at the same rate.
    // Every window planned: what the plans expect. Settling at 0 rows changes it again, but within the interval between estimates: not said.
    expect(estimates).to.deep.equal([2 * firstDays + 2 * secondDays, 2 * firstDays + 1 * secondDays]);
  });

  it('keeps of each window what the consumers read after it in the same run use, and nothing for the last', async () => {
    const config = configOf({ start_date: SECOND_WINDOW.from });
    const reader = new ScriptedReader(() => ({ needed: [] }));
    const engine = engineOver(reader, config, [scopeOf(MAIN, false)]);
    const rows = recordingConsumer('rows');
    const chunks = recordingConsumer('chunks');
    engine.prepare([rows, chunks]);
    const { logger } = capturedLog();
    for (const consumer of [rows, chunks]) for await (const event of engine.read('test_stream', consumer, { syncMode: 'full_refresh', state: undefined, logger })) void event;
    expect(reader.calls.map((call) => call.options)).to.deep.equal([
      { use: 'rows', keepFor: 'chunks' },
      { use: 'chunks', keepFor: undefined },
    ]);
  });
});
