#!/usr/bin/env node
// The demo: the bundled Twilio simulator, then the connector's check, discover and a full read,
// run as a user would (the built CLI as a child process), and a short summary of what came out.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startSimulator } = require('../dist/simulator/server');
const dataset = require('../dist/simulator/dataset');
const { isoDateToDay } = require('../dist/simulator/dates');
const { parseDecimal, formatDecimal } = require('../dist/money');

const CLI = path.resolve(__dirname, '..', 'dist', 'main.js');

function runConnector(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, messages: stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)) }));
  });
}

/** At least cents, as many places as the exact value has. */
function money(value) {
  const [whole, fraction = ''] = formatDecimal(value).split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}
const exact = (number) => parseDecimal(String(number));

function table(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value.padStart(14)}`);
}

async function main() {
  const simulator = await startSimulator({ dataset: dataset.sampleDataset() });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twilio-costs-demo-'));
  const config = {
    account_sid: dataset.SAMPLE_MAIN_ACCOUNT_SID,
    credentials: { auth_type: 'auth_token', auth_token: dataset.SAMPLE_MAIN_AUTH_TOKEN },
    start_date: dataset.SAMPLE_START_DATE,
    end_date: dataset.SAMPLE_END_DATE,
  };
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
  try {
    console.log(`Twilio simulator on ${simulator.baseUrl}: main account ${config.account_sid}, ${config.start_date}..${config.end_date}`);
    const check = await runConnector(['check', '--config', configPath], env);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS').connectionStatus;
    console.log(`check:    ${status.status}: ${status.message}`);
    if (status.status !== 'SUCCEEDED') throw new Error('check failed');

    const discover = await runConnector(['discover', '--config', configPath], env);
    const streams = discover.messages.find((m) => m.type === 'CATALOG').catalog.streams;
    console.log(`discover: ${streams.map((s) => s.name).join(', ')}`);

    const catalog = {
      streams: streams.map((stream) => ({
        stream,
        sync_mode: stream.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh',
        destination_sync_mode: 'append',
      })),
    };
    const catalogPath = path.join(dir, 'catalog.json');
    fs.writeFileSync(catalogPath, JSON.stringify(catalog));
    const started = Date.now();
    const read = await runConnector(['read', '--config', configPath, '--catalog', catalogPath], env);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (read.code !== 0) throw new Error(`read exited ${read.code}`);
    const records = read.messages.filter((m) => m.type === 'RECORD').map((m) => m.record);
    console.log(`read:     ${records.length} records in ${seconds} s, ${simulator.requests.length} requests to the simulator`);

    const perStream = new Map();
    for (const record of records) perStream.set(record.stream, (perStream.get(record.stream) ?? 0) + 1);
    table('Records per stream', [...perStream].map(([stream, count]) => [stream, String(count)]));

    const sum = (rows, key) => {
      const totals = new Map();
      for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0n) + exact(row.price));
      return [...totals].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
    };
    const costs = records.filter((r) => r.stream === 'usage_costs').map((r) => r.data);
    const names = new Map(records.filter((r) => r.stream === 'accounts').map((r) => [r.data.sid, r.data.friendly_name]));
    table('Spend per account (usage_costs)', sum(costs, (row) => `${row.account_sid} ${names.get(row.account_sid) ?? ''}`.trim()).map(([k, v]) => [k, money(v)]));
    table('Spend per product (usage_costs)', sum(costs, (row) => row.product).map(([k, v]) => [k, money(v)]));

    const leafTotal = costs.reduce((total, row) => total + exact(row.price), 0n);
    const mainTotal = simulator.dataset.scopeUsage(config.account_sid, true, isoDateToDay(config.start_date), isoDateToDay(config.end_date)).get('totalprice')?.price;
    const rawTotals = records.filter((r) => r.stream === 'usage_records' && r.data.category === 'totalprice').reduce((total, r) => total + exact(r.data.price), 0n);
    console.log(`\nΣ usage_costs                                  ${money(leafTotal)}`);
    console.log(`Σ totalprice of every account read (usage_records) ${money(rawTotals)}`);
    if (mainTotal !== undefined) console.log(`Main account's whole bill (IncludeSubaccounts=true) ${money(mainTotal)}`);
    const reconciles = mainTotal === undefined ? leafTotal === rawTotals : leafTotal === mainTotal;
    console.log(reconciles ? 'Reconciled: usage_costs adds up to the bill exactly.' : 'NOT RECONCILED');
    if (!reconciles) process.exitCode = 1;
  } finally {
    await simulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
