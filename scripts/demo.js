#!/usr/bin/env node
// The demo: the bundled Twilio simulator, then the connector's check and discover, a `sync` of every
// stream into a DuckDB file and a `report` of it, run as a user would (the built CLI as a child
// process). Every figure below is SQL over that file; the last table must reconcile to the bill, or
// the demo fails.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startSimulator } = require('../dist-tools/simulator/server');
const dataset = require('../dist-tools/simulator/dataset');
const { isoDateToDay } = require('../dist-tools/simulator/dates');
const { NANOS_PER_UNIT, formatNanos } = require('../dist-tools/simulator/amounts');
const { DECIMAL_SCALE, formatDecimal, parseDecimal } = require('../dist/money');

const CLI = path.resolve(__dirname, '..', 'dist', 'main.js');
/** Where the demo leaves its report: the file `report` writes by default, in the checkout. */
const REPORT_PATH = path.resolve(__dirname, '..', 'twilio-costs-report.html');
/** An SMS pumping attack the simulator plays on the main account, so the report has a spike to show. */
const PUMPING = { day: '2026-10-16', category: 'sms-outbound-longcode', messages: 40_000n, price: 316n };

/** Runs the CLI; stdout is collected (protocol messages), stderr is the user's (sync progress). */
function runConnector(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        messages: stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      }),
    );
  });
}

function loadDuckDb() {
  try {
    return require('@duckdb/node-api');
  } catch {
    throw new Error('The demo needs the optional package @duckdb/node-api: run `npm ci` (without --omit=optional).');
  }
}

/** A DuckDB DECIMAL value as an exact Decimal of ../money. */
function decimalOf(value) {
  if (value === null) return 0n;
  const shift = DECIMAL_SCALE - value.scale;
  return shift >= 0 ? value.value * 10n ** BigInt(shift) : value.value / 10n ** BigInt(-shift);
}

/** Twilio's five decimal places, so columns line up and nothing is rounded. */
function money(value) {
  const [whole, fraction = ''] = formatDecimal(value).split('.');
  return `${whole}.${fraction.padEnd(5, '0')}`;
}

/** Rows of a label, a value and an optional note. */
function table(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value, note] of rows) console.log(`  ${label.padEnd(width)}  ${value.padStart(14)}${note ? `  ${note}` : ''}`);
}

async function main() {
  const sample = dataset.sampleDataset();
  const pumped = PUMPING.messages * NANOS_PER_UNIT;
  sample.restate(dataset.SAMPLE_MAIN_ACCOUNT_SID, PUMPING.day, PUMPING.category, { count: pumped, usage: pumped, price: PUMPING.price * NANOS_PER_UNIT });
  const simulator = await startSimulator({ dataset: sample });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twilio-costs-demo-'));
  const config = {
    account_sid: dataset.SAMPLE_MAIN_ACCOUNT_SID,
    credentials: { auth_type: 'auth_token', auth_token: dataset.SAMPLE_MAIN_AUTH_TOKEN },
    start_date: dataset.SAMPLE_START_DATE,
    end_date: dataset.SAMPLE_END_DATE,
  };
  const configPath = path.join(dir, 'config.json');
  const databasePath = path.join(dir, 'twilio-costs.duckdb');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
  let instance;
  let connection;
  try {
    const { DuckDBInstance } = loadDuckDb();
    console.log(`Twilio simulator on ${simulator.baseUrl}: main account ${config.account_sid}, ${config.start_date}..${config.end_date}`);
    console.log(`It plays an SMS pumping attack on ${PUMPING.day}: ${PUMPING.messages.toLocaleString('en-US')} ${PUMPING.category} messages (${PUMPING.price} USD) on the main account.`);
    const check = await runConnector(['check', '--config', configPath], env);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS').connectionStatus;
    console.log(`check:    ${status.status}`);
    if (status.status !== 'SUCCEEDED') throw new Error(`check failed: ${status.message}`);

    const discover = await runConnector(['discover', '--config', configPath], env);
    const streams = discover.messages.find((m) => m.type === 'CATALOG').catalog.streams;
    console.log(`discover: ${streams.map((s) => s.name).join(', ')}`);

    // sync prints its own summary line (streams, records, account-days, spend, file, time) on stderr.
    const sync = await runConnector(['sync', '--config', configPath, '--duckdb', databasePath], env);
    if (sync.code !== 0) throw new Error(`sync exited ${sync.code}`);
    console.log(`requests: ${simulator.requests.length} to the simulator, check and discover included`);

    instance = await DuckDBInstance.create(databasePath);
    connection = await instance.connect();
    const rows = async (sql) => (await connection.runAndReadAll(sql)).getRows();

    const counts = await rows(streams.map((s) => `SELECT '${s.name}', COUNT(*) FROM "${s.name}"`).join(' UNION ALL '));
    table(
      'Rows per table',
      counts.map(([name, count]) => [name, String(count)]),
    );
    // A product's negative lines are credits and adjustments: named, so a negative total is not a puzzle.
    const products = await rows(`
      SELECT product, SUM(price) AS spend, string_agg(DISTINCT category, ', ' ORDER BY category) FILTER (WHERE price < 0)
      FROM usage_costs GROUP BY product ORDER BY spend DESC`);
    table(
      'Spend per product (usage_costs)',
      products.map(([product, spend, credits]) => {
        const total = decimalOf(spend);
        const note = credits === null ? '' : total < 0n ? `credits and adjustments (${credits}): they lower the bill` : `net of credits and adjustments (${credits})`;
        return [product, money(total), note];
      }),
    );
    // The main account's line includes subaccounts:unattributed, the spend of subaccounts not read
    // on their own (the closed one here): shown apart, so it is not mistaken for the main account's own.
    const [[residual]] = await rows(`SELECT SUM(price) FROM usage_costs WHERE category = 'subaccounts:unattributed'`);
    table('Spend per account (usage_costs)', [
      ...(await rows(`SELECT c.account_sid || COALESCE(' ' || a.friendly_name, ''), SUM(c.price) AS spend FROM usage_costs c LEFT JOIN accounts a ON a.sid = c.account_sid GROUP BY 1 ORDER BY spend DESC`)).map(
        ([account, spend]) => [account, money(decimalOf(spend))],
      ),
      ['  main account: of which subaccounts:unattributed', money(decimalOf(residual))],
    ]);
    // Every account-day reconciles on its own: its rows add up to that account's own totalprice.
    const [[accountDays, unreconciledDays]] = await rows(`
      SELECT COUNT(*), COUNT(*) FILTER (WHERE leaves <> COALESCE(total, 0)) FROM (
        SELECT c.account_sid, c.start_date, SUM(c.price) AS leaves, ANY_VALUE(r.price) AS total
        FROM usage_costs c
        LEFT JOIN usage_records r ON r.account_sid = c.account_sid AND r.start_date = c.start_date AND r.category = 'totalprice'
        WHERE c.category <> 'subaccounts:unattributed'
        GROUP BY c.account_sid, c.start_date
      )`);

    const perMonth = await rows(`SELECT strftime(start_date, '%Y-%m') AS month, SUM(price) FROM usage_costs GROUP BY month ORDER BY month`);
    const [[costsTotal, focusTotal, accountsTotal]] = await rows(`
      SELECT (SELECT SUM(price) FROM usage_costs), (SELECT SUM(BilledCost) FROM focus_costs),
             (SELECT SUM(price) FROM usage_records WHERE category = 'totalprice')`);
    const leafTotal = decimalOf(costsTotal);
    const billedTotal = decimalOf(focusTotal);
    // The simulator keeps its own unit: its figure crosses over as text.
    const mainBill = parseDecimal(formatNanos(simulator.dataset.scopeUsage(config.account_sid, true, isoDateToDay(config.start_date), isoDateToDay(config.end_date)).get('totalprice')?.price ?? 0n));
    table('Spend per month (usage_costs), read back from DuckDB', [
      ...perMonth.map(([month, spend]) => [month, money(decimalOf(spend))]),
      ['Σ usage_costs', money(leafTotal)],
      ['Σ focus_costs.BilledCost', money(billedTotal)],
      ['Σ totalprice of every account read (usage_records)', money(decimalOf(accountsTotal))],
      ["Main account's whole bill (IncludeSubaccounts=true)", money(mainBill)],
      ['Account-days whose rows add up to their totalprice', `${Number(accountDays) - Number(unreconciledDays)} of ${accountDays}`],
    ]);
    const reconciles = leafTotal === mainBill && billedTotal === mainBill && Number(unreconciledDays) === 0;
    console.log(reconciles ? '\nReconciled: usage_costs and focus_costs add up to the bill exactly.' : '\nNOT RECONCILED');
    if (!reconciles) process.exitCode = 1;
    // The file is read by one process at a time: close it before report opens it.
    connection.closeSync();
    instance.closeSync();
    connection = undefined;
    instance = undefined;
    // report prints its own line (spend, period, charts, file, size) on stderr.
    const report = await runConnector(['report', '--duckdb', databasePath, '--out', REPORT_PATH], {});
    if (report.code !== 0) throw new Error(`report exited ${report.code}`);
    console.log(`\nThe report, one HTML file that opens offline: ${REPORT_PATH}`);
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    await simulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
