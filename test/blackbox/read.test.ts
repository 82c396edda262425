import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { addDays } from '../../source-twilio-costs/dates';
import { SAMPLE_CLOSED_SUBACCOUNT_SID, SAMPLE_END_DATE, SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, SAMPLE_START_DATE, SAMPLE_SUBACCOUNT_SIDS, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { expectWellFormedRead, type Message, recordsOf, statesOf, traceErrors } from '../helpers/protocol';
import { daysOf, exact, trueLeaves } from '../helpers/simulator-truth';

const catalog = JSON.parse(readFileSync(path.resolve(__dirname, '../../integration_tests/configured_catalog.json'), 'utf8')) as { streams: unknown[] };
const ALL_STREAMS = ['usage_records', 'usage_costs', 'accounts', 'usage_categories'];
const ACCOUNTS = [SAMPLE_MAIN_ACCOUNT_SID, ...SAMPLE_SUBACCOUNT_SIDS];
const authTokenConfig = {
  account_sid: SAMPLE_MAIN_ACCOUNT_SID,
  credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN },
  start_date: SAMPLE_START_DATE,
  end_date: SAMPLE_END_DATE,
};

function lastStreamState(messages: Message[], stream: string): Message {
  const states = statesOf(messages, stream);
  return states[states.length - 1] as Message;
}

describe('black box: a year of a main account and two subaccounts (Auth Token)', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let first: CliResult;
  const env = { SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0' };

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    first = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
      env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...env },
      files: { 'config.json': authTokenConfig, 'catalog.json': catalog },
    });
  });
  after(() => simulator.close());

  it('exits 0 with statuses, counted states and no errors for every stream', () => {
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(first.stderr).to.equal('');
    expect(traceErrors(first.messages)).to.deep.equal([]);
    expectWellFormedRead(first.messages, ALL_STREAMS);
  });

  // A year read densely is about 650 pages of 1000 rows (some 45 s of CPU), but this is the case
  // whose leaves are checked against the truth, so it is compared on every run.
  it('emits the same rows and states under every plan', async () => {
    await expectEveryPlanReadsTheSame(first.messages, { dataset: simulator.dataset, config: authTokenConfig, catalog, env });
  });

  it('sends IncludeSubaccounts=false explicitly on every per-account usage request, next pages included', () => {
    const usage = simulator.requests.filter((request) => request.path.includes('/Usage/'));
    expect(usage.length).to.be.greaterThan(0);
    for (const request of usage) expect(request.query.IncludeSubaccounts, request.path).to.be.oneOf(['true', 'false']);
    const perAccount = usage.filter((request) => request.query.Category === undefined);
    expect(perAccount.every((request) => request.query.IncludeSubaccounts === 'false')).to.equal(true);
    // The planner reads this year a page per active category, so nothing pages here; planner.test.ts
    // follows next pages with the dense plan and checks them.
    expect(perAccount.length, 'the per-account aggregates').to.be.greaterThan(0);
    expect(usage.some((request) => request.path.includes(SAMPLE_CLOSED_SUBACCOUNT_SID))).to.equal(false);
  });

  it('usage_records equal the simulator data: every non-zero record, exactly, and only zeros besides', () => {
    const emitted = new Map<string, Record<string, unknown>>();
    for (const record of recordsOf(first.messages, 'usage_records')) {
      const key = `${String(record.account_sid)}|${String(record.category)}|${String(record.start_date)}`;
      expect(emitted.has(key), `duplicate ${key}`).to.equal(false);
      expect(record.end_date).to.equal(record.start_date);
      expect(record.price_unit).to.equal('USD');
      emitted.set(key, record);
    }
    let compared = 0;
    for (const account of ACCOUNTS) {
      for (const day of daysOf(SAMPLE_START_DATE, SAMPLE_END_DATE)) {
        for (const [category, usage] of simulator.dataset.usage(account, day)) {
          const record = emitted.get(`${account}|${category}|${day}`);
          expect(record, `${account} ${category} ${day}`).to.not.equal(undefined);
          expect(exact(record?.price)).to.equal(usage.price);
          expect(exact(record?.usage)).to.equal(usage.usage);
          expect(record?.count === null ? null : exact(record?.count)).to.equal(usage.count);
          emitted.delete(`${account}|${category}|${day}`);
          compared += 1;
        }
      }
    }
    expect(compared).to.be.greaterThan(10_000);
    for (const [key, record] of emitted) {
      expect([record.price, record.usage], key).to.deep.equal([0, 0]);
    }
  });

  it('accounts lists the main account and both subaccounts, never an auth token', () => {
    const accounts = recordsOf(first.messages, 'accounts');
    expect(accounts.map((account) => account.sid)).to.have.members(ACCOUNTS);
    expect(accounts.filter((account) => account.is_main_account).map((account) => account.sid)).to.deep.equal([SAMPLE_MAIN_ACCOUNT_SID]);
    for (const account of accounts) expect(account).not.to.have.property('auth_token');
    const tokens = simulator.dataset.accounts.map((account) => account.authToken);
    for (const token of tokens) expect(first.stdout).not.to.include(token);
  });

  it('usage_costs: every account-day adds up to its totalprice exactly, and all accounts to the whole bill', () => {
    const costs = recordsOf(first.messages, 'usage_costs');
    const byAccountDay = new Map<string, bigint>();
    const wholeByDay = new Map<string, bigint>();
    for (const row of costs) {
      const day = String(row.start_date);
      wholeByDay.set(day, (wholeByDay.get(day) ?? 0n) + exact(row.price));
      if (row.category === 'subaccounts:unattributed') continue;
      const key = `${String(row.account_sid)}|${day}`;
      byAccountDay.set(key, (byAccountDay.get(key) ?? 0n) + exact(row.price));
    }
    for (const account of ACCOUNTS) {
      for (const day of daysOf(SAMPLE_START_DATE, SAMPLE_END_DATE)) {
        const total = simulator.dataset.usage(account, day).get('totalprice')?.price ?? 0n;
        expect(byAccountDay.get(`${account}|${day}`) ?? 0n, `${account} ${day}`).to.equal(total);
      }
    }
    for (const day of daysOf(SAMPLE_START_DATE, SAMPLE_END_DATE)) {
      const whole = simulator.dataset.scopeUsage(SAMPLE_MAIN_ACCOUNT_SID, true, ...dayNumbers(day)).get('totalprice')?.price ?? 0n;
      expect(wholeByDay.get(day) ?? 0n, `whole bill ${day}`).to.equal(whole);
    }
    expect(
      costs.some((row) => row.category === 'subaccounts:unattributed'),
      'the closed subaccount shows',
    ).to.equal(true);
  });

  it('usage_costs: every true leaf is present with its own price, and no rollup is counted beside its children', () => {
    const rows = new Map<string, Record<string, unknown>>();
    for (const row of recordsOf(first.messages, 'usage_costs')) rows.set(`${String(row.account_sid)}|${String(row.start_date)}|${String(row.category)}`, row);
    let leaves = 0;
    for (const account of ACCOUNTS) {
      for (const day of daysOf(SAMPLE_START_DATE, SAMPLE_END_DATE)) {
        for (const [category, price] of trueLeaves(simulator.dataset, account, day)) {
          const row = rows.get(`${account}|${day}|${category}`);
          expect(row, `leaf ${category} of ${account} on ${day}`).to.not.equal(undefined);
          expect(exact(row?.price), `${category} ${day}`).to.equal(price);
          leaves += 1;
        }
        const reported = simulator.dataset.usage(account, day);
        for (const node of simulator.dataset.truthNodes()) {
          const pricedChildren = node.children.filter((child) => (reported.get(child)?.price ?? 0n) !== 0n);
          const row = rows.get(`${account}|${day}|${node.category.toLowerCase()}`);
          if (pricedChildren.length > 0 && row && !pricedChildren.every((child) => child.startsWith('authy-'))) {
            expect.fail(`rollup ${node.category} appears beside its priced children on ${day}`);
          }
        }
      }
    }
    expect(leaves).to.be.greaterThan(5_000);
  });

  it('usage_costs: nothing but the true leaves, and no rollup residual (no cancelling pairs), on every account-day', () => {
    const byAccountDay = new Map<string, Record<string, unknown>[]>();
    for (const row of recordsOf(first.messages, 'usage_costs')) {
      const key = `${String(row.account_sid)}|${String(row.start_date)}`;
      byAccountDay.set(key, [...(byAccountDay.get(key) ?? []), row]);
    }
    for (const account of ACCOUNTS) {
      for (const day of daysOf(SAMPLE_START_DATE, SAMPLE_END_DATE)) {
        const rows = (byAccountDay.get(`${account}|${day}`) ?? []).filter((row) => exact(row.price) !== 0n);
        const leaves = Object.fromEntries(rows.filter((row) => row.is_unattributed === false).map((row) => [String(row.category), exact(row.price)]));
        expect(leaves, `${account} ${day}`).to.deep.equal(Object.fromEntries(trueLeaves(simulator.dataset, account, day)));
        const residuals = rows.filter((row) => row.is_unattributed === true).map((row) => String(row.category));
        expect(
          residuals.filter((category) => category !== 'unattributed' && category !== 'subaccounts:unattributed'),
          `${account} ${day}`,
        ).to.deep.equal([]);
      }
    }
  });

  it('a second read from the final state re-reads only the lookback window', async () => {
    const state = ['usage_records', 'usage_costs', 'focus_costs'].map((stream) => lastStreamState(first.messages, stream).state);
    for (const message of state) {
      for (const cursor of Object.values(message.stream.stream_state.accounts as Record<string, { start_date: string }>)) {
        expect(cursor.start_date).to.equal(SAMPLE_END_DATE);
      }
    }
    const second = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', '--state', '{state.json}'], {
      env: { TWILIO_API_BASE_URL: simulator.baseUrl },
      files: { 'config.json': authTokenConfig, 'catalog.json': catalog, 'state.json': state },
    });
    expect(second.exitCode).to.equal(0);
    expectWellFormedRead(second.messages, ALL_STREAMS);
    const rereadFrom = addDays(SAMPLE_END_DATE, 1 - 3);
    for (const stream of ['usage_records', 'usage_costs']) {
      const records = recordsOf(second.messages, stream);
      expect(records.length, stream).to.be.greaterThan(0);
      for (const record of records) expect(String(record.start_date) >= rereadFrom, `${stream} ${String(record.start_date)}`).to.equal(true);
      expect(lastStreamState(second.messages, stream).state.stream.stream_state).to.deep.equal(lastStreamState(first.messages, stream).state.stream.stream_state);
    }
    await expectEveryPlanReadsTheSame(second.messages, { dataset: simulator.dataset, config: authTokenConfig, catalog, state });
  });
});

function dayNumbers(day: string): [number, number] {
  const number = Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  return [number, number];
}
