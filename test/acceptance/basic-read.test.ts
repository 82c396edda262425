import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { canonicalJson } from '../helpers/canonical-json';
import { CLI_TEST_TIMEOUT_MS, type CliResult } from '../helpers/cli';
import { expectWellFormedRead, type Message, ofType, statesOf, traceErrors } from '../helpers/protocol';
import {
  AcceptanceConnector,
  catalogFromDiscovery,
  configAt,
  type ConfiguredCatalog,
  type DiscoveredStream,
  firstTest,
  type JsonObject,
  loadAcceptanceConfig,
  recordMessages,
  ROOT,
  streamNames,
  volatileFields,
  withoutFields,
} from './harness';
import { primaryKeyOf, recordProblems, recordValidator } from './record-schema';

const acceptance = loadAcceptanceConfig();
const basicRead = firstTest(acceptance.acceptance_tests.basic_read);
const volatile = volatileFields(acceptance);

interface ExpectedRecord {
  stream: string;
  data: JsonObject;
  emitted_at: number;
}

function expectedRecords(): ExpectedRecord[] {
  const file = basicRead.expect_records?.path as string;
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ExpectedRecord);
}

/** CAT's validate_stream_statuses: statuses for exactly the configured streams; per stream STARTED, RUNNING…, COMPLETE. */
function statusProblems(messages: readonly Message[], streams: readonly string[]): string[] {
  const byStream = new Map<string, string[]>();
  for (const message of ofType([...messages], 'TRACE')) {
    if (message.trace.type !== 'STREAM_STATUS') continue;
    const name = message.trace.stream_status.stream_descriptor.name as string;
    byStream.set(name, [...(byStream.get(name) ?? []), message.trace.stream_status.status as string]);
  }
  const problems: string[] = [];
  if (canonicalJson([...byStream.keys()].sort()) !== canonicalJson([...streams].sort())) problems.push(`statuses for ${[...byStream.keys()].join(', ')}`);
  for (const [name, statuses] of byStream) {
    const ok = statuses.length >= 3 && statuses[0] === 'STARTED' && statuses.at(-1) === 'COMPLETE' && statuses.slice(1, -1).every((status) => status === 'RUNNING');
    if (!ok) problems.push(`${name}: ${statuses.join(' → ')}`);
  }
  return problems;
}

/** Consecutive STATE messages of one stream with the same stream_state: a checkpoint that moved nothing. */
function repeatedStates(messages: readonly Message[], stream: string): string[] {
  const states = statesOf([...messages], stream).map((message) => canonicalJson(message.state.stream.stream_state));
  return states.filter((state, index) => index > 0 && state === states[index - 1]);
}

describe('acceptance (CAT TestBasicRead): a read of every discovered stream', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let discovered: DiscoveredStream[];
  let catalog: ConfiguredCatalog;
  let read: CliResult;
  const emptyStreams = (basicRead.empty_streams ?? []).map((entry) => entry.name);

  before(async () => {
    connector = await AcceptanceConnector.start();
    const config = configAt(basicRead.config_path);
    discovered = await connector.discoveredStreams(config);
    catalog = catalogFromDiscovery(discovered, emptyStreams);
    // The acceptance read compared across fetch plans (see the harness).
    read = await connector.read({ config, catalog, comparePlans: true });
  });
  after(() => connector.close());

  it('is configured as CAT wants it at high strictness', () => {
    expect(acceptance.test_strictness_level).to.equal('high');
    expect(basicRead.configured_catalog_path, 'high strictness builds the catalog from discover').to.equal(undefined);
    expect(basicRead.validate_schema ?? true).to.equal(true);
    expect(basicRead.expect_records?.path, 'expected records are required at high strictness').to.be.a('string');
    for (const entry of basicRead.empty_streams ?? []) expect(entry.bypass_reason, `${entry.name} needs a bypass_reason`).to.be.a('string');
  });

  it('exits 0 without a TRACE ERROR', () => {
    expect(read.exitCode, read.stderr).to.equal(0);
    expect(traceErrors(read.messages)).to.deep.equal([]);
  });

  it('reads at least one record of every configured stream (empty_streams aside)', () => {
    for (const stream of streamNames(catalog)) expect(recordMessages(read.messages, stream).length, stream).to.be.greaterThan(0);
  });

  it('validate_schema: every record is valid against its stream schema (strict integers, date and date-time formats, no undeclared field)', () => {
    for (const { stream } of catalog.streams) {
      const validate = recordValidator(stream.json_schema);
      const problems = recordMessages(read.messages, stream.name).flatMap((message) => recordProblems(message.record.data as JsonObject, stream.json_schema, validate).map((problem) => `${stream.name} ${problem}`));
      expect(problems.slice(0, 10)).to.deep.equal([]);
    }
  });

  it('validate_primary_keys_data_type: primary key values are scalars, never all null', () => {
    for (const { stream } of catalog.streams) {
      for (const message of recordMessages(read.messages, stream.name)) {
        const key = primaryKeyOf(message.record.data as JsonObject, stream.source_defined_primary_key ?? []);
        for (const value of key) expect(typeof value === 'object' && value !== null, `${stream.name} key part ${JSON.stringify(value)}`).to.equal(false);
        if (key.length > 0)
          expect(
            key.every((value) => value === null || value === undefined),
            `${stream.name} key all null`,
          ).to.equal(false);
      }
    }
  });

  it('validate_stream_statuses: STARTED, RUNNING…, COMPLETE for exactly the configured streams', () => {
    expect(statusProblems(read.messages, streamNames(catalog))).to.deep.equal([]);
  });

  it('validate_state_messages: STREAM states with sourceStats; each recordCount counts the records since that stream’s previous state', () => {
    const states = ofType(read.messages, 'STATE');
    expect(states.length).to.be.at.least(catalog.streams.length);
    for (const state of states) {
      expect(state.state.type).to.equal('STREAM');
      expect(state.state.sourceStats?.recordCount, 'sourceStats.recordCount').to.be.a('number');
    }
    expectWellFormedRead(read.messages, streamNames(catalog));
  });

  it('no stream repeats its previous state', () => {
    for (const stream of streamNames(catalog)) expect(repeatedStates(read.messages, stream), stream).to.deep.equal([]);
  });

  it('expect_records: every expected record is read, found by primary key, equal but for the volatile fields', () => {
    const expected = expectedRecords();
    expect(expected.length).to.be.greaterThan(0);
    const streams = new Map(discovered.map((stream) => [stream.name, stream]));
    for (const record of expected) {
      expect(streams.has(record.stream), `expected records of ${record.stream}, which discover does not list`).to.equal(true);
      expect(Number.isInteger(record.emitted_at), 'expected records are record messages with an integer emitted_at').to.equal(true);
    }
    for (const { stream } of catalog.streams) {
      const key = stream.source_defined_primary_key ?? [];
      const ignored = volatile.get(stream.name);
      const identity = (data: JsonObject): string => canonicalJson(key.length > 0 ? primaryKeyOf(data, key) : withoutFields(data, ignored));
      const actual = new Map(recordMessages(read.messages, stream.name).map((message) => [identity(message.record.data as JsonObject), message.record.data as JsonObject]));
      const mine = expected.filter((record) => record.stream === stream.name);
      expect(mine.length, `${stream.name} has records, so high strictness wants expected records of it`).to.be.greaterThan(0);
      for (const record of mine) {
        const found = actual.get(identity(record.data));
        expect(found, `${stream.name} ${identity(record.data)} was not read`).to.not.equal(undefined);
        expect(withoutFields(found as JsonObject, ignored), `${stream.name} ${identity(record.data)}`).to.deep.equal(withoutFields(record.data, ignored));
      }
    }
  });
});

describe('acceptance (CAT test_airbyte_trace_message_on_failure): a read with an invalid catalog', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let discovered: DiscoveredStream[];
  const config = configAt(basicRead.config_path);
  before(async () => {
    connector = await AcceptanceConnector.start();
    discovered = await connector.discoveredStreams(config);
  });
  after(() => connector.close());

  const expectTraceAndFailure = (result: CliResult): void => {
    expect(result.exitCode).to.not.equal(0);
    expect(traceErrors(result.messages).length).to.be.at.least(1);
    expect(recordMessages(result.messages)).to.deep.equal([]);
  };

  it('CAT’s own catalog (an unknown stream, sync_mode INVALID) gives a TRACE ERROR and a non-zero exit', async () => {
    const catalog = {
      streams: [
        {
          stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: { type: 'object', properties: { f1: { type: 'string' } } }, supported_sync_modes: ['full_refresh'] },
          sync_mode: 'INVALID',
          destination_sync_mode: 'INVALID',
        },
      ],
    };
    expectTraceAndFailure(await connector.read({ config, catalog }));
  });

  it('a discovered stream with sync_mode INVALID gives a TRACE ERROR and a non-zero exit', async () => {
    const catalog = catalogFromDiscovery(discovered.slice(0, 1));
    (catalog.streams[0] as { sync_mode: string }).sync_mode = 'INVALID';
    expectTraceAndFailure(await connector.read({ config, catalog }));
  });
});
