import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';

import { addDays } from '../../source-twilio-costs/dates';
import { type Decimal, formatDecimal, parseDecimal } from '../../source-twilio-costs/money';
import { formatAmount } from '../../source-twilio-costs/report/format';
import { formatNanos } from '../../tools/simulator/amounts';
import { SAMPLE_MAIN_ACCOUNT_SID } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { CLI_PATH, CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { PUMPED_DAY, REPORT_PERIOD, type SyncedFile, syncedFile } from '../helpers/report-fixture';
import { reportAmounts, reportFigures, type ReportTable, reportTables } from '../helpers/report-html';

/** Runs SQL on the file read-only (as the report does), each value as text. */
async function query(databasePath: string, sql: string): Promise<string[][]> {
  const instance = await DuckDBInstance.create(databasePath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows().map((row) => row.map((value) => (value === null ? '' : String(value))));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** label → exact amount, from SQL rows of (label, SUM(...)::VARCHAR). */
async function amounts(databasePath: string, sql: string): Promise<Map<string, Decimal>> {
  return new Map((await query(databasePath, sql)).map(([label = '', amount = '']) => [label, parseDecimal(amount || '0')]));
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The exact amounts of a table's column, by row key. */
function column(table: ReportTable | undefined, title: string): Map<string, Decimal | undefined> {
  if (!table) throw new Error('no such table');
  const index = table.columns.indexOf(title);
  if (index < 0) throw new Error(`no column ${title} in ${table.columns.join(', ')}`);
  return new Map([...table.rows].map(([key, cells]) => [key, cells[index]?.amount]));
}

/** A failure of report: exit 1, nothing on stdout, one line on stderr naming the cause, no stack trace. */
function expectOneLineFailure(result: CliResult, pattern: RegExp): void {
  expect(result.exitCode, result.stderr).to.equal(1);
  expect(result.stdout).to.equal('');
  expect(result.stderr)
    .to.match(/^report: [^\n]+\n$/)
    .and.to.match(pattern);
  expect(result.stderr).to.not.match(/\bat .+:\d+:\d+/);
}

describe('black box: report', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let file: SyncedFile;
  let outDir: string;
  /** The report of the whole file, which most cases read. */
  let wholeReport: string;
  let result: CliResult;
  let databaseBefore: string;
  let html: string;
  let tables: Map<string, ReportTable>;

  before(async () => {
    file = await syncedFile();
    outDir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-report-out-'));
    wholeReport = path.join(outDir, 'report.html');
    databaseBefore = sha256(file.databasePath);
    result = await runCli(['report', '--duckdb', file.databasePath, '--out', wholeReport]);
    html = readFileSync(wholeReport, 'utf8');
    tables = reportTables(html);
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes one HTML file from the synced file, says so in one line, and leaves the file as it was', async () => {
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('');
    const spend = (await query(file.databasePath, `SELECT CAST(SUM(price) AS VARCHAR) FROM usage_costs`))[0]?.[0] ?? '';
    expect(result.stderr).to.equal(
      `report: ${formatDecimal(parseDecimal(spend))} USD of spend from ${REPORT_PERIOD.from} to ${REPORT_PERIOD.to}, 4 charts; written to ${wholeReport} (${Math.ceil(readFileSync(wholeReport).length / 1024)} KiB)\n`,
    );
    expect(sha256(file.databasePath)).to.equal(databaseBefore);
    expect(readdirSync(outDir)).to.deep.equal(['report.html']);
    expect([...tables.keys()].sort()).to.deep.equal(['accounts', 'categories', 'credits', 'days', 'months', 'products', 'residuals', 'spikes']);
  });

  it('shows every amount as the exact decimal it carries', () => {
    const shown = reportAmounts(html);
    expect(shown.length).to.be.greaterThan(500);
    for (const { value, text } of shown) expect(text.replace(/\u00a0USD$/, ''), value).to.be.oneOf([formatAmount(parseDecimal(value)), formatAmount(parseDecimal(value), 5)]);
  });

  it("heads with the period's spend and the bill it reconciles to, both the simulator's whole bill to the last decimal", async () => {
    const figures = reportFigures(html);
    const whole = formatNanos(file.dataset.scopeUsage(SAMPLE_MAIN_ACCOUNT_SID, true, isoDateToDay(REPORT_PERIOD.from), isoDateToDay(REPORT_PERIOD.to)).get('totalprice')?.price ?? 0n);
    expect(figures.get('spend')).to.equal(parseDecimal(whole));
    expect(figures.get('bill')).to.equal(parseDecimal(whole));
    expect(html).to.contain('Flex seats, taxes and some fees.');
    const [[accountDays]] = (await query(
      file.databasePath,
      `SELECT CAST(COUNT(*) AS VARCHAR) FROM (SELECT account_sid, start_date FROM usage_records WHERE category = 'totalprice' UNION SELECT account_sid, start_date FROM usage_costs WHERE category <> 'subaccounts:unattributed')`,
    )) as [[string]];
    expect(html).to.contain(`The spend adds up to it exactly</strong>: on every one of the ${accountDays} account-days`);
  });

  it('shows spend by product, per month and per day for the last 90 days, equal to SQL over the file', async () => {
    const products = await amounts(file.databasePath, `SELECT product, CAST(SUM(price) AS VARCHAR) FROM usage_costs GROUP BY product`);
    const shownProducts = column(tables.get('products'), 'Spend (USD)');
    expect(shownProducts.get('total')).to.equal([...products.values()].reduce((sum, amount) => sum + amount, 0n));
    shownProducts.delete('total');
    expect(shownProducts).to.deep.equal(products);

    for (const [table, unit, from] of [
      ['months', "strftime(start_date, '%Y-%m')", REPORT_PERIOD.from],
      ['days', 'CAST(start_date AS VARCHAR)', addDays(REPORT_PERIOD.to, -89)],
    ] as const) {
      const shown = tables.get(table) as ReportTable;
      const series = shown.columns.slice(1, -1);
      expect(series.length, table).to.be.greaterThan(3);
      const sql = await query(file.databasePath, `SELECT ${unit}, product, CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE start_date >= DATE '${from}' GROUP BY ALL`);
      const expected = new Map<string, Map<string, Decimal>>();
      for (const [at = '', product = '', spend = ''] of sql) {
        const row = expected.get(at) ?? new Map<string, Decimal>();
        // A product without a column of its own is in the shared "N smaller products" column.
        const name = series.includes(product) ? product : (series.find((title) => /smaller products$/.test(title)) ?? product);
        row.set(name, (row.get(name) ?? 0n) + parseDecimal(spend));
        expected.set(at, row);
      }
      const keys = [...shown.rows.keys()].filter((key) => key !== 'total');
      expect(keys.length, table).to.equal(table === 'months' ? 4 : 90);
      for (const key of keys) {
        for (const title of series) expect(column(shown, title).get(key), `${table} ${key} ${title}`).to.equal(expected.get(key)?.get(title) ?? 0n);
        expect(column(shown, 'Total').get(key), `${table} ${key}`).to.equal([...(expected.get(key)?.values() ?? [])].reduce((sum, amount) => sum + amount, 0n));
      }
    }
  });

  it('shows spend by account, and subaccounts:unattributed apart, equal to SQL over the file', async () => {
    const own = await amounts(file.databasePath, `SELECT account_sid, CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE category <> 'subaccounts:unattributed' GROUP BY 1`);
    const unread = await amounts(file.databasePath, `SELECT category, CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE category = 'subaccounts:unattributed' GROUP BY 1`);
    const shown = column(tables.get('accounts'), 'Spend (USD)');
    shown.delete('total');
    expect(shown).to.deep.equal(new Map([...own, ...unread]));
    expect(unread.get('subaccounts:unattributed') ?? 0n, 'the closed subaccount spent in the period').to.not.equal(0n);
    expect(html).to.contain('<code>subaccounts:unattributed</code>: Spend in the main account&#39;s whole bill that no subaccount read on its own accounts for');
  });

  it('lists the top categories with parent, product and placement, and every residual with its amount and meaning', async () => {
    const categories = tables.get('categories') as ReportTable;
    const sql = await query(
      file.databasePath,
      `SELECT category, CAST(SUM(price) AS VARCHAR), string_agg(DISTINCT COALESCE(parent_category, '(top level)'), ', ' ORDER BY COALESCE(parent_category, '(top level)')), any_value(product), string_agg(DISTINCT placement, ', ' ORDER BY placement)
       FROM usage_costs WHERE NOT is_unattributed GROUP BY category ORDER BY SUM(price) DESC, category LIMIT 15`,
    );
    expect([...categories.rows.keys()]).to.deep.equal(sql.map(([category]) => category));
    for (const [category = '', spend = '', parents, product, placements] of sql) {
      const cells = categories.rows.get(category) ?? [];
      expect(cells.map(({ text }) => text).slice(1, 4), category).to.deep.equal([parents, product, placements]);
      expect(column(categories, 'Spend (USD)').get(category), category).to.equal(parseDecimal(spend));
    }
    const residuals = await amounts(file.databasePath, `SELECT category, CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE is_unattributed GROUP BY 1 HAVING bool_or(price <> 0)`);
    expect([...residuals.keys()].sort()).to.deep.equal(['subaccounts:unattributed', 'unattributed']);
    const shownResiduals = column(tables.get('residuals'), 'Amount (USD)');
    shownResiduals.delete('total');
    expect(shownResiduals).to.deep.equal(residuals);
    const meanings = new Map([...(tables.get('residuals')?.rows ?? [])].map(([key, cells]) => [key, cells.at(-1)?.text]));
    expect(meanings.get('unattributed')).to.match(/^Part of totalprice that no usage category reports/);
  });

  it('names credits and adjustments, every negative line counted, equal to SQL over the file', async () => {
    const negative = await query(file.databasePath, `SELECT category, CAST(SUM(price) AS VARCHAR), CAST(COUNT(*) AS VARCHAR) FROM usage_costs WHERE price < 0 GROUP BY 1`);
    expect(negative.length).to.be.greaterThan(0);
    const credits = tables.get('credits') as ReportTable;
    for (const [category = '', amount = '', lines] of negative) {
      expect(column(credits, 'Amount (USD)').get(category), category).to.equal(parseDecimal(amount));
      expect(credits.rows.get(category)?.[2]?.text, category).to.equal(lines);
    }
    expect(credits.rows.size).to.equal(negative.length + 1);
    expect(credits.rows.get('min-spend-adjustments')?.at(-1)?.text).to.equal('An adjustment Twilio books as usage; a negative one takes money off the bill.');
  });

  it("finds the pumped day as a spike, each spike's spend and usual level equal to SQL over the file", async () => {
    const spikes = tables.get('spikes') as ReportTable;
    expect([...spikes.rows.keys()]).to.include(`${PUMPED_DAY}|Messaging`);
    for (const [key, cells] of spikes.rows) {
      const [day = '', product = ''] = key.split('|');
      const history = await amounts(
        file.databasePath,
        `SELECT CAST(d AS VARCHAR), CAST(COALESCE((SELECT SUM(price) FROM usage_costs WHERE product = '${product}' AND start_date = d), 0) AS VARCHAR)
         FROM (SELECT CAST(range AS DATE) AS d FROM range(DATE '${day}' - INTERVAL 14 DAY, DATE '${day}' + INTERVAL 1 DAY, INTERVAL 1 DAY))`,
      );
      const spend = history.get(day) ?? 0n;
      history.delete(day);
      const before = [...history.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const usual = ((before[6] ?? 0n) + (before[7] ?? 0n)) / 2n;
      expect(cells[2]?.amount, key).to.equal(spend);
      expect(cells[3]?.amount, key).to.equal(usual > 0n ? usual : 0n);
      expect(spend > 3n * usual, key).to.equal(true);
    }
  });

  it('reports a period asked for with --from and --to, and only that', async () => {
    const out = path.join(outDir, 'march.html');
    const result = await runCli(['report', '--duckdb', file.databasePath, '--out', out, '--from', '2026-03-01', '--to', '2026-03-31']);
    expect(result.exitCode, result.stderr).to.equal(0);
    const page = readFileSync(out, 'utf8');
    const spend = await amounts(file.databasePath, `SELECT 'spend', CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE start_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-31'`);
    expect(reportFigures(page).get('spend')).to.equal(spend.get('spend'));
    expect([...(reportTables(page).get('months')?.rows.keys() ?? [])]).to.deep.equal(['2026-03', 'total']);
    expect(page).to.contain('<title>Twilio spend of Alice Telecom, 1 Mar 2026 to 31 Mar 2026</title>');
  });

  it('reports a file that holds usage_costs alone, and says what it cannot check without usage_records', async () => {
    // As a file of usage_costs landed by other means would be: no states, no other stream.
    const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-report-alone-'));
    try {
      const database = path.join(dir, 'costs.duckdb');
      writeFileSync(database, readFileSync(file.databasePath));
      const instance = await DuckDBInstance.create(database);
      const connection = await instance.connect();
      await connection.run('DROP TABLE usage_records; DROP TABLE accounts; DROP TABLE focus_costs; DROP TABLE usage_categories; DROP TABLE _airbyte_state;');
      connection.closeSync();
      instance.closeSync();
      const out = path.join(dir, 'report.html');
      const result = await runCli(['report', '--duckdb', database, '--out', out]);
      expect(result.exitCode, result.stderr).to.equal(0);
      const page = readFileSync(out, 'utf8');
      expect(reportFigures(page).get('spend')).to.equal(reportFigures(html).get('spend'));
      expect(reportFigures(page).has('bill')).to.equal(false);
      expect(page).to.contain('This file has no usage_records, so the spend cannot be held against totalprice here.');
      // Without the accounts table, accounts go by their SIDs.
      expect(reportTables(page).get('accounts')?.rows.get(SAMPLE_MAIN_ACCOUNT_SID)?.[0]?.text).to.equal(SAMPLE_MAIN_ACCOUNT_SID);
      expect(page).to.contain('<title>Twilio spend, 1 Feb 2026 to 3 May 2026</title>');
      expect(page).to.contain('<p class="subtitle">Amounts in USD, from costs.duckdb; written ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('bad input: one line, exit 1, and nothing written, not even half a file', () => {
    let scratch: string;
    let out: string;
    before(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'twilio-costs-report-bad-'));
      out = path.join(scratch, 'out', 'report.html');
      mkdirSync(path.dirname(out));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));
    beforeEach(() => writeFileSync(out, 'the previous report'));
    afterEach(() => {
      expect(readFileSync(out, 'utf8'), 'the previous report stays').to.equal('the previous report');
      expect(readdirSync(path.dirname(out)), 'no temporary file is left').to.deep.equal(['report.html']);
    });

    const report = (...args: string[]): Promise<CliResult> => runCli(['report', '--out', out, ...args]);

    it('a missing file', async () => {
      const missing = path.join(scratch, 'missing.duckdb');
      expectOneLineFailure(
        await report('--duckdb', missing),
        new RegExp(`^report: Cannot read ${missing} \\(ENOENT\\)\\. Run sync first \\(it writes twilio-costs\\.duckdb\\), or pass the file it wrote with --duckdb\\.\\n$`),
      );
    });

    it('a file that is not a DuckDB database', async () => {
      const text = path.join(scratch, 'costs.csv');
      writeFileSync(text, 'category,price\nsms,1\n');
      expectOneLineFailure(await report('--duckdb', text), /^report: .*costs\.csv is not a DuckDB database, so sync did not write it\. Pass the file sync wrote with --duckdb\.\n$/);
    });

    /** A DuckDB file made by `sql`. */
    async function databaseOf(name: string, sql: string): Promise<string> {
      const database = path.join(scratch, name);
      const instance = await DuckDBInstance.create(database);
      const connection = await instance.connect();
      if (sql) await connection.run(sql);
      connection.closeSync();
      instance.closeSync();
      return database;
    }
    const STATE_TABLE = 'CREATE TABLE _airbyte_state (stream VARCHAR PRIMARY KEY, state VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL);';
    const usageCosts = (columns: string): string =>
      `CREATE TABLE usage_costs (account_sid VARCHAR, category VARCHAR, parent_category VARCHAR, product VARCHAR, start_date DATE, price DECIMAL(38,9), price_unit VARCHAR, is_unattributed BOOLEAN${columns});`;

    it('a DuckDB database that sync did not write', async () => {
      expectOneLineFailure(await report('--duckdb', await databaseOf('other.duckdb', '')), /is a DuckDB database that sync did not write \(it has no _airbyte_state table and no usage_costs\)/);
    });

    it('a file sync wrote without usage_costs', async () => {
      const partial = await databaseOf('accounts-only.duckdb', `${STATE_TABLE} CREATE TABLE accounts (sid VARCHAR PRIMARY KEY);`);
      expectOneLineFailure(await report('--duckdb', partial), /has no usage_costs table, which the report is made from\. Run sync with usage_costs among its streams/);
    });

    it('a usage_costs table without a column the report reads', async () => {
      const old = await databaseOf('old.duckdb', `${STATE_TABLE} ${usageCosts('')}`);
      expectOneLineFailure(await report('--duckdb', old), /has a table usage_costs without the column placement, so sync did not write it as it is\. Sync into a new file with --duckdb\.\n$/);
    });

    it('prices in two currencies, which no total can add up', async () => {
      const rows = "INSERT INTO usage_costs VALUES ('AC1', 'sms', NULL, 'Messaging', DATE '2026-10-01', 1, 'USD', false, 'name'), ('AC2', 'sms', NULL, 'Messaging', DATE '2026-10-01', 2, 'EUR', false, 'name');";
      const mixed = await databaseOf('mixed.duckdb', `${STATE_TABLE} ${usageCosts(', placement VARCHAR')} ${rows}`);
      expectOneLineFailure(
        await report('--duckdb', mixed),
        /^report: usage_costs holds prices in EUR \(1 row of 1 account\) and USD \(1 row of 1 account\) from 2026-10-01 to 2026-10-01; a report adds up one currency\. Sync main accounts billed in different currencies into files of their own with --duckdb; rows Twilio priced in another currency than their account's totalprice stay in that currency and cannot be added to it\.\n$/,
      );
    });

    it('an empty period, naming the days the file holds', async () => {
      expectOneLineFailure(
        await report('--duckdb', file.databasePath, '--from', '2030-01-01', '--to', '2030-01-31'),
        /^report: usage_costs has no rows from 2030-01-01 to 2030-01-31; it holds 2026-02-01 to 2026-05-03\. Choose days in that range with --from and --to\.\n$/,
      );
      expectOneLineFailure(await report('--duckdb', file.databasePath, '--from', '2026-05-10'), /^report: The period starts on 2026-05-10, after it ends on 2026-05-03; usage_costs holds 2026-02-01 to 2026-05-03\.\n$/);
    });

    it('a file a running sync holds open', async () => {
      const locked = path.join(scratch, 'locked.duckdb');
      writeFileSync(locked, readFileSync(file.databasePath));
      // Another process holds the file read-write, as sync does while it runs.
      const holder = spawn(process.execPath, ['-e', `require('@duckdb/node-api').DuckDBInstance.create(process.argv[1]).then(() => { console.log('open'); setInterval(() => {}, 1000); })`, locked], {
        cwd: path.dirname(CLI_PATH),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise((resolve) => holder.stdout.once('data', resolve));
        expectOneLineFailure(
          await report('--duckdb', locked),
          new RegExp(`^report: ${locked} is open for writing in another process \\(.+, PID ${holder.pid}\\), most likely a sync that is still running; run report once it has finished\\.\\n$`),
        );
      } finally {
        holder.kill();
      }
    });

    it('dates that are not dates, a period that ends before it starts, and an unknown option', async () => {
      expectOneLineFailure(await report('--from', '2026-02-30'), /^report: --from must be a real date as YYYY-MM-DD, got "2026-02-30"\.\n$/);
      expectOneLineFailure(await report('--from', '2026-10-02', '--to', '2026-10-01'), /^report: --from 2026-10-02 is after --to 2026-10-01\.\n$/);
      expectOneLineFailure(await report('--since', '2026-10-01'), /^report: Unknown option '--since'.*usage: source-twilio-costs report \[--duckdb PATH\]/);
    });

    it('an output folder that does not exist', async () => {
      const nowhere = path.join(scratch, 'no-such-folder', 'report.html');
      const result = await runCli(['report', '--duckdb', file.databasePath, '--out', nowhere]);
      expectOneLineFailure(result, new RegExp(`^report: Cannot write the report to ${nowhere} \\(ENOENT\\)\\. Pass a writable file path with --out\\.\\n$`));
      expect(existsSync(path.dirname(nowhere))).to.equal(false);
    });

    it('without the optional chart library, says how to get it', () => {
      // A module hook that makes vega unresolvable, as in the Airbyte image, which prunes it.
      const hook =
        'export async function resolve(specifier, context, next) { if (specifier === "vega") { const error = new Error("not installed"); error.code = "ERR_MODULE_NOT_FOUND"; throw error; } return next(specifier, context); }';
      const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
      const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, CLI_PATH, 'report', '--duckdb', file.databasePath, '--out', out], { encoding: 'utf8' });
      expectOneLineFailure(
        { exitCode: result.status, stdout: result.stdout, stderr: result.stderr, messages: [] },
        /^report: report needs the optional package vega, which is not installed here \(the Airbyte image leaves it out\)/,
      );
    });
  });

  it('is never loaded by the Airbyte commands: spec runs with the report and its chart library unresolvable', () => {
    // Both ways a module loads, import() and require(), refuse the report's files and Vega.
    const refused = '/^vega|[\\\\/]report[\\\\/]/';
    const esmHook = `export async function resolve(specifier, context, next) { if (${refused}.test(specifier)) throw new Error("loaded " + specifier); return next(specifier, context); }`;
    const cjsHook = path.join(outDir, 'refuse-report.cjs');
    writeFileSync(
      cjsHook,
      `const Module = require('node:module'); const resolve = Module._resolveFilename; Module._resolveFilename = function (request, ...rest) { if (${refused}.test(request)) throw new Error('loaded ' + request); return resolve.call(this, request, ...rest); };`,
    );
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(esmHook)}`)});`;
    const run = (command: string): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['--require', cjsHook, '--import', `data:text/javascript,${encodeURIComponent(register)}`, CLI_PATH, command], { encoding: 'utf8' });
    const spec = run('spec');
    expect(spec.status, String(spec.stderr)).to.equal(0);
    expect(JSON.parse(String(spec.stdout)).type).to.equal('SPEC');
    // The same hooks do stop report, so they would catch a spec that loaded it.
    const report = run('report');
    expect(report.status).to.not.equal(0);
    expect(String(report.stderr)).to.match(/loaded .*report/);
  });
});
