import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DuckDBValue } from '@duckdb/node-api';
import { expect } from 'chai';

import { addDays } from '../../source-twilio-costs/dates';
import { type Decimal, DECIMAL_SCALE } from '../../source-twilio-costs/money';
import { formatNanos } from '../../tools/simulator/amounts';
import { type Dataset, SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_STANDARD_API_KEY, SAMPLE_SUBACCOUNT_SIDS, sampleDataset } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_PATH, CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { queryDuckDb as query } from '../helpers/duckdb-query';
import { COMPARE_EVERY_READ, fetchPlanEnv, PLAN_DEPENDENT_STREAMS, VOLATILE_FIELDS } from '../helpers/plan-parity';
import { daysOf, inSimulatorUnits } from '../helpers/simulator-truth';

type Row = DuckDBValue[];

/** The temporary directories of this file, removed when it ends. */
const scratchDirs: string[] = [];

function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-test-'));
  scratchDirs.push(dir);
  return dir;
}

/** Where one sync scenario keeps its files: the config, the database and the TMPDIR sync runs with. */
interface SyncFiles {
  configPath: string;
  databasePath: string;
  /** TMPDIR of the syncs: empty again after every sync, whatever its outcome. */
  tmpDir: string;
}

function syncFiles(config: Record<string, unknown>): SyncFiles {
  const dir = scratchDir();
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const tmpDir = path.join(dir, 'tmp');
  mkdirSync(tmpDir);
  return { configPath, databasePath: path.join(dir, 'costs.duckdb'), tmpDir };
}

/** Runs the built CLI's sync with the scenario's files and TMPDIR, and checks it left nothing in TMPDIR. */
async function runSyncCli(files: SyncFiles, env: Record<string, string>, ...more: string[]): Promise<CliResult> {
  const result = await runCli(['sync', '--config', files.configPath, '--duckdb', files.databasePath, ...more], { env: { TMPDIR: files.tmpDir, ...env } });
  expect(readdirSync(files.tmpDir), 'sync leaves nothing in TMPDIR').to.deep.equal([]);
  return result;
}

/** stderr of a failed sync: one line, no stack trace. */
function expectOneLineFailure(result: CliResult, pattern: RegExp): void {
  expect(result.exitCode, result.stderr).to.equal(1);
  expect(result.stdout).to.equal('');
  expect(result.stderr)
    .to.match(/^[^\n]+\n$/)
    .and.to.match(pattern);
  expect(result.stderr).to.not.match(/\bat .+:\d+:\d+/);
}

/** A DuckDB DECIMAL (or NULL, as from an empty SUM) as an exact amount in the simulator's unit. */
function decimal(value: DuckDBValue | undefined): Decimal {
  if (value === null || value === undefined) return 0n;
  const { value: units, scale } = value as { value: bigint; scale: number };
  return inSimulatorUnits(units * 10n ** BigInt(DECIMAL_SCALE - scale));
}

/** Σ price per day, as the database holds it. */
async function pricePerDay(databasePath: string, sql: string): Promise<Map<string, Decimal>> {
  return new Map((await query(databasePath, sql)).map(([day, sum]) => [String(day), decimal(sum)]));
}

const wholeBill = (dataset: Dataset, from: string, to: string): Decimal => dataset.scopeUsage(dataset.mainAccountSid, true, isoDateToDay(from), isoDateToDay(to)).get('totalprice')?.price ?? 0n;

/** The accounts whose cursor in usage_costs' saved state reached `end`, checking that every day of theirs is in the file. */
async function accountsLandedWhole(databasePath: string, dataset: Dataset, start: string, end: string): Promise<string[]> {
  const [[state]] = (await query(databasePath, "SELECT state FROM _airbyte_state WHERE stream = 'usage_costs'")) as [Row];
  const cursors = (JSON.parse(String(state)) as { accounts: Record<string, { start_date: string }> }).accounts;
  const finished = [SAMPLE_MAIN_ACCOUNT_SID, ...SAMPLE_SUBACCOUNT_SIDS].filter((account) => cursors[account]?.start_date === end);
  for (const account of finished) {
    const perDay = await pricePerDay(databasePath, `SELECT start_date::VARCHAR, SUM(price) FROM usage_costs WHERE account_sid = '${account}' AND category <> 'subaccounts:unattributed' GROUP BY 1`);
    for (const day of daysOf(start, end)) expect(perDay.get(day) ?? 0n, `${account} ${day}`).to.equal(dataset.usage(account, day).get('totalprice')?.price ?? 0n);
  }
  return finished;
}

/** Per table compared across plans, the columns no plan decides: when a row landed, and Twilio's as_of. */
const UNCOMPARED_COLUMNS: ReadonlyMap<string, readonly string[]> = new Map([
  ...[...PLAN_DEPENDENT_STREAMS.keys()].map((stream): [string, string[]] => [stream, ['_airbyte_extracted_at', ...(VOLATILE_FIELDS.get(stream) ?? [])]]),
  ['_airbyte_state', ['updated_at']],
]);

/**
 * What a sync landed that must not depend on the fetch plan: per table of a usage stream and the
 * state table, every row as text (sorted), without the columns no plan decides.
 */
async function planIndependentContents(databasePath: string): Promise<Map<string, string[]>> {
  const contents = new Map<string, string[]>();
  for (const [table, ignored] of UNCOMPARED_COLUMNS) {
    const left = ignored.map((column) => `'${column}'`).join(', ');
    const rows = await query(databasePath, `SELECT COLUMNS(c -> c NOT IN (${left}))::VARCHAR FROM "${table}" ORDER BY ALL`);
    contents.set(
      table,
      rows.map((row) => JSON.stringify(row)),
    );
  }
  return contents;
}

/**
 * Issue 10 for sync: the sync that landed `landed` is run again under each forced plan, each into
 * the database of `byPlan` (which a previous call may have filled, for a re-sync), against its own
 * simulator over the same dataset, and every table must hold the same rows and states.
 */
async function expectEveryPlanLandsTheSame(landed: SyncFiles, byPlan: ReadonlyMap<'dense' | 'sparse', SyncFiles>, dataset: Dataset): Promise<void> {
  const simulator = await startSimulator({ dataset });
  try {
    const results = await Promise.all([...byPlan].map(([plan, files]) => runSyncCli(files, { TWILIO_API_BASE_URL: simulator.baseUrl, ...fetchPlanEnv(plan) })));
    for (const result of results) expect(result.exitCode, result.stderr).to.equal(0);
  } finally {
    await simulator.close();
  }
  const expected = await planIndependentContents(landed.databasePath);
  for (const [plan, files] of byPlan) {
    const actual = await planIndependentContents(files.databasePath);
    for (const [table, rows] of expected) {
      const other = new Set(actual.get(table));
      const mine = new Set(rows);
      const missing = rows.filter((row) => !other.has(row)).slice(0, 5);
      const extra = (actual.get(table) ?? []).filter((row) => !mine.has(row)).slice(0, 5);
      expect({ missing, extra }, `${table} under the ${plan} plan, against the automatic one`).to.deep.equal({ missing: [], extra: [] });
    }
  }
}

/** A database per forced plan, for the same config. */
const planDatabases = (config: Record<string, unknown>): Map<'dense' | 'sparse', SyncFiles> =>
  new Map([
    ['dense', syncFiles(config)],
    ['sparse', syncFiles(config)],
  ]);

const apiKeyConfig = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret } };

describe('black box: sync into DuckDB', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  after(() => {
    for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  describe('an Auth Token sync of every stream, then a re-sync after a restatement', () => {
    const START = '2026-10-01';
    const END = '2026-10-31';
    const RESTATED_DAY = '2026-10-29';
    let simulator: RunningSimulator;
    let files: SyncFiles;
    let databasePath: string;
    /** The same syncs under each forced plan, which must land what the automatic plan lands. */
    let byPlan: Map<'dense' | 'sparse', SyncFiles>;

    before(async () => {
      simulator = await startSimulator({ dataset: sampleDataset() });
      const config = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: simulator.dataset.accounts[0]?.authToken }, start_date: START, end_date: END, lookback_days: 5 };
      files = syncFiles(config);
      databasePath = files.databasePath;
      byPlan = planDatabases(config);
    });
    after(() => simulator.close());

    it('lands every stream in tables typed from the stream schemas and keyed by their primary keys, and sums it up in one line', async () => {
      const result = await runSyncCli(files, { TWILIO_API_BASE_URL: simulator.baseUrl });
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('');
      // No progress without a terminal: only the summary. 3 accounts read × 31 days; the spend is the whole bill.
      const summary = /^sync: 5 of 5 streams landed, ([\d,]+) records, 93 account-days \(2026-10-01\.\.2026-10-31\) costing (\S+) USD in usage_costs; into (.+) in \d+\.\d s\n$/.exec(result.stderr);
      expect(summary, result.stderr).to.not.equal(null);
      expect(summary?.[2]).to.equal(formatNanos(wholeBill(simulator.dataset, START, END)));
      expect(summary?.[3]).to.equal(databasePath);

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

      const states = new Map(
        (await query(databasePath, 'SELECT stream, state FROM _airbyte_state')).map(([stream, state]) => [String(stream), JSON.parse(String(state)) as { accounts: Record<string, { start_date: string }> }]),
      );
      expect([...states.keys()].sort()).to.deep.equal(['focus_costs', 'usage_costs', 'usage_records']);
      for (const state of states.values()) expect(state.accounts[SAMPLE_MAIN_ACCOUNT_SID]?.start_date).to.equal(END);
      // Before the next case restates the dataset.
      await expectEveryPlanLandsTheSame(files, byPlan, dataset);
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

      const result = await runSyncCli(files, { TWILIO_API_BASE_URL: simulator.baseUrl });
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
      expect(
        zeroed.map(([, price]) => decimal(price)),
        'the vanished leaf is overwritten with 0, not left stale',
      ).to.deep.equal([0n]);
      const after = await query(databasePath, `SELECT (SELECT COUNT(*) FROM usage_costs WHERE start_date < DATE '${RESTATED_DAY}' - 5), (SELECT COUNT(*) FROM usage_records)`);
      expect(after[0]?.[0], 'days before the lookback are untouched').to.equal(before[0]?.[0]);
      expect(after[0]?.[1], 'usage_records re-read rows replace their old versions').to.equal(before[0]?.[1]);
      const [[sum]] = (await query(databasePath, 'SELECT SUM(price) FROM usage_costs')) as [Row];
      expect(decimal(sum)).to.equal(wholeBill(dataset, START, END));
      // Each plan's database re-synced in turn, from its own saved states.
      await expectEveryPlanLandsTheSame(files, byPlan, dataset);
    });
  });

  describe("a day's rows do not depend on the window that read it", () => {
    // On 2026-10-01 the sample's pv holds cost of its own beside its children, and the top level
    // holds cost in no category both days: read alone, the two days fit better with pv's children
    // moved to the top level, which leaves pv nothing to check it. A month ending on them, placed
    // as the whole year is, keeps them under pv; the two days alone must too.
    it('two days read alone land the rows that a month ending on them lands for them, in usage_costs and focus_costs', async () => {
      const twoDays = syncFiles({ ...apiKeyConfig, start_date: '2026-10-01', end_date: '2026-10-02' });
      const month = syncFiles({ ...apiKeyConfig, start_date: '2026-09-01', end_date: '2026-10-02' });
      const simulator = await startSimulator({ dataset: sampleDataset() });
      let alone: CliResult;
      try {
        const results = await Promise.all([twoDays, month].map((files) => runSyncCli(files, { TWILIO_API_BASE_URL: simulator.baseUrl })));
        for (const result of results) expect(result.exitCode, result.stderr).to.equal(0);
        [alone] = results as [CliResult, CliResult];
      } finally {
        await simulator.close();
      }
      expect(alone.stderr, 'no move the numbers do not prove').to.not.include('do not prove');
      for (const [table, dayColumn] of [
        ['usage_costs', 'start_date'],
        ['focus_costs', 'ChargePeriodStart'],
      ] as const) {
        const rowsOf = async (files: SyncFiles): Promise<string[]> =>
          (await query(files.databasePath, `SELECT COLUMNS(c -> c <> '_airbyte_extracted_at')::VARCHAR FROM ${table} WHERE ${dayColumn} >= '2026-10-01' ORDER BY ALL`)).map((row) => JSON.stringify(row));
        const expected = await rowsOf(month);
        expect(expected.length, table).to.be.greaterThan(60);
        expect(await rowsOf(twoDays), table).to.deep.equal(expected);
      }
      // pv's own cost stays its residual, not pv emitted as a leaf beside its children offset by a negative top-level one.
      const rows = await query(twoDays.databasePath, "SELECT category, price::VARCHAR FROM usage_costs WHERE start_date = '2026-10-01' AND category IN ('pv', 'pv:unattributed', 'unattributed') ORDER BY 1");
      expect(rows).to.deep.equal([
        ['pv:unattributed', '4.664000000'],
        ['unattributed', '1.020000000'],
      ]);
    });
  });

  describe('a sync stopped midway', () => {
    const START = '2026-08-01';
    const END = '2026-10-31';
    const lastSubaccount = SAMPLE_SUBACCOUNT_SIDS[SAMPLE_SUBACCOUNT_SIDS.length - 1] as string;
    let simulator: RunningSimulator;

    // Latency keeps each request slow enough that a window's commit lands well before the stop.
    beforeEach(async () => {
      simulator = await startSimulator({ dataset: sampleDataset(), latencyMs: 20 });
    });
    afterEach(() => simulator.close());

    /**
     * Starts a sync of usage_costs, one request at a time, and sends `signal` once the last
     * subaccount is well into its reading: accounts are read a couple at a time, in order, so by then
     * an earlier account's window (re-read days included) has landed with its state.
     */
    async function stopMidway(signal: NodeJS.Signals): Promise<{ files: SyncFiles; code: number | null; killedBy: NodeJS.Signals | null; stderr: string }> {
      const files = syncFiles({
        account_sid: SAMPLE_MAIN_ACCOUNT_SID,
        credentials: { auth_type: 'auth_token', auth_token: simulator.dataset.accounts[0]?.authToken },
        start_date: START,
        end_date: END,
        lookback_days: 0,
        max_concurrency: 1,
      });
      const env = { PATH: process.env.PATH ?? '', TMPDIR: files.tmpDir, TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0' };
      const child = spawn(process.execPath, [CLI_PATH, 'sync', '--config', files.configPath, '--duckdb', files.databasePath, '--streams', 'usage_costs'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ code: number | null; killedBy: NodeJS.Signals | null }>((resolve) => child.on('close', (code, killedBy) => resolve({ code, killedBy })));
      let sent = false;
      let inTmpdirWhenSent: string[] = [];
      const poll = setInterval(() => {
        // Ten of its requests in (of some fifty): the accounts before it, read first, have landed.
        if (sent || simulator.requests.filter((request) => request.path.includes(`/Accounts/${lastSubaccount}/`)).length < 10) return;
        inTmpdirWhenSent = readdirSync(files.tmpDir);
        sent = child.kill(signal);
      }, 5);
      const { code, killedBy } = await exited;
      clearInterval(poll);
      expect(sent, `${signal} was sent mid-sync, before it finished (stderr: ${stderr})`).to.equal(true);
      // The read is in this process, with objects; the window cache's file is unlinked as soon as it is open.
      expect(inTmpdirWhenSent, 'sync keeps no file or directory in TMPDIR while it runs').to.deep.equal([]);
      return { files, code, killedBy, stderr };
    }

    for (const [signal, exitCode] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      it(`on ${signal}, keeps every commit and exits ${exitCode}`, async () => {
        const { files, code, stderr } = await stopMidway(signal);
        expect(code, stderr).to.equal(exitCode);
        expect(stderr).to.match(new RegExp(`^sync: stopped by ${signal}; what landed before stays, and the next sync resumes from it\\.\\n$`));
        expect(readdirSync(files.tmpDir), 'nothing is left in TMPDIR').to.deep.equal([]);
        const finished = await accountsLandedWhole(files.databasePath, simulator.dataset, START, END);
        expect(finished.length, 'an account landed with its state').to.be.greaterThan(0);
        expect(finished, 'the last account had not').to.not.include(lastSubaccount);
      });
    }

    it('killed outright, it leaves a consistent database, and the next sync resumes where it stopped', async () => {
      const { files, killedBy } = await stopMidway('SIGKILL');
      expect(killedBy, 'killed mid-sync, not finished').to.equal('SIGKILL');
      const dataset = simulator.dataset;
      // What a state covers is in the file, complete: every day of every account it marks as read.
      const finished = await accountsLandedWhole(files.databasePath, dataset, START, END);
      expect(finished.length, 'an account landed with its state').to.be.greaterThan(0);
      expect(finished, 'the last account had not').to.not.include(lastSubaccount);
      const ownRows = (account: string): string => `FROM usage_costs WHERE account_sid = '${account}' AND category <> 'subaccounts:unattributed'`;
      const landedAt = new Map<string, string>();
      for (const account of finished) {
        const [[at]] = (await query(files.databasePath, `SELECT MAX(_airbyte_extracted_at)::VARCHAR ${ownRows(account)}`)) as [Row];
        landedAt.set(account, String(at));
      }
      // Even SIGKILL, after which nothing can clean up, leaves nothing behind in TMPDIR.
      expect(readdirSync(files.tmpDir)).to.deep.equal([]);

      const resumed = await runSyncCli(files, { TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0' }, '--streams', 'usage_costs');
      expect(resumed.exitCode, resumed.stderr).to.equal(0);
      for (const account of finished) {
        const [[at]] = (await query(files.databasePath, `SELECT MAX(_airbyte_extracted_at)::VARCHAR ${ownRows(account)}`)) as [Row];
        expect(String(at), `${account} was not read again`).to.equal(landedAt.get(account));
      }
      expect(await accountsLandedWhole(files.databasePath, dataset, START, END)).to.have.length(1 + SAMPLE_SUBACCOUNT_SIDS.length);
      const [[sum]] = (await query(files.databasePath, 'SELECT SUM(price) FROM usage_costs')) as [Row];
      expect(decimal(sum)).to.equal(wholeBill(dataset, START, END));
    });
  });

  describe('a failure is one clear line, exit 1, and loses nothing already landed', () => {
    const START = '2026-10-01';
    const END = '2026-10-02';
    const config = { ...apiKeyConfig, start_date: START, end_date: END };
    let simulator: RunningSimulator;
    /** The sync every case starts from, landed once; each case works on a copy of its database. */
    let landed: SyncFiles;
    let files: SyncFiles;
    let env: Record<string, string>;

    before(async () => {
      simulator = await startSimulator({ dataset: sampleDataset() });
      env = { TWILIO_API_BASE_URL: simulator.baseUrl };
      landed = syncFiles(config);
      const first = await runSyncCli(landed, env);
      expect(first.exitCode, first.stderr).to.equal(0);
    });
    after(() => simulator.close());

    beforeEach(() => {
      files = syncFiles(config);
      copyFileSync(landed.databasePath, files.databasePath);
    });

    // The failing syncs are about failing. The sync each case starts from lands like the first
    // scenario's (compared before and after a restatement); its API-key reads, incremental.test.ts compares.
    it('the sync every case starts from lands the same under each plan (TEST_PLAN_PARITY=all)', async function () {
      if (!COMPARE_EVERY_READ) this.skip();
      await expectEveryPlanLandsTheSame(landed, planDatabases(config), simulator.dataset);
    });

    /** Every table's rows and every saved state, to compare before and after a failed sync. */
    async function contents(): Promise<string> {
      const tables = ['usage_records', 'usage_costs', 'accounts', 'usage_categories', 'focus_costs', '_airbyte_state'];
      const rows = await query(files.databasePath, tables.map((table) => `SELECT '${table}', md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)), COUNT(*) FROM ${table} t`).join(' UNION ALL '));
      return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
    }

    it('a price DECIMAL(38,9) cannot hold exactly stops the landing, naming it, rather than round it', async () => {
      const before = await contents();
      // Twilio restates the days with a totalprice of 13 places; DuckDB would round it to 9 without a word.
      const restating = await startSimulator({
        dataset: simulator.dataset,
        faults: { seed: 1, rules: [{ fault: { kind: 'rewrite-price', category: 'totalprice', price: '0.1234567891234' }, when: (request) => request.path.includes('/Usage/Records') }] },
      });
      try {
        const result = await runSyncCli(files, { TWILIO_API_BASE_URL: restating.baseUrl });
        expectOneLineFailure(
          result,
          /^sync: usage_records\.price is 0\.1234567891234 in the record with account_sid AC[0-9a-f]{32}, category totalprice, start_date 2026-10-0[12], end_date 2026-10-0[12], which DECIMAL\(38,9\) cannot hold exactly \(more than 9 decimal places\): sync stops rather than round it\. What landed before stays\.\n$/,
        );
      } finally {
        await restating.close();
      }
      expect(await contents()).to.equal(before);
      expect(await query(files.databasePath, 'SELECT price FROM usage_records WHERE price = 0.123456789')).to.deep.equal([]);
    });

    it('a saved state that is not JSON names its row and how to reset it', async () => {
      await query(files.databasePath, "UPDATE _airbyte_state SET state = '{\"accounts\": {' WHERE stream = 'usage_costs'");
      const before = await contents();
      const result = await runSyncCli(files, env);
      expectOneLineFailure(result, /^sync: The saved state of stream usage_costs in _airbyte_state of .+ is not a JSON object.*DELETE FROM _airbyte_state WHERE stream = 'usage_costs'/);
      expect(await contents()).to.equal(before);
      // A state of a stream not synced this time is not read at all.
      const others = await runSyncCli(files, env, '--streams', 'usage_records,accounts');
      expect(others.exitCode, others.stderr).to.equal(0);
    });

    it('a view under the name of a table sync writes is named, with how to fix it', async () => {
      await query(files.databasePath, 'ALTER TABLE accounts RENAME TO accounts_landed; CREATE VIEW accounts AS SELECT * FROM accounts_landed');
      const before = await contents();
      const result = await runSyncCli(files, env);
      expectOneLineFailure(result, /^sync: .+costs\.duckdb has a view named accounts, where sync keeps a table\. Rename or drop it \(DROP VIEW "accounts"\)/);
      expect(await contents()).to.equal(before);
    });

    it('so is a view named _airbyte_state', async () => {
      await query(files.databasePath, 'ALTER TABLE _airbyte_state RENAME TO states; CREATE VIEW _airbyte_state AS SELECT * FROM states');
      const result = await runSyncCli(files, env);
      expectOneLineFailure(result, /has a view named _airbyte_state, where sync keeps a table/);
    });

    for (const [problem, tmpdirIn] of [
      ['missing', (dir: string): string => path.join(dir, 'missing')],
      [
        'a file, not a directory',
        (dir: string): string => {
          writeFileSync(path.join(dir, 'file'), '');
          return path.join(dir, 'file');
        },
      ],
    ] as const) {
      it(`a TMPDIR that is ${problem} does not stop it: only the window cache needs one, and it says so once`, async () => {
        const tmpDir = tmpdirIn(files.tmpDir);
        const result = await runCli(['sync', '--config', files.configPath, '--duckdb', files.databasePath], { env: { ...env, TMPDIR: tmpDir } });
        expect(result.exitCode, result.stderr).to.equal(0);
        const lines = result.stderr.split('\n').filter((line) => line !== '');
        expect(lines.filter((line) => line.startsWith('WARN: '))).to.deep.equal([
          `WARN: usage_records: Cannot keep usage rows in a temporary file under ${tmpDir} (${problem === 'missing' ? 'ENOENT' : 'ENOTDIR'}), so later streams of this run ask Twilio again for the windows they share. Point TMPDIR to a writable directory with free space to save those requests.`,
          // The sample's own: pv holds cost of its own that day (a plan that reports only pv), as a read of the whole year shows too.
          `WARN: usage_costs (first on ${START}): ${SAMPLE_MAIN_ACCOUNT_SID}: pv:unattributed carries 4.664 that no category explains, on 1 day(s)`,
        ]);
        expect(lines.at(-1)).to.match(/^sync: 5 of 5 streams landed, /);
        rmSync(tmpDir, { force: true });
      });
    }
  });

  it('without the optional @duckdb/node-api, says how to get it and exits 1', async () => {
    // A module hook that makes the package unresolvable, as in the Airbyte image, which prunes it.
    const hook =
      'export async function resolve(specifier, context, next) { if (specifier.startsWith("@duckdb/")) { const error = new Error("not installed"); error.code = "ERR_MODULE_NOT_FOUND"; throw error; } return next(specifier, context); }';
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const files = syncFiles(apiKeyConfig);
    const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, CLI_PATH, 'sync', '--config', files.configPath, '--duckdb', files.databasePath], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', TMPDIR: files.tmpDir },
    });
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stderr).to.match(/sync needs the optional package @duckdb\/node-api, which is not installed here/);
    expect(result.stdout).to.equal('');
    expect(existsSync(files.databasePath)).to.equal(false);
    expect(readdirSync(files.tmpDir)).to.deep.equal([]);
  });

  it('refuses an unknown stream and names the streams it has, before creating the database', async () => {
    const files = syncFiles(apiKeyConfig);
    const result = await runSyncCli(files, {}, '--streams', 'usage_costs,nope');
    expectOneLineFailure(result, /Unknown stream nope\. Streams: usage_records, usage_costs, accounts, usage_categories, focus_costs/);
    expect(existsSync(files.databasePath)).to.equal(false);
  });

  it('refuses a --streams list that names no stream, before creating the database', async () => {
    const files = syncFiles(apiKeyConfig);
    const result = await runSyncCli(files, {}, '--streams', ',,,');
    expectOneLineFailure(result, /--streams names no stream/);
    expect(existsSync(files.databasePath)).to.equal(false);
  });
});
