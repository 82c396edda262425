/**
 * `npm run bench:report`: the report of a year of 50 accounts (a main account and 49 subaccounts,
 * Auth Token), synced from the bundled simulator at zero latency into a DuckDB file. Prints the size
 * of the HTML page (the goal: about 2 MB at most), and the report's wall time, peak RSS and CPU time,
 * measured in its own process (bench/measure.cjs preloaded). The sync is set-up, not measured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { generateDataset } from '../tools/simulator/dataset';
import { startSimulator } from '../tools/simulator/server';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/main.js');
const MEASURE = path.join(__dirname, 'measure.cjs');
const START = '2025-01-01';
const END = '2025-12-31';
const SUBACCOUNTS = 49;

function run(args: string[], env: Record<string, string>): Promise<{ wallMs: number; stderr: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve({ wallMs: Number(process.hrtime.bigint() - started) / 1e6, stderr }) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`)))),
  );
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'twilio-costs-bench-report-'));
  const dataset = generateDataset({ seed: 20_261_207, startDate: START, endDate: END, subaccounts: SUBACCOUNTS, closedSubaccounts: 2 });
  const simulator = await startSimulator({ dataset });
  try {
    const config = path.join(work, 'config.json');
    const database = path.join(work, 'costs.duckdb');
    const out = path.join(work, 'report.html');
    writeFileSync(config, JSON.stringify({ account_sid: dataset.mainAccountSid, credentials: { auth_type: 'auth_token', auth_token: dataset.accounts[0]?.authToken }, start_date: START, end_date: END }));
    const sync = await run([CLI, 'sync', '--config', config, '--duckdb', database, '--streams', 'usage_records,usage_costs,accounts'], { TWILIO_API_BASE_URL: simulator.baseUrl, TMPDIR: work });
    console.log(`set-up: ${sync.stderr.trim()}`);
    const usageFile = path.join(work, 'usage.json');
    const report = await run(['--require', MEASURE, CLI, 'report', '--duckdb', database, '--out', out], { BENCH_USAGE_FILE: usageFile });
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; userMs: number; systemMs: number };
    const bytes = statSync(out).size;
    console.log(`report of ${SUBACCOUNTS + 1} accounts over ${START}..${END}: ${(bytes / 1024 / 1024).toFixed(2)} MiB of HTML (goal ≤ 2 MB)`);
    console.log(`  wall ${(report.wallMs / 1000).toFixed(1)} s, peak RSS ${Math.round(usage.maxRssKb / 1024)} MiB, CPU ${((usage.userMs + usage.systemMs) / 1000).toFixed(1)} s`);
    console.log(`  ${report.stderr.trim()}`);
  } finally {
    await simulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
