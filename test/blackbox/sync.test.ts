import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addDays } from '../../source-twilio-costs/dates';
import { DECIMAL_SCALE, type Decimal } from '../../source-twilio-costs/money';
import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_STANDARD_API_KEY, SAMPLE_SUBACCOUNT_SIDS, sampleDataset, type Dataset } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { CLI_PATH, runCli, writeFiles } from '../helpers/cli';
import { daysOf } from '../helpers/simulator-truth';

type Row = DuckDBValue[];

/** Runs SQL on a DuckDB file, opened only for this query (a running sync holds the file's lock). */
async function query(databasePath: string, sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(databasePath);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A DuckDB DECIMAL (or NULL, as from an empty SUM) as an exact Decimal of money.ts. */
function decimal(value: DuckDBValue | undefined): Decimal {
  if (value === null || value === undefined) return 0n;
  const { value: units, scale } = value as { value: bigint; scale: number };
  return units * 10n ** BigInt(DECIMAL_SCALE - scale);
}

/** Σ price per day, as the database holds it. */
async function pricePerDay(databasePath: string, sql: string): Promise<Map<string, Decimal>> {
  return new Map((await query(databasePath, sql)).map(([day, sum]) => [String(day), decimal(sum)]));
}

const wholeBill = (dataset: Dataset, from: string, to: string): Decimal =>
  dataset.scopeUsage(dataset.mainAccountSid, true, isoDateToDay(from), isoDateToDay(to)).get('totalprice')?.price ?? 0n;

const syncArgs = (databasePath: string, ...more: string[]): string[] => ['sync', '--config', '{c.json}', '--duckdb', databasePath, ...more];

describe('black box: sync into DuckDB', function () {
  this.timeout(60_000);

  describe('an Auth Token sync of every stream, then a re-sync after a restatement', () => {
    const START = '2026-10-01';
    const END = '2026-10-31';
    const RESTATED_DAY = '2026-10-29';
    let simulator: RunningSimulator;
    let databasePath: string;
    let config: Record<string, unknown>;

    before(async () => {
      simulator = await startSimulator({ dataset: sampleDataset() });
      databasePath = path.join(mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-')), 'costs.duckdb');
      config = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: simulator.dataset.accounts[0]?.authToken }, start_date: START, end_date: END, lookback_days: 5 };
    });
    after(() => simulator.close());

    it('lands every stream, quietly, in tables typed from the stream schemas and keyed by their primary keys', async () => {
      const result = await runCli(syncArgs(databasePath), { env: { TWILIO_API_BASE_URL: simulator.baseUrl }, files: { 'c.json': config } });
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('');
      expect(result.stderr, 'no progress without a terminal').to.equal('');

      const types = new Map((await query(databasePath, "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns")).map(([column, type]) => [String(column), String(type)]));
      expect(types.get('usage_costs.price')).to.equal('DECIMAL(38,9)');
      expect(types.get('usage_costs.start_date')).to.equal('DATE');
      expect(types.get('usage_costs.is_unattributed')).to.equal('BOOLEAN');
      expect(types.get('usage_costs.category')).to.equal('VARCHAR');
      expect(types.get('usage_records.price')).to.equal('DECIMAL(38,9)');
      expect(types.get('accounts.date_created')).to.equal('TIMESTAMP WITH TIME ZONE');
      expect(types.get('focus_costs.BilledCost')).to.equal('DECIMAL(38,9)');
      expect(types.get('focus_costs.ChargePeriodStart')).to.equal('TIMESTAMP WITH TIME ZONE');
      expect(types.get('focus_costs.x_IsUnattributed')).to.equal('BOOLEAN');
      const keys = new Map(
        (await query(databasePath, "SELECT table_name, array_to_string(constraint_column_names, ', ') FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'")).map(([table, columns]) => [
          String(table),
          String(columns),
        ]),
      );
      expect(keys.get('usage_costs')).to.equal('account_sid, category, start_date');
      expect(keys.get('focus_costs')).to.equal('x_AccountSid, x_TwilioCategory, ChargePeriodStart');
      expect(keys.get('accounts')).to.equal('sid');

      const dataset = simulator.dataset;
      for (const account of [SAMPLE_MAIN_ACCOUNT_SID, ...SAMPLE_SUBACCOUNT_SIDS]) {
        const perDay = await pricePerDay(databasePath, `SELECT start_date::VARCHAR, SUM(price) FROM usage_costs WHERE account_sid = '${account}' AND category <> 'subaccounts:unattributed' GROUP BY 1`);
        for (const day of daysOf(START, END)) expect(perDay.get(day) ?? 0n, `${account} ${day}`).to.equal(dataset.usage(account, day).get('totalprice')?.price ?? 0n);
      }
      const [[costs, billed, accounts, categories]] = (await query(
        databasePath,
        'SELECT (SELECT SUM(price) FROM usage_costs), (SELECT SUM(BilledCost) FROM focus_costs), (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM usage_categories)',
      )) as [Row];
      expect(decimal(costs)).to.equal(wholeBill(dataset, START, END));
      expect(decimal(billed)).to.equal(wholeBill(dataset, START, END));
      expect(Number(accounts)).to.equal(3);
      expect(Number(categories)).to.be.greaterThan(600);

      const states = new Map((await query(databasePath, 'SELECT stream, state FROM _airbyte_state')).map(([stream, state]) => [String(stream), JSON.parse(String(state)) as { accounts: Record<string, { start_date: string }> }]));
      expect([...states.keys()].sort()).to.deep.equal(['focus_costs', 'usage_costs', 'usage_records']);
      for (const state of states.values()) expect(state.accounts[SAMPLE_MAIN_ACCOUNT_SID]?.start_date).to.equal(END);
    });

    it('re-syncs incrementally from the saved states and upserts the restated day by primary key', async () => {
      const dataset = simulator.dataset;
      const main = dataset.mainAccountSid;
      const before = await query(databasePath, `SELECT (SELECT COUNT(*) FROM usage_costs WHERE start_date < DATE '${RESTATED_DAY}' - 5), (SELECT COUNT(*) FROM usage_records)`);
      const reported = [...dataset.usage(main, RESTATED_DAY)].filter(([category]) => category !== 'totalprice');
      const ownLeaves = dataset.truthNodes().filter((node) => node.children.length === 0 && reported.some(([category]) => category === node.category));
      expect(ownLeaves.length).to.be.greaterThan(3);
      for (const node of ownLeaves.slice(1)) dataset.restate(main, RESTATED_DAY, node.category, null);
      const restatedTotal = dataset.usage(main, RESTATED_DAY).get('totalprice')?.price ?? 0n;
      const firstRequest = simulator.requests.length;

      const result = await runCli(syncArgs(databasePath), { env: { TWILIO_API_BASE_URL: simulator.baseUrl }, files: { 'c.json': config } });
      expect(result.exitCode, result.stderr).to.equal(0);
      const usageRequests = simulator.requests.slice(firstRequest).filter((request) => request.path.includes('/Usage/'));
      expect(usageRequests.length).to.be.greaterThan(0);
      for (const request of usageRequests) expect(String(request.query.StartDate) >= addDays(END, -4), `${request.path} from ${request.query.StartDate}`).to.equal(true);

      const restatedDay = `account_sid = '${main}' AND start_date = DATE '${RESTATED_DAY}' AND category <> 'subaccounts:unattributed'`;
      const [[costs, billed, total, keys, distinctKeys]] = (await query(
        databasePath,
        `SELECT (SELECT SUM(price) FROM usage_costs WHERE ${restatedDay}),
                (SELECT SUM(BilledCost) FROM focus_costs WHERE x_AccountSid = '${main}' AND ChargePeriodStart = TIMESTAMPTZ '${RESTATED_DAY} 00:00:00+00' AND x_TwilioCategory <> 'subaccounts:unattributed'),
                (SELECT price FROM usage_records WHERE account_sid = '${main}' AND start_date = DATE '${RESTATED_DAY}' AND category = 'totalprice'),
                (SELECT COUNT(*) FROM usage_costs), (SELECT COUNT(DISTINCT (account_sid, category, start_date)) FROM usage_costs)`,
      )) as [Row];
      expect(decimal(costs)).to.equal(restatedTotal);
      expect(decimal(billed)).to.equal(restatedTotal);
      expect(decimal(total)).to.equal(restatedTotal);
      expect(keys).to.equal(distinctKeys);
      const zeroed = await query(databasePath, `SELECT category, price FROM usage_costs WHERE ${restatedDay} AND category = '${ownLeaves[1]?.category.toLowerCase()}'`);
      expect(zeroed.map(([, price]) => decimal(price)), 'the vanished leaf is overwritten with 0, not left stale').to.deep.equal([0n]);
      const after = await query(databasePath, `SELECT (SELECT COUNT(*) FROM usage_costs WHERE start_date < DATE '${RESTATED_DAY}' - 5), (SELECT COUNT(*) FROM usage_records)`);
      expect(after[0]?.[0], 'days before the lookback are untouched').to.equal(before[0]?.[0]);
      expect(after[0]?.[1], 'usage_records re-read rows replace their old versions').to.equal(before[0]?.[1]);
      const [[sum]] = (await query(databasePath, 'SELECT SUM(price) FROM usage_costs')) as [Row];
      expect(decimal(sum)).to.equal(wholeBill(dataset, START, END));
    });
  });

  it('a sync killed midway leaves a consistent database, and the next one resumes where it stopped', async () => {
    const START = '2026-08-01';
    const END = '2026-10-31';
    // Latency keeps each request slow enough that a window's commit lands well before the kill.
    const simulator = await startSimulator({ dataset: sampleDataset(), latencyMs: 20 });
    try {
      const dataset = simulator.dataset;
      const accounts = [SAMPLE_MAIN_ACCOUNT_SID, ...SAMPLE_SUBACCOUNT_SIDS];
      const lastSubaccount = SAMPLE_SUBACCOUNT_SIDS[SAMPLE_SUBACCOUNT_SIDS.length - 1] as string;
      const databasePath = path.join(mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-')), 'costs.duckdb');
      const config = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: dataset.accounts[0]?.authToken }, start_date: START, end_date: END, lookback_days: 0, max_concurrency: 1 };
      const files = writeFiles({ 'c.json': config });
      const env = { PATH: process.env.PATH ?? '', TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0' };
      const args = ['sync', '--config', files['c.json'] as string, '--duckdb', databasePath, '--streams', 'usage_costs'];

      // Accounts are read a couple at a time, in order: once the last subaccount is being read, an
      // earlier account's window has finished and landed with its state. Kill it there.
      const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const poll = setInterval(() => {
        if (simulator.requests.filter((request) => request.path.includes(`/Accounts/${lastSubaccount}/`)).length >= 2) child.kill('SIGKILL');
      }, 5);
      const signal = await exited;
      clearInterval(poll);
      expect(signal, 'killed mid-sync, not finished').to.equal('SIGKILL');

      const [[state]] = (await query(databasePath, "SELECT state FROM _airbyte_state WHERE stream = 'usage_costs'")) as [Row];
      const cursors = (JSON.parse(String(state)) as { accounts: Record<string, { start_date: string }> }).accounts;
      const finished = accounts.filter((account) => cursors[account]?.start_date === END);
      expect(finished.length, 'an account landed with its state').to.be.greaterThan(0);
      expect(cursors[lastSubaccount]?.start_date, 'the last account had not').to.not.equal(END);
      // What a state covers is in the file, complete: every day of every account it marks as read.
      const ownRows = (account: string): string => `FROM usage_costs WHERE account_sid = '${account}' AND category <> 'subaccounts:unattributed'`;
      const landedAt = new Map<string, string>();
      for (const account of finished) {
        const perDay = await pricePerDay(databasePath, `SELECT start_date::VARCHAR, SUM(price) ${ownRows(account)} GROUP BY 1`);
        for (const day of daysOf(START, END)) expect(perDay.get(day) ?? 0n, `${account} ${day}`).to.equal(dataset.usage(account, day).get('totalprice')?.price ?? 0n);
        const [[at]] = (await query(databasePath, `SELECT MAX(_airbyte_extracted_at)::VARCHAR ${ownRows(account)}`)) as [Row];
        landedAt.set(account, String(at));
      }

      const resumed = await runCli(['sync', '--config', '{c.json}', '--duckdb', databasePath, '--streams', 'usage_costs'], { env, files: { 'c.json': config } });
      expect(resumed.exitCode, resumed.stderr).to.equal(0);
      for (const account of finished) {
        const [[at]] = (await query(databasePath, `SELECT MAX(_airbyte_extracted_at)::VARCHAR ${ownRows(account)}`)) as [Row];
        expect(String(at), `${account} was not read again`).to.equal(landedAt.get(account));
      }
      for (const account of accounts) {
        const perDay = await pricePerDay(databasePath, `SELECT start_date::VARCHAR, SUM(price) ${ownRows(account)} GROUP BY 1`);
        for (const day of daysOf(START, END)) expect(perDay.get(day) ?? 0n, `${account} ${day}`).to.equal(dataset.usage(account, day).get('totalprice')?.price ?? 0n);
      }
      const [[sum]] = (await query(databasePath, 'SELECT SUM(price) FROM usage_costs')) as [Row];
      expect(decimal(sum)).to.equal(wholeBill(dataset, START, END));
    } finally {
      await simulator.close();
    }
  });

  it('without the optional @duckdb/node-api, says how to get it and exits 1', async () => {
    // A module hook that makes the package unresolvable, as in the Airbyte image, which prunes it.
    const hook = 'export async function resolve(specifier, context, next) { if (specifier.startsWith("@duckdb/")) { const error = new Error("not installed"); error.code = "ERR_MODULE_NOT_FOUND"; throw error; } return next(specifier, context); }';
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const databasePath = path.join(mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-')), 'never.duckdb');
    const files = writeFiles({ 'c.json': { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret } } });
    const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, CLI_PATH, 'sync', '--config', files['c.json'] as string, '--duckdb', databasePath], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/sync needs the optional package @duckdb\/node-api, which is not installed here/);
    expect(result.stdout).to.equal('');
    expect(existsSync(databasePath)).to.equal(false);
  });

  it('refuses an unknown stream and names the streams it has, before creating the database', async () => {
    const databasePath = path.join(mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-')), 'never.duckdb');
    const config = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret } };
    const result = await runCli(syncArgs(databasePath, '--streams', 'usage_costs,nope'), { files: { 'c.json': config } });
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/Unknown stream nope\. Streams: usage_records, usage_costs, accounts, usage_categories, focus_costs/);
    expect(existsSync(databasePath)).to.equal(false);
  });
});
