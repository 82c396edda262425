import { expect } from 'chai';

import { ConfigParser, loadSpec, nonNegativeNumberFromEnv } from '../../source-twilio-costs/config';
import { ConfigError } from '../../source-twilio-costs/protocol/errors';

const MAIN = 'AC0123456789abcdef0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const NOW = new Date('2026-11-25T10:00:00Z');
const parser = new ConfigParser(loadSpec());
const apiKey = { auth_type: 'api_key', api_key_sid: KEY, api_key_secret: 's3cret-value' };

function parse(config: unknown, env: { TWILIO_API_BASE_URL?: string } = {}) {
  return parser.parse(config, env, NOW);
}

function expectConfigError(config: unknown, pattern: RegExp, env: { TWILIO_API_BASE_URL?: string } = {}): void {
  expect(() => parse(config, env)).to.throw(ConfigError, pattern);
}

describe('config: validation against spec.json and defaults', () => {
  it('applies the defaults', () => {
    const config = parse({ account_sid: MAIN, credentials: apiKey });
    expect(config).to.include({ startDate: '2025-11-01', endDate: '2026-11-25', today: '2026-11-25', lookbackDays: 3, maxConcurrency: 4 });
    expect(config.credentials).to.deep.equal({ mode: 'api_key', apiKeySid: KEY, apiKeySecret: 's3cret-value' });
    expect(config.baseUrl.toString()).to.equal('https://api.twilio.com/');
  });

  it('normalises SIDs to Twilio lower-case hex', () => {
    const config = parse({ account_sid: MAIN.toUpperCase().replace(/^AC/, 'AC'), credentials: { auth_type: 'auth_token', auth_token: 'tok-12345' }, subaccount_sids: ['AC' + 'AB'.repeat(16)] });
    expect(config.accountSid).to.equal(MAIN);
    expect([...(config.subaccountSids ?? [])]).to.deep.equal(['AC' + 'ab'.repeat(16)]);
  });

  it('names the field that is wrong', () => {
    expectConfigError({ credentials: apiKey }, /account_sid is required/);
    expectConfigError({ account_sid: 'AC123', credentials: apiKey }, /account_sid is malformed/);
    expectConfigError({ account_sid: MAIN, credentials: { ...apiKey, api_key_sid: 'AK1' } }, /credentials\.api_key_sid is malformed: expected SK/);
    expectConfigError({ account_sid: MAIN, credentials: { auth_type: 'oauth' } }, /credentials\.auth_type must be one of "api_key", "auth_token", got "oauth"/);
    expectConfigError({ account_sid: MAIN, credentials: { auth_type: 'auth_token' } }, /credentials\.auth_token is required/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, lookback_days: -1 }, /lookback_days must be >= 0/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, max_concurrency: 0 }, /max_concurrency must be >= 1/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, start_date: '2025-02-30' }, /start_date must be a real date/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, start_date: '2026-02-01', end_date: '2026-01-01' }, /start_date 2026-02-01 is after end_date 2026-01-01/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, start_date: '2027-01-01' }, /start_date 2027-01-01 is in the future/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, start_date: '2007-12-31' }, /before 2008-01-01/);
    expectConfigError({ account_sid: MAIN, credentials: apiKey, subaccount_sids: [MAIN] }, /subaccount_sids needs the auth_token/);
    expectConfigError([], /must be a JSON object/);
  });

  it('never echoes a secret in an error', () => {
    try {
      parse({ account_sid: MAIN, credentials: { ...apiKey, api_key_sid: 'bad', api_key_secret: 'TOPSECRETVALUE' } });
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).not.to.include('TOPSECRETVALUE');
    }
  });

  it('allows plain http only on loopback', () => {
    const config = { account_sid: MAIN, credentials: apiKey };
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9', 'https://api.twilio.com']) {
      expect(parse(config, { TWILIO_API_BASE_URL: url }).baseUrl.origin).to.equal(new URL(url).origin);
    }
    expectConfigError(config, /plain http to example\.com, which is not a loopback host/, { TWILIO_API_BASE_URL: 'http://example.com' });
    expectConfigError(config, /plain http to 10\.0\.0\.1/, { TWILIO_API_BASE_URL: 'http://10.0.0.1' });
    expectConfigError(config, /must be an https URL/, { TWILIO_API_BASE_URL: 'ftp://127.0.0.1' });
  });
});

describe('config: numbers from environment variables', () => {
  it('takes a non-negative number and falls back on anything else', () => {
    expect(nonNegativeNumberFromEnv('250', 500)).to.equal(250);
    expect(nonNegativeNumberFromEnv('0', 500)).to.equal(0);
    expect(nonNegativeNumberFromEnv('1.5', 500)).to.equal(1.5);
    for (const bad of [undefined, '', '  ', '-1', 'fast', 'Infinity']) expect(nonNegativeNumberFromEnv(bad, 500), String(bad)).to.equal(500);
  });
});
