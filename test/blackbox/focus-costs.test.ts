import { readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';

import { addDays } from '../../source-twilio-costs/dates';
import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, SAMPLE_STANDARD_API_KEY, SAMPLE_SUBACCOUNT_SIDS, sampleDataset } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { type FocusRow, focusViolations } from '../helpers/focus-spec';
import { expectWellFormedRead, recordsOf, statesOf, traceErrors } from '../helpers/protocol';
import { daysOf, exact, trueLeaves } from '../helpers/simulator-truth';

const root = path.resolve(__dirname, '../..');
const focusSchema = JSON.parse(readFileSync(path.join(root, 'schemas/focus_costs.json'), 'utf8')) as object;
// Three weeks across a month end: two billing periods.
const START = '2026-09-21';
const END = '2026-10-10';
const ACCOUNTS = [SAMPLE_MAIN_ACCOUNT_SID, ...SAMPLE_SUBACCOUNT_SIDS];
const SUBACCOUNTS_RESIDUAL = 'subaccounts:unattributed';

function catalogOf(streams: string[]): unknown {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append_dedup',
    })),
  };
}

const authTokenConfig = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN }, start_date: START, end_date: END };
const apiKeyConfig = {
  ...authTokenConfig,
  credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret },
};

/** Σ BilledCost per "account|day". */
function billedPerAccountDay(rows: FocusRow[], include: (row: FocusRow) => boolean = () => true): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const row of rows.filter(include)) {
    const key = `${String(row.x_AccountSid)}|${String(row.ChargePeriodStart).slice(0, 10)}`;
    sums.set(key, (sums.get(key) ?? 0n) + exact(row.BilledCost));
  }
  return sums;
}

describe('focus_costs: FOCUS 1.2 rows from a CLI read', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let tokenRead: CliResult;
  let tokenReread: CliResult;
  let keyRead: CliResult;

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const streams = ['usage_costs', 'focus_costs'];
    tokenRead = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}'], { env, files: { 'c.json': authTokenConfig, 'cat.json': catalogOf(streams) } });
    keyRead = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}'], { env, files: { 'c.json': apiKeyConfig, 'cat.json': catalogOf(['focus_costs']) } });
    // An incremental re-read of the lookback days, with the states of the first read, of the same
    // world once Twilio restated a leaf of the last day to nothing: it emits the zero row that
    // overwrites that leaf's row.
    const restated = sampleDataset();
    const leaf = [...trueLeaves(restated, SAMPLE_MAIN_ACCOUNT_SID, END).keys()].find((category) => restated.truthNodes().find((node) => node.category.toLowerCase() === category)?.children.length === 0);
    restated.restate(SAMPLE_MAIN_ACCOUNT_SID, END, leaf as string, null);
    const restatedSimulator = await startSimulator({ dataset: restated });
    const states = streams.map((stream) => statesOf(tokenRead.messages, stream).at(-1)?.state);
    try {
      tokenReread = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}', '--state', '{s.json}'], {
        env: { TWILIO_API_BASE_URL: restatedSimulator.baseUrl },
        files: { 'c.json': authTokenConfig, 'cat.json': catalogOf(streams), 's.json': states },
      });
    } finally {
      await restatedSimulator.close();
    }
  });
  after(() => simulator.close());

  it('reads completely, with the same state shape as usage_costs', () => {
    for (const result of [tokenRead, tokenReread, keyRead]) {
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(traceErrors(result.messages)).to.deep.equal([]);
      expectWellFormedRead(result.messages, ['focus_costs']);
    }
    const focusState = statesOf(tokenRead.messages, 'focus_costs').at(-1)?.state.stream.stream_state;
    const costsState = statesOf(tokenRead.messages, 'usage_costs').at(-1)?.state.stream.stream_state;
    expect(focusState).to.deep.equal(costsState);
    expect(Object.keys(focusState.accounts)).to.include(SAMPLE_MAIN_ACCOUNT_SID);
  });

  it('every emitted row keeps every FOCUS 1.2 column rule (presence, type, allowed values, nullability) and the stream schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(focusSchema);
    const rows = [tokenRead, tokenReread, keyRead].flatMap((result) => recordsOf(result.messages, 'focus_costs'));
    expect(rows.length).to.be.greaterThan(500);
    for (const row of rows) {
      expect(focusViolations(row), JSON.stringify(row)).to.deep.equal([]);
      expect(validate(row), JSON.stringify(validate.errors)).to.equal(true);
    }
  });

  it('the rows cover what the rules distinguish: Usage and Adjustment, zero rows, main and subaccount charges', () => {
    const rows = recordsOf(tokenRead.messages, 'focus_costs');
    const reread = recordsOf(tokenReread.messages, 'focus_costs');
    expect(new Set(rows.map((row) => row.ChargeCategory))).to.deep.equal(new Set(['Usage', 'Adjustment']));
    expect(rows.some((row) => row.SubAccountId === null)).to.equal(true);
    expect(new Set(rows.map((row) => row.SubAccountId).filter((sid) => sid !== null))).to.deep.equal(new Set(SAMPLE_SUBACCOUNT_SIDS));
    expect(
      reread.some((row) => row.ChargeCategory === 'Adjustment' && row.BilledCost === 0 && row.x_IsUnattributed === false),
      'a zeroed category',
    ).to.equal(true);
    for (const row of rows) {
      expect(row.BillingAccountId).to.equal(SAMPLE_MAIN_ACCOUNT_SID);
      expect(row.BillingAccountName).to.equal('Alice Telecom');
      expect([row.ProviderName, row.PublisherName, row.InvoiceIssuerName]).to.deep.equal(['Twilio', 'Twilio', 'Twilio']);
      expect(row.SubAccountId).to.equal(row.x_AccountSid === SAMPLE_MAIN_ACCOUNT_SID ? null : row.x_AccountSid);
      expect(row.ChargeCategory === 'Adjustment').to.equal(row.x_IsUnattributed === true || row.PricingQuantity === null);
    }
  });

  it('maps each usage_costs row: exact costs, the exclusive day after end_date, the calendar month as billing period', () => {
    const costs = new Map(recordsOf(tokenRead.messages, 'usage_costs').map((row) => [`${String(row.account_sid)}|${String(row.category)}|${String(row.start_date)}`, row]));
    const rows = recordsOf(tokenRead.messages, 'focus_costs');
    expect(rows).to.have.length(costs.size);
    for (const row of rows) {
      const day = String(row.ChargePeriodStart).slice(0, 10);
      const source = costs.get(`${String(row.x_AccountSid)}|${String(row.x_TwilioCategory)}|${day}`);
      expect(source, `${String(row.x_AccountSid)} ${String(row.x_TwilioCategory)} ${day}`).to.not.equal(undefined);
      for (const cost of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost']) expect(row[cost], cost).to.equal(source?.price);
      expect(row.ChargePeriodStart).to.equal(`${String(source?.start_date)}T00:00:00Z`);
      expect(row.ChargePeriodEnd).to.equal(`${addDays(String(source?.end_date), 1)}T00:00:00Z`);
      expect(row.BillingPeriodStart).to.equal(`${day.slice(0, 7)}-01T00:00:00Z`);
      expect(row.BillingPeriodEnd).to.equal(day.startsWith('2026-09') ? '2026-10-01T00:00:00Z' : '2026-11-01T00:00:00Z');
      expect(row.BillingCurrency).to.equal(String(source?.price_unit).toUpperCase());
      expect(row.ServiceName).to.equal(source?.product);
      expect(row.PricingQuantity).to.equal(row.ChargeCategory === 'Usage' ? source?.usage : null);
    }
  });

  it("Σ BilledCost per account-day equals that day's totalprice, and all rows add up to the whole bill (Auth Token)", () => {
    const dataset = simulator.dataset;
    const rows = recordsOf(tokenRead.messages, 'focus_costs');
    const perAccountDay = billedPerAccountDay(rows, (row) => row.x_TwilioCategory !== SUBACCOUNTS_RESIDUAL);
    let compared = 0;
    for (const account of ACCOUNTS) {
      for (const day of daysOf(START, END)) {
        const totalprice = dataset.usage(account, day).get('totalprice')?.price ?? 0n;
        expect(perAccountDay.get(`${account}|${day}`) ?? 0n, `${account} ${day}`).to.equal(totalprice);
        if (totalprice !== 0n) compared += 1;
      }
    }
    expect(compared).to.be.greaterThan(40);
    const wholeBill = dataset.scopeUsage(SAMPLE_MAIN_ACCOUNT_SID, true, isoDateToDay(START), isoDateToDay(END)).get('totalprice')?.price;
    expect([...billedPerAccountDay(rows).values()].reduce((sum, value) => sum + value, 0n)).to.equal(wholeBill);
  });

  it('with an API key: one scope whose days add up to the whole bill, no subaccount, the SID as the unreadable account name', () => {
    const dataset = simulator.dataset;
    const rows = recordsOf(keyRead.messages, 'focus_costs');
    const perDay = billedPerAccountDay(rows);
    for (const day of daysOf(START, END)) {
      const dayNumber = isoDateToDay(day);
      const totalprice = dataset.scopeUsage(SAMPLE_MAIN_ACCOUNT_SID, true, dayNumber, dayNumber).get('totalprice')?.price ?? 0n;
      expect(perDay.get(`${SAMPLE_MAIN_ACCOUNT_SID}|${day}`) ?? 0n, day).to.equal(totalprice);
    }
    for (const row of rows) {
      expect(row.SubAccountId).to.equal(null);
      expect(row.BillingAccountName).to.equal(SAMPLE_MAIN_ACCOUNT_SID);
    }
    expect(keyRead.stdout).not.to.include(SAMPLE_STANDARD_API_KEY.secret);
  });
});
