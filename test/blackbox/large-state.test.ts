import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { PlacementMemory } from '../../source-twilio-costs/costs/placement-memory';
import { addDays } from '../../source-twilio-costs/dates';
import { MAX_INPUT_FILE_BYTES } from '../../source-twilio-costs/protocol/runner';
import { CategoryDays } from '../../source-twilio-costs/usage/category-days';
import { type ScopeCursor, serializeUsageState } from '../../source-twilio-costs/usage/usage-state';
import { sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { expectWellFormedRead, type Message, statesOf, traceErrors } from '../helpers/protocol';

const root = path.resolve(__dirname, '../..');
const incrementalCatalog = JSON.parse(readFileSync(path.join(root, 'integration_tests/incremental_catalog.json'), 'utf8')) as unknown;
const USAGE_STREAMS = ['usage_records', 'usage_costs', 'focus_costs'];
const ACCOUNTS = 10_000;
const CURSOR_DAY = '2026-10-30';
const LOOKBACK_DAYS = 3;

/** A made-up subaccount SID, distinct per index. */
const sidOf = (index: number): string => `AC${index.toString(16).padStart(32, '0')}`;

/**
 * The cursors the connector writes for an ISV's accounts after a sync, each with the categories it
 * emitted non-zero on the days the next sync re-reads: `steady` of them on every such day, and a
 * few more on some days only (as a weekly fee or a burst of usage is); and in the cost streams a
 * placement memory of `placed` categories the numbers moved (typical accounts have 0 to 5).
 */
function cursorsOf(categories: readonly string[], steady: number, sporadic: number, placed = 0): Map<string, ScopeCursor> {
  const cursors = new Map<string, ScopeCursor>();
  const from = addDays(CURSOR_DAY, 1 - LOOKBACK_DAYS);
  for (let index = 0; index < ACCOUNTS; index += 1) {
    const recent = new CategoryDays(from);
    // Accounts differ in which categories they use: a window of the list that moves with the account.
    const used = Array.from({ length: steady + sporadic }, (_, slot) => categories[(index * 7 + slot) % categories.length] as string);
    used.forEach((category, slot) => {
      if (slot < steady) recent.addRange(category, from, CURSOR_DAY);
      else recent.add(category, addDays(from, (index + slot) % LOOKBACK_DAYS));
    });
    const moved = Array.from({ length: placed }, (_, slot) => ({
      category: categories[(index * 3 + slot) % categories.length] as string,
      parent: slot % 2 === 0 ? null : (categories[(index + slot + 1) % categories.length] as string),
      firstDay: '2025-11-01',
      lastDay: CURSOR_DAY,
    }));
    cursors.set(sidOf(index), { startDate: CURSOR_DAY, recent, ...(placed > 0 ? { placementMemory: new PlacementMemory(moved.filter((place) => place.parent !== place.category)) } : {}) });
  }
  return cursors;
}

/** The final state of each usage stream. */
function finalStates(messages: Message[]): unknown[] {
  return USAGE_STREAMS.map((stream) => statesOf(messages, stream).at(-1));
}

/**
 * An ISV with 10,000 subaccounts: the state the connector writes for them must fit what it reads
 * back (its input files are capped at MAX_INPUT_FILE_BYTES), sync after sync.
 */
describe('black box: the state of 10,000 accounts', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('is read back whole, kept for the accounts not read, and what it writes back is read again', async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    const dataset = simulator.dataset;
    // Realistic names: the simulator's categories, rollups and leaves alike.
    const categories = [...new Set(dataset.truthNodes().map((node) => node.category.toLowerCase()))];
    expect(categories.length).to.be.greaterThan(40);
    const recordCursors = cursorsOf(categories, 30, 10);
    const costCursors = cursorsOf(categories, 15, 5, 3);
    const state = USAGE_STREAMS.map((name) => ({
      type: 'STREAM',
      stream: { stream_descriptor: { name }, stream_state: serializeUsageState({ accounts: {} }, name === 'usage_records' ? recordCursors : costCursors) },
    }));
    const bytes = Buffer.byteLength(JSON.stringify(state));
    expect(bytes, 'the state file').to.be.lessThan(MAX_INPUT_FILE_BYTES);

    const config = {
      account_sid: dataset.mainAccountSid,
      credentials: { auth_type: 'auth_token', auth_token: dataset.accounts[0]?.authToken },
      start_date: '2026-10-01',
      end_date: '2026-10-31',
      lookback_days: LOOKBACK_DAYS,
    };
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const first = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}', '--state', '{s.json}'], { env, files: { 'c.json': config, 'cat.json': incrementalCatalog, 's.json': state } });
    expect(traceErrors(first.messages), first.stderr).to.deep.equal([]);
    expect(first.exitCode).to.equal(0);
    expectWellFormedRead(first.messages, USAGE_STREAMS);
    const written = finalStates(first.messages) as Array<{ state: { stream: { stream_state: { accounts: Record<string, { start_date: string; placement?: unknown }> } } } }>;
    for (const message of written) {
      const accounts = message.state.stream.stream_state.accounts;
      // The accounts this sync did not read keep their cursors; the sample's own are read and added.
      expect(accounts[sidOf(0)]?.start_date).to.equal(CURSOR_DAY);
      expect(accounts[sidOf(0)]?.placement !== undefined, 'a placement memory kept where the input had one').to.equal(message !== written[0]);
      expect(accounts[sidOf(ACCOUNTS - 1)]?.start_date).to.equal(CURSOR_DAY);
      expect(accounts[dataset.mainAccountSid]?.start_date).to.equal('2026-10-31');
    }

    const again = written.map((message) => message.state);
    expect(Buffer.byteLength(JSON.stringify(again)), 'the state it wrote').to.be.lessThan(MAX_INPUT_FILE_BYTES);
    const second = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}', '--state', '{s.json}'], { env, files: { 'c.json': config, 'cat.json': incrementalCatalog, 's.json': again }, jsonOnly: true });
    expect(traceErrors(second.messages), second.stderr).to.deep.equal([]);
    expect(second.exitCode).to.equal(0);
  });
});
