import Ajv from 'ajv';
import { expect } from 'chai';

import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli';
import { ofType } from '../helpers/protocol';
import { AcceptanceConnector, configAt, type DiscoveredStream, firstTest, type JsonObject, loadAcceptanceConfig } from './harness';
import { additionalPropertiesTrue } from './spec-lint';

const acceptance = loadAcceptanceConfig();

/** The schema node at a field path (`properties` at every step), or undefined. */
function fieldSchema(schema: JsonObject, path: readonly string[]): JsonObject | undefined {
  let node: JsonObject | undefined = schema;
  for (const field of path) node = (node?.properties as Record<string, JsonObject> | undefined)?.[field];
  return node;
}

const typesOf = (node: JsonObject | undefined): unknown[] => (Array.isArray(node?.type) ? (node?.type as unknown[]) : [node?.type]);

/** Keyword uses anywhere in a schema, property names excepted. */
function keywordUses(schema: unknown, keyword: string, path = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, index) => keywordUses(item, keyword, `${path}/${index}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const own = keyword in schema && !path.endsWith('/properties') ? [`${path}/${keyword}`] : [];
  return [...own, ...Object.entries(schema).flatMap(([key, child]) => keywordUses(child, keyword, `${path}/${key}`))];
}

describe('acceptance (CAT TestConnection): check', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  before(async () => (connector = await AcceptanceConnector.start()));
  after(() => connector.close());

  for (const test of acceptance.acceptance_tests.connection.tests) {
    it(`${test.config_path ?? 'secrets/config.json'} gives exactly one CONNECTION_STATUS, ${test.status === 'succeed' ? 'SUCCEEDED' : 'FAILED'}, and exit 0`, async () => {
      expect(test.status, 'this connector never answers check with an exception').to.be.oneOf(['succeed', 'failed']);
      const result = await connector.check(configAt(test.config_path));
      expect(result.exitCode, result.stderr).to.equal(0);
      const statuses = ofType(result.messages, 'CONNECTION_STATUS');
      expect(statuses).to.have.length(1);
      expect(statuses[0]?.connectionStatus.status).to.equal(test.status === 'succeed' ? 'SUCCEEDED' : 'FAILED');
      expect(ofType(result.messages, 'TRACE'), 'no stream status or other trace during check').to.deep.equal([]);
    });
  }
});

describe('acceptance (CAT TestDiscovery): discover', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let streams: DiscoveredStream[];
  before(async () => {
    connector = await AcceptanceConnector.start();
    streams = await connector.discoveredStreams(configAt(firstTest(acceptance.acceptance_tests.discovery).config_path));
  });
  after(() => connector.close());

  it('test_discover: one non-empty catalog with unique stream names', () => {
    expect(streams.length).to.be.greaterThan(0);
    expect(new Set(streams.map((stream) => stream.name)).size).to.equal(streams.length);
  });

  it('test_streams_have_valid_json_schemas: every schema is a valid draft-07 schema of an object', () => {
    const ajv = new Ajv({ strict: false });
    for (const stream of streams) {
      expect(ajv.validateSchema(stream.json_schema), `${stream.name}: ${JSON.stringify(ajv.errors)}`).to.equal(true);
      expect(stream.json_schema.type, stream.name).to.equal('object');
      expect(stream.json_schema.$schema ?? 'http://json-schema.org/draft-07/schema#', stream.name).to.equal('http://json-schema.org/draft-07/schema#');
    }
  });

  it('test_defined_cursors_exist_in_schema: default cursors are scalar fields of the schema', () => {
    for (const stream of streams.filter((candidate) => candidate.default_cursor_field)) {
      const node = fieldSchema(stream.json_schema, stream.default_cursor_field as string[]);
      expect(node, `${stream.name} cursor ${String(stream.default_cursor_field)}`).to.not.equal(undefined);
      expect(
        typesOf(node).some((type) => type === 'object' || type === 'array'),
        `${stream.name} cursor is scalar`,
      ).to.equal(false);
    }
  });

  it('test_primary_keys_exist_in_schema and test_primary_keys_data_type: every key path is a scalar field', () => {
    for (const stream of streams) {
      for (const path of stream.source_defined_primary_key ?? []) {
        const node = fieldSchema(stream.json_schema, path);
        expect(node, `${stream.name} key ${path.join('.')}`).to.not.equal(undefined);
        expect(
          typesOf(node).some((type) => type === 'object' || type === 'array'),
          `${stream.name} key ${path.join('.')} is scalar`,
        ).to.equal(false);
      }
    }
  });

  it('test_defined_refs_exist_in_schema and test_defined_keyword_exist_in_schema: no $ref, allOf or not', () => {
    for (const stream of streams) for (const keyword of ['$ref', 'allOf', 'not']) expect(keywordUses(stream.json_schema, keyword), stream.name).to.deep.equal([]);
  });

  it('test_additional_properties_is_true: in every stream schema', () => {
    for (const stream of streams) expect(additionalPropertiesTrue(stream.json_schema), stream.name).to.deep.equal([]);
  });

  it('test_streams_has_sync_modes: every stream supports some mode, incremental ones with a source-defined cursor', () => {
    for (const stream of streams) {
      expect(stream.supported_sync_modes.length, stream.name).to.be.greaterThan(0);
      for (const mode of stream.supported_sync_modes) expect(mode, stream.name).to.be.oneOf(['full_refresh', 'incremental']);
      if (stream.supported_sync_modes.includes('incremental')) {
        expect(stream.source_defined_cursor, stream.name).to.equal(true);
        expect(stream.default_cursor_field, stream.name).to.be.an('array').with.lengthOf.above(0);
      }
    }
  });

  it('the catalog checks can fail: a schema-less cursor, an object key and a $ref are caught', () => {
    const broken: JsonObject = { type: 'object', properties: { id: { type: ['object', 'null'] }, ref: { $ref: '#/x' } } };
    expect(fieldSchema(broken, ['missing'])).to.equal(undefined);
    expect(typesOf(fieldSchema(broken, ['id']))).to.include('object');
    expect(keywordUses(broken, '$ref')).to.deep.equal(['/properties/ref/$ref']);
    expect(keywordUses({ properties: { not: { type: 'string' } } }, 'not'), 'a property named not is allowed').to.deep.equal([]);
  });
});
