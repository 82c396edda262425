import { expect } from 'chai';

import { CLI_TEST_TIMEOUT_MS, type CliResult } from '../helpers/cli';
import { type Message, ofType, statesOf, traceErrors } from '../helpers/protocol';
import {
  AcceptanceConnector,
  configAt,
  type ConfiguredCatalog,
  configuredCatalogFromFile,
  type DiscoveredStream,
  firstTest,
  type JsonObject,
  latestStateInput,
  loadAcceptanceConfig,
  readJson,
  recordMessages,
  restrictToMode,
  sameMultiset,
  type StateInput,
  streamNames,
  volatileFields,
  withoutFields,
} from './harness';
import { type CountedState, selectCheckpoints } from './sequential-slices';

const acceptance = loadAcceptanceConfig();
const incremental = firstTest(acceptance.acceptance_tests.incremental);
const volatile = volatileFields(acceptance);
const catalogPath = incremental.configured_catalog_path as string;
const config = configAt(incremental.config_path);

const DAY = /^\d{4}-\d{2}-\d{2}/;

/** Every date-valued leaf of a state, by its path: the cursors it holds. */
function cursorsOf(state: unknown, path = ''): Map<string, string> {
  const cursors = new Map<string, string>();
  if (typeof state === 'string' && DAY.test(state)) cursors.set(path, state);
  else if (typeof state === 'object' && state !== null) {
    for (const [key, value] of Object.entries(state)) for (const [at, cursor] of cursorsOf(value, `${path}/${key}`)) cursors.set(at, cursor);
  }
  return cursors;
}

/** Emitted states that lost or moved back a cursor of the input state. */
function cursorRegressions(input: StateInput, messages: readonly Message[]): string[] {
  const problems: string[] = [];
  for (const entry of input) {
    const before = cursorsOf(entry.stream.stream_state);
    for (const message of statesOf([...messages], entry.stream.stream_descriptor.name)) {
      const after = cursorsOf(message.state.stream.stream_state);
      for (const [path, cursor] of before) {
        const now = after.get(path);
        if (now === undefined || now < cursor) problems.push(`${entry.stream.stream_descriptor.name}${path}: ${cursor} → ${now ?? 'gone'}`);
      }
    }
  }
  return problems;
}

/** Record data without the volatile fields, for DeepDiff-style comparisons. */
function stableRecords(messages: readonly Message[], stream?: string): JsonObject[] {
  return recordMessages(messages, stream).map((message) => withoutFields(message.record.data as JsonObject, volatile.get(message.record.stream as string)));
}

function expectCleanRead(result: CliResult): void {
  expect(result.exitCode, result.stderr).to.equal(0);
  expect(traceErrors(result.messages)).to.deep.equal([]);
}

describe('acceptance (CAT TestIncremental)', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let discovered: DiscoveredStream[];
  let catalog: ConfiguredCatalog;

  before(async () => {
    connector = await AcceptanceConnector.start();
    discovered = await connector.discoveredStreams(config);
    catalog = restrictToMode(configuredCatalogFromFile(catalogPath, discovered), 'incremental');
  });
  after(() => connector.close());

  it(`${catalogPath} configures every stream that discover says supports incremental`, () => {
    const incrementalStreams = discovered.filter((stream) => stream.supported_sync_modes.includes('incremental')).map((stream) => stream.name);
    expect(incrementalStreams.length).to.be.greaterThan(0);
    expect(streamNames(catalog).sort()).to.deep.equal(incrementalStreams.sort());
  });

  it('test_two_sequential_reads: the first read has records and states; the second, from its states, reads something else and never moves a cursor back', async () => {
    const first = await connector.read({ config, catalog });
    expectCleanRead(first);
    expect(ofType(first.messages, 'STATE').length).to.be.greaterThan(0);
    expect(recordMessages(first.messages).length).to.be.greaterThan(0);
    const state = latestStateInput(first.messages);
    expect([...state.flatMap((entry) => [...cursorsOf(entry.stream.stream_state).keys()])].length, 'the states hold cursors').to.be.greaterThan(0);
    const second = await connector.read({ config, catalog, state });
    expectCleanRead(second);
    expect(sameMultiset(stableRecords(first.messages), stableRecords(second.messages)), 'the second read returned the same records').to.equal(false);
    expect(cursorRegressions(state, second.messages)).to.deep.equal([]);
  });

  for (const stream of readJson<ConfiguredCatalog>(catalogPath).streams.map((entry) => entry.stream.name)) {
    // Like every read here but the basic read's, compared across plans only with TEST_PLAN_PARITY=all:
    // basic-read.test.ts compares a read of every stream, and read.test.ts an incremental re-read.
    it(`test_read_sequential_slices (${stream}): a read from each sampled checkpoint returns at least the records that followed it, and not the first read's`, async () => {
      const single = { streams: catalog.streams.filter((entry) => entry.stream.name === stream) };
      const first = await connector.read({ config, catalog: single });
      expectCleanRead(first);
      const records = stableRecords(first.messages, stream);
      const states = statesOf(first.messages, stream);
      // CAT skips a stream whose full read has no records or no states; this suite wants both.
      expect(records.length, 'records in the first read').to.be.greaterThan(0);
      expect(states.length, 'states in the first read').to.be.greaterThan(0);
      const counted: Array<CountedState<Message>> = states.map((message) => {
        expect(message.state.sourceStats?.recordCount, 'every state has sourceStats.recordCount').to.be.a('number');
        return { message, streamState: message.state.stream.stream_state, recordCount: message.state.sourceStats.recordCount as number };
      });
      const selected = selectCheckpoints(counted);
      expect(selected.length, 'no suitable state checkpoint, likely due to a zero record count in the states').to.be.greaterThan(0);
      let state: StateInput = [];
      for (const [index, checkpoint] of selected.entries()) {
        state = latestStateInput([checkpoint.message], state);
        const next = await connector.read({ config, catalog: single, state });
        expectCleanRead(next);
        const nextRecords = stableRecords(next.messages, stream);
        expect(nextRecords.length, `read ${index + 2} of ${selected.length + 1}`).to.be.at.least(checkpoint.expectedRecords);
        expect(sameMultiset(records, nextRecords), `read ${index + 2} returned the first read's records`).to.equal(false);
        expect(cursorRegressions(state, next.messages)).to.deep.equal([]);
      }
    });
  }

  it('test_state_with_abnormally_large_values: the future state covers every incremental stream, reads no record and still emits states', async () => {
    const futureState = incremental.future_state;
    expect(futureState?.future_state_path, 'high strictness wants a future state').to.be.a('string');
    const state = readJson<StateInput>(futureState?.future_state_path as string);
    const covered = new Set([...state.map((entry) => entry.stream.stream_descriptor.name), ...(futureState?.missing_streams ?? []).map((entry) => entry.name)]);
    for (const stream of streamNames(catalog)) expect(covered.has(stream), `${stream} is missing from the future state`).to.equal(true);
    const result = await connector.read({ config, catalog, state });
    expectCleanRead(result);
    expect(recordMessages(result.messages)).to.deep.equal([]);
    expect(ofType(result.messages, 'STATE').length).to.be.at.least(1);
    for (const stream of streamNames(catalog)) expect(statesOf(result.messages, stream).length, stream).to.be.at.least(1);
    expect(cursorRegressions(state, result.messages)).to.deep.equal([]);
  });

  it('integration_tests/sample_state.json is a state this source reads, and it keeps its cursors', async () => {
    const state = readJson<StateInput>('integration_tests/sample_state.json');
    const result = await connector.read({ config, catalog, state });
    expectCleanRead(result);
    expect(cursorRegressions(state, result.messages)).to.deep.equal([]);
  });
});

describe('acceptance: the cursor check', () => {
  const input: StateInput = [{ type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: { accounts: { a: { start_date: '2026-09-30' } } } } }];
  const emitted = (streamState: JsonObject): Message[] => [{ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: streamState } } }];

  it('accepts a cursor that stays or moves forward', () => {
    expect(cursorRegressions(input, emitted({ accounts: { a: { start_date: '2026-09-30' } } }))).to.deep.equal([]);
    expect(cursorRegressions(input, emitted({ accounts: { a: { start_date: '2026-10-01' }, b: { start_date: '2020-01-01' } } }))).to.deep.equal([]);
  });

  it('objects to a cursor that moves back or disappears', () => {
    expect(cursorRegressions(input, emitted({ accounts: { a: { start_date: '2026-09-29' } } }))).to.have.length(1);
    expect(cursorRegressions(input, emitted({ accounts: {} }))).to.have.length(1);
  });
});
