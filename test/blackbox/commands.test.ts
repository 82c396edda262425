import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, SAMPLE_STANDARD_API_KEY, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { ofType, traceErrors } from '../helpers/protocol';

const root = path.resolve(__dirname, '../..');
const spec = JSON.parse(readFileSync(path.join(root, 'spec.json'), 'utf8')) as unknown;
const apiKeyConfig = {
  account_sid: SAMPLE_MAIN_ACCOUNT_SID,
  credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret },
  start_date: '2026-09-01',
  end_date: '2026-10-31',
};
const authTokenConfig = { ...apiKeyConfig, credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN } };

describe('black box: spec, check, discover and bad input', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let env: Record<string, string>;
  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    env = { TWILIO_API_BASE_URL: simulator.baseUrl };
  });
  after(() => simulator.close());

  it('spec prints exactly one SPEC, equal to spec.json', async () => {
    const result = await runCli(['spec']);
    expect(result.exitCode).to.equal(0);
    expect(result.messages).to.have.length(1);
    expect(result.messages[0]?.spec).to.deep.equal(spec);
  });

  it('check succeeds with an API key and says what it can see', async () => {
    const result = await runCli(['check', '--config', '{c.json}'], { env, files: { 'c.json': apiKeyConfig } });
    expect(result.exitCode).to.equal(0);
    const statuses = ofType(result.messages, 'CONNECTION_STATUS');
    expect(statuses).to.have.length(1);
    expect(statuses[0]?.connectionStatus.status).to.equal('SUCCEEDED');
    expect(statuses[0]?.connectionStatus.message).to.match(/whole bill of account AC/);
  });

  it('check succeeds with the Auth Token and counts the subaccounts', async () => {
    const result = await runCli(['check', '--config', '{c.json}'], { env, files: { 'c.json': authTokenConfig } });
    expect(ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus).to.deep.include({ status: 'SUCCEEDED' });
    expect(ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus.message).to.match(/main account and 2 subaccounts/);
  });

  const failures: Array<[string, unknown, Record<string, string> | undefined, RegExp]> = [
    ['a wrong secret', { ...apiKeyConfig, credentials: { ...apiKeyConfig.credentials, api_key_secret: 'wrong-secret-value' } }, undefined, /rejected the credentials \(HTTP 401, error 20003\)/],
    ['a malformed account SID', { ...apiKeyConfig, account_sid: 'AC123' }, undefined, /account_sid is malformed/],
    ['a non-loopback http URL', apiKeyConfig, { TWILIO_API_BASE_URL: 'http://example.com' }, /not a loopback host/],
    [
      'an unreachable host',
      apiKeyConfig,
      { TWILIO_API_BASE_URL: 'http://127.0.0.1:9' },
      /^Twilio at 127\.0\.0\.1:9 gave no usable answer after 2 attempts \(GET \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records\.json failed: connection error(?: [A-Z]+)?\)\./,
    ],
  ];
  for (const [what, config, envOverride, message] of failures) {
    it(`check reports FAILED with exit 0 for ${what}`, async () => {
      const result = await runCli(['check', '--config', '{c.json}'], { env: { ...env, ...envOverride }, files: { 'c.json': config } });
      expect(result.exitCode).to.equal(0);
      const statuses = ofType(result.messages, 'CONNECTION_STATUS');
      expect(statuses).to.have.length(1);
      expect(statuses[0]?.connectionStatus.status).to.equal('FAILED');
      expect(statuses[0]?.connectionStatus.message).to.match(message);
      expect(result.stdout).not.to.include('wrong-secret-value');
    });
  }

  it('check fails on the acceptance invalid_config.json', async () => {
    const invalid = JSON.parse(readFileSync(path.join(root, 'integration_tests/invalid_config.json'), 'utf8')) as unknown;
    const result = await runCli(['check', '--config', '{c.json}'], { env, files: { 'c.json': invalid } });
    expect(result.exitCode).to.equal(0);
    expect(ofType(result.messages, 'CONNECTION_STATUS').map((m) => m.connectionStatus.status)).to.deep.equal(['FAILED']);
  });

  it('discover prints one catalog with every stream, keys and cursors inside the schemas', async () => {
    const result = await runCli(['discover', '--config', '{c.json}'], { env, files: { 'c.json': apiKeyConfig } });
    expect(result.exitCode).to.equal(0);
    const [catalog] = ofType(result.messages, 'CATALOG');
    const streams = catalog?.catalog.streams as Array<{ name: string; json_schema: { properties: Record<string, { type: unknown }> }; source_defined_primary_key: string[][]; default_cursor_field?: string[] }>;
    expect(streams.map((stream) => stream.name)).to.deep.equal(['usage_records', 'usage_costs', 'accounts', 'usage_categories', 'focus_costs']);
    for (const stream of streams) {
      for (const [field] of stream.source_defined_primary_key) expect(stream.json_schema.properties, stream.name).to.have.property(field as string);
      if (stream.default_cursor_field) expect(stream.json_schema.properties).to.have.property(stream.default_cursor_field[0] as string);
    }
  });

  it('discover with an invalid config is a config_error TRACE and a non-zero exit', async () => {
    const result = await runCli(['discover', '--config', '{c.json}'], { env, files: { 'c.json': { ...apiKeyConfig, lookback_days: 'three' } } });
    expect(result.exitCode).to.equal(1);
    const [trace] = traceErrors(result.messages);
    expect(trace?.trace.error).to.include({ failure_type: 'config_error' });
    expect(trace?.trace.error.message).to.match(/lookback_days must be integer/);
  });

  it('read with an unknown stream or an invalid sync mode is a config_error TRACE and a non-zero exit', async () => {
    const catalog = { streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'INVALID' }] };
    const result = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}'], { env, files: { 'c.json': apiKeyConfig, 'cat.json': catalog } });
    expect(result.exitCode).to.not.equal(0);
    const errors = traceErrors(result.messages);
    expect(errors).to.have.length(1);
    expect(errors[0]?.trace.error.failure_type).to.equal('config_error');
    expect(ofType(result.messages, 'RECORD')).to.have.length(0);
  });

  it('read with a state that is not JSON is a config_error naming the state file', async () => {
    const catalog = JSON.parse(readFileSync(path.join(root, 'integration_tests/incremental_catalog.json'), 'utf8')) as unknown;
    const result = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}', '--state', '{s.json}'], {
      env,
      files: { 'c.json': apiKeyConfig, 'cat.json': catalog, 's.json': '{not json' },
    });
    expect(result.exitCode).to.equal(1);
    expect(traceErrors(result.messages)[0]?.trace.error.message).to.match(/state file is not valid JSON/);
  });
});
