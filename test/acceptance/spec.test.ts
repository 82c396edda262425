import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';

import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli';
import { ofType } from '../helpers/protocol';
import { AcceptanceConnector, firstTest, hasSecretsConfig, type JsonObject, loadAcceptanceConfig, readJson, SECRETS_CONFIG_PATH, SIMULATOR_CONFIG_PATH } from './harness';
import { type Spec, SPEC_RULES } from './spec-lint';

const acceptance = loadAcceptanceConfig();
const specTest = firstTest(acceptance.acceptance_tests.spec);

/** CAT's test_config_match_spec: keys starting with "_" are dropped, then the config must validate. */
function configProblems(spec: Spec, config: JsonObject): string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(spec.connectionSpecification);
  const visible = Object.fromEntries(Object.entries(config).filter(([key]) => !key.startsWith('_')));
  return validate(visible) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

describe('acceptance (CAT TestSpec): spec', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let connector: AcceptanceConnector;
  let spec: Spec;
  let exitCode: number | null;
  let types: string[];

  before(async () => {
    connector = await AcceptanceConnector.start();
    const result = await connector.spec();
    exitCode = result.exitCode;
    types = result.messages.map((message) => message.type);
    spec = ofType(result.messages, 'SPEC')[0]?.spec as Spec;
  });
  after(() => connector.close());

  it('prints exactly one SPEC, within its first 10 lines, and exits 0', () => {
    expect(exitCode).to.equal(0);
    expect(types.filter((type) => type === 'SPEC')).to.have.length(1);
    expect(types.indexOf('SPEC')).to.be.within(0, 9);
  });

  it(`test_match_expected: the SPEC equals ${specTest.spec_path}`, () => {
    expect(specTest.spec_path, 'acceptance-test-config.yml names the spec file').to.be.a('string');
    expect(spec).to.deep.equal(readJson(specTest.spec_path as string));
  });

  for (const [name, rule] of Object.entries(SPEC_RULES)) {
    it(`${name}: the spec passes`, () => expect(rule(spec)).to.deep.equal([]));
  }

  it('test_config_match_spec: sample_config.json and the simulator config are valid configs', () => {
    for (const file of ['integration_tests/sample_config.json', SIMULATOR_CONFIG_PATH]) expect(configProblems(spec, readJson(file)), file).to.deep.equal([]);
  });

  it('test_config_match_spec: secrets/config.json, when there is one, is a valid config', function () {
    if (!hasSecretsConfig()) this.skip();
    expect(configProblems(spec, readJson(SECRETS_CONFIG_PATH))).to.deep.equal([]);
  });

  it('the config check rejects a config that breaks the spec, so the checks above can fail', () => {
    const broken = { ...readJson('integration_tests/sample_config.json'), account_sid: 'not-a-sid', lookback_days: 1.5 };
    expect(configProblems(spec, broken)).to.have.length(2);
  });
});

/** Each rule, shown a spec broken the way it forbids, objects: the rules above can fail. */
describe('acceptance: the spec lint rules reject what CAT rejects', () => {
  const spec = readJson<Spec>('spec.json');
  type Properties = Record<string, JsonObject>;
  const props = (value: Spec): Properties => value.connectionSpecification.properties as Properties;
  const branch = (value: Spec, index: number): Properties => ((props(value).credentials?.oneOf as JsonObject[])[index] as JsonObject).properties as Properties;
  const cases: Array<[keyof typeof SPEC_RULES, string, (broken: Spec) => void]> = [
    ['test_secret_is_properly_marked', 'a secret without airbyte_secret', (s) => delete branch(s, 0).api_key_secret?.airbyte_secret],
    ['test_secret_is_properly_marked', 'airbyte_secret on an object named credentials', (s) => void ((props(s).credentials as JsonObject).airbyte_secret = true)],
    ['test_enum_usage', 'a repeated enum value', (s) => void ((props(s).start_date as JsonObject).enum = ['2025-01-01', '2025-01-01'])],
    ['test_oneof_usage', 'a variant without its const', (s) => delete branch(s, 1).auth_type?.const],
    ['test_oneof_usage', 'a default that is not the const', (s) => void ((branch(s, 0).auth_type as JsonObject).default = 'auth_token')],
    ['test_oneof_usage', 'two variants with the same const', (s) => void ((branch(s, 1).auth_type as JsonObject).const = 'api_key')],
    ['test_property_type_is_not_array', 'null first in a type pair', (s) => void ((props(s).start_date as JsonObject).type = ['null', 'string'])],
    ['test_object_not_empty', 'an object without properties', (s) => void (props(s).extra = { type: 'object' })],
    ['test_array_type', 'an array of arrays', (s) => void ((props(s).subaccount_sids as JsonObject).items = { type: 'array' })],
    ['test_forbidden_complex_types', 'allOf', (s) => void ((props(s).start_date as JsonObject).allOf = [{ type: 'string' }])],
    ['test_forbidden_complex_types', '$ref', (s) => void (props(s).end_date = { $ref: '#/properties/start_date' })],
    ['test_duplicate_order', 'two properties with order 2', (s) => void ((props(s).end_date as JsonObject).order = 2)],
    ['test_nested_group', 'group below the top level', (s) => void ((branch(s, 0).api_key_sid as JsonObject).group = 'auth')],
    ['test_display_type', 'display_type without oneOf', (s) => void ((props(s).start_date as JsonObject).display_type = 'dropdown')],
    ['test_additional_properties_is_true', 'additionalProperties false', (s) => void (s.connectionSpecification.additionalProperties = false)],
    ['test_oauth_flow_parameters', 'advanced_auth naming a missing field', (s) => void (s.advanced_auth = { predicate_key: ['credentials', 'auth_method'] })],
  ];
  for (const [rule, what, breakIt] of cases) {
    it(`${rule} objects to ${what}`, () => {
      const broken = structuredClone(spec);
      breakIt(broken);
      expect(SPEC_RULES[rule]?.(broken)).to.have.length.greaterThan(0);
    });
  }
});
