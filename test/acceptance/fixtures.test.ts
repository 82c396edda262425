import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { parse } from 'yaml';

import { VENDORED_PROTOCOL_PATH } from '../helpers/protocol';
import { ACCEPTANCE_CONFIG_SCHEMA } from './acceptance-config-schema';
import { ACCEPTANCE_CONFIG_PATH, type JsonObject, loadAcceptanceConfig, readJson, ROOT, SECRETS_CONFIG_PATH, SIMULATOR_CONFIG_PATH } from './harness';

const REQUIRED_SECTIONS = ['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental'];

/** Every string value under a key ending in `_path` (or `path` itself), as CAT resolves them. */
function referencedPaths(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedPaths);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => (/(^|_)path$/.test(key) && typeof item === 'string' ? [item] : referencedPaths(item)));
}

/** Entries that high strictness wants a bypass_reason on: empty_streams, ignored_fields, missing_streams. */
function bypassesWithoutReason(value: unknown, under = ''): string[] {
  if (Array.isArray(value)) {
    if (['empty_streams', 'missing_streams', 'ignored_fields'].includes(under)) {
      return value.filter((entry: { bypass_reason?: string }) => typeof entry.bypass_reason !== 'string').map((entry: { name?: string }) => `${under}: ${String(entry.name)}`);
    }
    return value.flatMap((item) => bypassesWithoutReason(item, under));
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => bypassesWithoutReason(item, under === 'ignored_fields' ? 'ignored_fields' : key));
}

function protocolValidator(definition: string): ReturnType<Ajv['compile']> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...(parse(readFileSync(VENDORED_PROTOCOL_PATH, 'utf8')) as JsonObject), $id: 'airbyte_protocol' });
  return ajv.compile({ $ref: `airbyte_protocol#/definitions/${definition}` });
}

describe('acceptance: acceptance-test-config.yml and integration_tests/', () => {
  const raw = parse(readFileSync(path.join(ROOT, ACCEPTANCE_CONFIG_PATH), 'utf8')) as JsonObject;
  const metadata = parse(readFileSync(path.join(ROOT, 'metadata.yaml'), 'utf8')) as { data: { dockerRepository: string } };

  it('is in CAT’s format, for this image', () => {
    const config = loadAcceptanceConfig();
    expect(config.connector_image).to.equal(`${metadata.data.dockerRepository}:dev`);
  });

  it('the format check can fail: an unknown key and a section with neither tests nor a reason are refused', () => {
    const validate = new Ajv({ strict: false }).compile(ACCEPTANCE_CONFIG_SCHEMA);
    expect(validate({ ...raw, tests: [] })).to.equal(false);
    expect(validate({ ...raw, acceptance_tests: { ...(raw.acceptance_tests as JsonObject), spec: {} } })).to.equal(false);
  });

  it('meets high strictness: every core section declared, every bypass explained', () => {
    expect(raw.test_strictness_level).to.equal('high');
    const sections = raw.acceptance_tests as JsonObject;
    for (const section of REQUIRED_SECTIONS) expect(sections, section).to.have.property(section);
    expect(bypassesWithoutReason(sections)).to.deep.equal([]);
    expect(bypassesWithoutReason({ empty_streams: [{ name: 'x' }] }), 'the bypass check can fail').to.have.length(1);
  });

  it('names files that exist, except the git-ignored secrets/config.json', () => {
    const paths = referencedPaths(raw.acceptance_tests);
    expect(paths).to.include(SECRETS_CONFIG_PATH);
    for (const file of paths.filter((candidate) => candidate !== SECRETS_CONFIG_PATH)) expect(existsSync(path.join(ROOT, file)), file).to.equal(true);
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n')).to.include('secrets/');
  });

  it('the catalogs are ConfiguredAirbyteCatalogs and the states lists of STREAM AirbyteStateMessages, as the protocol defines them', () => {
    const catalog = protocolValidator('ConfiguredAirbyteCatalog');
    for (const file of ['integration_tests/configured_catalog.json', 'integration_tests/incremental_catalog.json']) {
      expect(catalog(readJson(file)), `${file}: ${JSON.stringify(catalog.errors)}`).to.equal(true);
    }
    const state = protocolValidator('AirbyteStateMessage');
    for (const file of ['integration_tests/sample_state.json', 'integration_tests/abnormal_state.json']) {
      const messages = readJson<JsonObject[]>(file);
      expect(messages).to.be.an('array').with.lengthOf.above(0);
      for (const message of messages) {
        expect(state(message), `${file}: ${JSON.stringify(state.errors)}`).to.equal(true);
        expect(message.type, file).to.equal('STREAM');
      }
    }
  });

  it('invalid_config.json is valid against the spec, so check fails on its credentials, not its shape', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(readJson<{ connectionSpecification: JsonObject }>('spec.json').connectionSpecification);
    for (const file of ['integration_tests/invalid_config.json', SIMULATOR_CONFIG_PATH]) expect(validate(readJson(file)), `${file}: ${JSON.stringify(validate.errors)}`).to.equal(true);
  });
});
