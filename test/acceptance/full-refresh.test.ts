import { expect } from 'chai';

import { canonicalJson } from '../helpers/canonical-json';
import { CLI_TEST_TIMEOUT_MS, type CliResult } from '../helpers/cli';
import { traceErrors } from '../helpers/protocol';
import {
  AcceptanceConnector,
  configAt,
  type ConfiguredCatalog,
  configuredCatalogFromFile,
  type DiscoveredStream,
  firstTest,
  type JsonObject,
  loadAcceptanceConfig,
  recordMessages,
  restrictToMode,
  streamNames,
  withoutFields,
} from './harness';
import { primaryKeyOf } from './record-schema';

const acceptance = loadAcceptanceConfig();
const fullRefresh = firstTest(acceptance.acceptance_tests.full_refresh);
const catalogPath = fullRefresh.configured_catalog_path as string;

describe('acceptance (CAT TestFullRefresh): two full-refresh reads in a row', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let discovered: DiscoveredStream[];
  let catalog: ConfiguredCatalog;
  let first: CliResult;
  let second: CliResult;

  before(async () => {
    connector = await AcceptanceConnector.start();
    const config = configAt(fullRefresh.config_path);
    discovered = await connector.discoveredStreams(config);
    catalog = restrictToMode(configuredCatalogFromFile(catalogPath, discovered), 'full_refresh');
    first = await connector.read({ config, catalog });
    second = await connector.read({ config, catalog });
  });
  after(() => connector.close());

  it(`${catalogPath} configures every discovered stream`, () => {
    expect(streamNames(catalog).sort()).to.deep.equal(discovered.map((stream) => stream.name).sort());
  });

  it('both reads exit 0 without a TRACE ERROR, and the first has records', () => {
    for (const result of [first, second]) {
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(traceErrors(result.messages)).to.deep.equal([]);
    }
    expect(recordMessages(first.messages).length).to.be.greaterThan(0);
  });

  it('every record of the second read is emitted later than every record of the first', () => {
    const latestFirst = Math.max(...recordMessages(first.messages).map((message) => message.record.emitted_at as number));
    const earliestSecond = Math.min(...recordMessages(second.messages).map((message) => message.record.emitted_at as number));
    expect(latestFirst).to.be.lessThan(earliestSecond);
  });

  it('the first read is a subset of the second: by configured primary key, else by whole record without the ignored fields', () => {
    for (const entry of catalog.streams) {
      const ignored = new Set((fullRefresh.ignored_fields?.[entry.stream.name] ?? []).map((field) => field.name));
      const identity = (data: JsonObject): string => canonicalJson(entry.primary_key ? primaryKeyOf(data, entry.primary_key) : withoutFields(data, ignored));
      const later = new Set(recordMessages(second.messages, entry.stream.name).map((message) => identity(message.record.data as JsonObject)));
      const missing = recordMessages(first.messages, entry.stream.name)
        .map((message) => identity(message.record.data as JsonObject))
        .filter((key) => !later.has(key));
      expect(missing.slice(0, 5), `${entry.stream.name} records of the first read missing from the second`).to.deep.equal([]);
    }
  });
});
