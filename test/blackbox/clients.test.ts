/**
 * What real Airbyte clients send, beyond what the platform itself does: PyAirbyte's default read
 * asks incremental of every stream (see the reference notes on Airbyte clients).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { canonicalJson } from '../helpers/canonical-json';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { expectWellFormedRead, type Message, ofType, recordsOf, traceErrors } from '../helpers/protocol';

const root = path.resolve(__dirname, '../..');
const config = JSON.parse(readFileSync(path.join(root, 'integration_tests/simulator_config.json'), 'utf8')) as unknown;
const platformCatalog = JSON.parse(readFileSync(path.join(root, 'integration_tests/configured_catalog.json'), 'utf8')) as unknown;

/**
 * The catalog PyAirbyte writes for `select_all_streams(); read()`: every discovered stream as
 * discovered, incremental and overwrite whatever it supports, serialised by pydantic with its
 * unset fields as nulls.
 */
function pyAirbyteCatalog(discovered: Message): unknown {
  return {
    streams: (discovered.catalog.streams as Array<Record<string, unknown>>).map((stream) => ({
      stream,
      sync_mode: 'incremental',
      destination_sync_mode: 'overwrite',
      cursor_field: null,
      primary_key: stream.source_defined_primary_key ?? null,
      generation_id: null,
      minimum_generation_id: null,
      sync_id: null,
    })),
  };
}

/** A stream's records without their read time, sorted: windows are read side by side, in no fixed order. */
function recordsWithoutTimes(messages: Message[], stream: string): string[] {
  return recordsOf(messages, stream)
    .map(({ as_of: _asOf, ...fields }) => canonicalJson(fields))
    .sort();
}

describe('black box: the catalogs real clients send', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let env: Record<string, string>;
  let discovered: Message;
  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const discover = await runCli(['discover', '--config', '{config.json}'], { env, files: { 'config.json': config } });
    expect(discover.exitCode, discover.stderr).to.equal(0);
    discovered = ofType(discover.messages, 'CATALOG')[0] as Message;
  });
  after(() => simulator.close());

  describe("PyAirbyte's default read (incremental asked of every stream, full-refresh-only ones included)", () => {
    let pyAirbyte: CliResult;
    let platform: CliResult;
    before(async () => {
      const read = (catalog: unknown): Promise<CliResult> => runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], { env, files: { 'config.json': config, 'catalog.json': catalog } });
      [pyAirbyte, platform] = await Promise.all([read(pyAirbyteCatalog(discovered)), read(platformCatalog)]);
    });

    it('completes every stream with exit 0 and no TRACE ERROR', () => {
      expect(traceErrors(pyAirbyte.messages).map((message) => message.trace.error.message)).to.deep.equal([]);
      expect(pyAirbyte.exitCode, pyAirbyte.stderr).to.equal(0);
      expect(pyAirbyte.stderr).to.equal('');
      expectWellFormedRead(pyAirbyte.messages, ['usage_records', 'usage_costs', 'accounts', 'usage_categories', 'focus_costs']);
    });

    it('warns once for each full-refresh-only stream, naming it, and for no other', () => {
      const warnings = ofType(pyAirbyte.messages, 'LOG')
        .filter((message) => message.log.level === 'WARN')
        .map((message) => String(message.log.message))
        .filter((message) => message.includes('supports only full_refresh'));
      expect(warnings).to.deep.equal(['accounts', 'usage_categories'].map((name) => `The catalog asks for incremental on the stream "${name}", which supports only full_refresh: it is read as a full refresh.`));
    });

    it('reads the same records and states as the platform catalog, the full-refresh streams read in full', () => {
      for (const stream of ['usage_records', 'usage_costs', 'accounts', 'usage_categories', 'focus_costs']) {
        const records = recordsWithoutTimes(pyAirbyte.messages, stream);
        expect(records.length, `records of ${stream}`).to.be.greaterThan(0);
        expect(records, stream).to.deep.equal(recordsWithoutTimes(platform.messages, stream));
      }
      // The last state of each stream: intermediate ones follow windows as they finish.
      const finalStates = (result: CliResult): Map<string, unknown> => new Map(ofType(result.messages, 'STATE').map((message) => [message.state.stream.stream_descriptor.name, message.state.stream.stream_state]));
      expect(finalStates(pyAirbyte)).to.deep.equal(finalStates(platform));
    });
  });
});
