import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';

import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli';
import { ofType } from '../helpers/protocol';
import { breakingChangeAllowed, catalogBreakingChanges, type CatalogStream, specBreakingChanges } from './backward-compat';
import { AcceptanceConnector, configAt, firstTest, type JsonObject, loadAcceptanceConfig, readJson } from './harness';

const RELEASED = 'integration_tests/released';
const released = {
  version: readJson<{ version: string }>(`${RELEASED}/release.json`).version,
  spec: readJson(`${RELEASED}/spec.json`),
  catalog: readJson<{ streams: CatalogStream[] }>(`${RELEASED}/catalog.json`),
  configs: readJson<JsonObject[]>(`${RELEASED}/configs.json`),
};
const currentVersion = readJson<{ version: string }>('package.json').version;
const numeric = (version: string): number[] => version.split('.').map(Number);

describe(`acceptance (CAT test_backward_compatibility): against the released ${released.version} snapshots`, function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let spec: JsonObject;
  let catalog: { streams: CatalogStream[] };

  before(async () => {
    connector = await AcceptanceConnector.start();
    spec = ofType((await connector.spec()).messages, 'SPEC')[0]?.spec as JsonObject;
    const discover = await connector.discover(configAt(firstTest(loadAcceptanceConfig().acceptance_tests.discovery).config_path));
    catalog = ofType(discover.messages, 'CATALOG')[0]?.catalog as { streams: CatalogStream[] };
  });
  after(() => connector.close());

  it('the snapshots are of a version no later than package.json’s (regenerate with scripts/release-snapshots.js on release)', () => {
    const [releasedParts, currentParts] = [numeric(released.version), numeric(currentVersion)];
    const order = releasedParts.map((part, index) => part - (currentParts[index] ?? 0)).find((difference) => difference !== 0) ?? 0;
    expect(order, `${released.version} vs ${currentVersion}`).to.be.at.most(0);
  });

  it('the spec has no breaking change, unless package.json’s major version went up', function () {
    if (breakingChangeAllowed(released.version, currentVersion)) this.skip();
    expect(specBreakingChanges(released.spec, spec)).to.deep.equal([]);
  });

  it('the catalog has no breaking change, unless package.json’s major version went up', function () {
    if (breakingChangeAllowed(released.version, currentVersion)) this.skip();
    expect(catalogBreakingChanges(released.catalog, catalog)).to.deep.equal([]);
  });

  it('every config the released version accepted is still valid', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(spec.connectionSpecification as JsonObject);
    expect(released.configs.length).to.be.greaterThan(0);
    for (const config of released.configs) expect(validate(config), JSON.stringify(validate.errors)).to.equal(true);
  });
});

describe('acceptance: the backward-compatibility rules catch breaking changes and allow the rest', () => {
  type Properties = Record<string, JsonObject>;
  const specProps = (value: JsonObject): Properties => (value.connectionSpecification as JsonObject).properties as Properties;
  const stream = (value: { streams: CatalogStream[] }, name: string): CatalogStream => value.streams.find((candidate) => candidate.name === name) as CatalogStream;
  const fields = (value: CatalogStream): Properties => value.json_schema.properties as Properties;
  const anyStream = released.catalog.streams[0] as CatalogStream;
  const cursorStream = released.catalog.streams.find((candidate) => candidate.default_cursor_field) as CatalogStream;

  const specCases: Array<[string, (spec: JsonObject) => void, boolean]> = [
    ['a new required field', (s) => void ((s.connectionSpecification as JsonObject).required as string[]).push('start_date'), true],
    ['a changed type', (s) => void ((specProps(s).lookback_days as JsonObject).type = 'string'), true],
    ['a type widened to [T, "null"]', (s) => void ((specProps(s).start_date as JsonObject).type = ['string', 'null']), false],
    ['an enum on an existing field', (s) => void ((specProps(s).start_date as JsonObject).enum = ['2025-01-01']), true],
    ['a new optional field', (s) => void (specProps(s).page_size = { type: 'integer', order: 9 }), false],
  ];
  for (const [what, change, breaking] of specCases) {
    it(`spec: ${what} is ${breaking ? '' : 'not '}breaking`, () => {
      const next = structuredClone(released.spec);
      change(next);
      expect(specBreakingChanges(released.spec, next).length > 0).to.equal(breaking);
    });
  }

  it('spec: a narrowed type list and a removed enum value are breaking', () => {
    const before = structuredClone(released.spec);
    (specProps(before).start_date as JsonObject).type = ['string', 'null'];
    (specProps(before).lookback_days as JsonObject).enum = [1, 3, 7];
    const after = structuredClone(before);
    (specProps(after).start_date as JsonObject).type = 'string';
    (specProps(after).lookback_days as JsonObject).enum = [1, 3];
    expect(specBreakingChanges(before, after)).to.have.length(2);
  });

  const catalogCases: Array<[string, (catalog: { streams: CatalogStream[] }) => void, boolean]> = [
    ['a removed stream', (c) => void c.streams.splice(0, 1), true],
    ['a removed field', (c) => delete fields(stream(c, anyStream.name))[Object.keys(fields(anyStream))[0] as string], true],
    ['a changed primary key', (c) => void (stream(c, anyStream.name).source_defined_primary_key = [['other']]), true],
    ['a changed cursor', (c) => void (stream(c, cursorStream.name).default_cursor_field = ['end_date']), true],
    ['a field type that changed', (c) => void ((Object.values(fields(stream(c, anyStream.name)))[0] as JsonObject).type = 'boolean'), true],
    ['a new stream', (c) => void c.streams.push({ ...structuredClone(anyStream), name: 'new_stream' }), false],
    ['a new field', (c) => void (fields(stream(c, anyStream.name)).new_field = { type: ['string', 'null'] }), false],
  ];
  for (const [what, change, breaking] of catalogCases) {
    it(`catalog: ${what} is ${breaking ? '' : 'not '}breaking`, () => {
      const next = structuredClone(released.catalog);
      change(next);
      expect(catalogBreakingChanges(released.catalog, next).length > 0).to.equal(breaking);
    });
  }

  it('a breaking change is allowed only with a higher major version', () => {
    expect(breakingChangeAllowed('0.1.0', '1.0.0')).to.equal(true);
    expect(breakingChangeAllowed('1.4.2', '2.0.0')).to.equal(true);
    expect(breakingChangeAllowed('0.1.0', '0.2.0')).to.equal(false);
    expect(breakingChangeAllowed('1.4.2', '1.5.0')).to.equal(false);
  });
});
