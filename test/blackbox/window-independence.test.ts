import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { generateDataset } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { expectWellFormedRead, type Message, recordsOf, statesOf, traceErrors } from '../helpers/protocol';
import { configFor } from './read-checks';

const root = path.resolve(__dirname, '../..');
const incrementalCatalog = JSON.parse(readFileSync(path.join(root, 'integration_tests/incremental_catalog.json'), 'utf8')) as unknown;
const USAGE_STREAMS = ['usage_records', 'usage_costs', 'focus_costs'];
const START = '2026-09-01';
/** Both syncs end here: the second, with lookback 1, reads this day again and no other. */
const DAY = '2026-10-01';

/** A usage stream's STATE as its last message carries it. */
type StreamState = { stream: { stream_state: { accounts: Record<string, Record<string, unknown>> } } };

/** A usage_costs row as a destination sees it: key, price, where it was placed and why. */
const costRow = (row: Record<string, unknown>): string => [row.account_sid, row.start_date, row.category, row.parent_category, row.price, row.price_unit, row.placement].map(String).join(' ');
const focusRow = (row: Record<string, unknown>): string => [row.x_AccountSid, row.ChargePeriodStart, row.x_TwilioCategory, row.x_TwilioParentCategory, row.BilledCost].map(String).join(' ');

/** The non-zero rows of one stream on DAY, sorted (a zero row is a tombstone or an empty residual, which only says what is not there). */
function rowsOfDay(messages: Message[], stream: 'usage_costs' | 'focus_costs'): string[] {
  const [day, price, row] = stream === 'usage_costs' ? (['start_date', 'price', costRow] as const) : (['ChargePeriodStart', 'BilledCost', focusRow] as const);
  return recordsOf(messages, stream)
    .filter((record) => String(record[day]).startsWith(DAY) && record[price] !== 0)
    .map(row)
    .sort();
}

/**
 * An account whose products Twilio groups without saying so (a2p-registration-fees over its fees,
 * marketplace add-on groups, pstnconnectivity-inbound over its minutes) is placed by the numbers of
 * many days; one day alone, carrying cost in no category, does not prove it. A day's rows must not
 * depend on the window that read it: the placement memory the first sync keeps in its state is the
 * prior of the next sync's day, which then gets the rows the whole read gave it.
 */
describe('black box: a day gets the same rows from a whole read and from an incremental sync', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  afterEach(async () => simulator?.close());

  it('usage_costs and focus_costs, before and after the day is restated, and not without the memory', async () => {
    simulator = await startSimulator({ dataset: generateDataset({ seed: 61, startDate: '2026-08-01', endDate: '2026-10-31', subaccounts: 2, accountsWithUndocumentedGroupings: 3 }) });
    const dataset = simulator.dataset;
    const main = dataset.mainAccountSid;
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const config = configFor({ dataset, mode: 'api_key', from: START, to: DAY });
    const read = async (state?: unknown[], lookbackDays = 1): Promise<Message[]> => {
      const files: Record<string, unknown> = { 'c.json': { ...config, lookback_days: lookbackDays }, 'cat.json': incrementalCatalog, ...(state ? { 's.json': state } : {}) };
      const result = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}', ...(state ? ['--state', '{s.json}'] : [])], { env, files });
      expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
      expect(result.exitCode).to.equal(0);
      expectWellFormedRead(result.messages, USAGE_STREAMS);
      return result.messages;
    };
    const finalStates = (messages: Message[]): StreamState[] => USAGE_STREAMS.map((stream) => statesOf(messages, stream).at(-1)?.state as StreamState);

    const whole = await read();
    const first = finalStates(whole);
    const [recordsState, costsState, focusState] = first;
    // Only the cost streams place, and what their numbers proved is kept per account.
    expect(recordsState?.stream.stream_state.accounts[main]).to.not.have.property('placement');
    for (const state of [costsState, focusState]) expect(state?.stream.stream_state.accounts[main]?.placement).to.be.an('array').with.length.above(0);
    expect(
      rowsOfDay(whole, 'usage_costs').filter((row) => row.endsWith(' numbers')),
      'the whole read places by the numbers',
    ).to.have.length.above(0);

    const expectSameRows = (label: string, wholeRead: Message[], incremental: Message[]): void => {
      for (const stream of ['usage_costs', 'focus_costs'] as const) expect(rowsOfDay(incremental, stream), `${label}: ${stream}`).to.deep.equal(rowsOfDay(wholeRead, stream));
    };
    expectSameRows('as served', whole, await read(first));
    // Three days read again (the default lookback) agree too.
    expectSameRows('three days', whole, await read(first, 3));

    // Without the memory the day gets other rows: what the test above proves is the memory's doing.
    const forgotten = JSON.parse(JSON.stringify(first)) as typeof first;
    for (const state of forgotten) for (const cursor of Object.values(state.stream.stream_state.accounts)) delete cursor.placement;
    expect(rowsOfDay(await read(forgotten), 'usage_costs')).to.not.deep.equal(rowsOfDay(whole, 'usage_costs'));

    // Twilio restates a leaf of the day: a whole read and the incremental one both see it, and still agree.
    const leaf = dataset.truthNodes().find((node) => node.hasOwnUsage && node.children.length === 0 && (dataset.scopeUsage(main, true, isoDateToDay(DAY), isoDateToDay(DAY)).get(node.category)?.price ?? 0n) > 0n);
    expect(leaf, `a priced leaf on ${DAY}`).to.not.equal(undefined);
    dataset.restate(main, DAY, leaf?.category as string, null);
    expectSameRows('restated', await read(), await read(first));
  });
});
