/**
 * `npm run bench`: the built CLI against the bundled simulator, measured from one run.
 *
 * 1. A backfill of usage_records + usage_costs: 5 accounts (main + 4 subaccounts, Auth Token),
 *    2 years, at 50 ms latency and a concurrency limit of 8 (429 beyond it): requests against the
 *    dense plan, wall time against the official twilio SDK listing the same daily records.
 * 2. Peak RSS of the same backfill over 1 and 3 years.
 * 3. 1,000 subaccounts of which 50 have usage, 3 months: requests against accounts × dense.
 * 4. At zero latency: CPU time per 1,000 usage records received, against a raw baseline that
 *    fetches the same pages and writes each record as a JSON line.
 * 5. Peak RSS of a two-day and a one-year read of the sample, the 2-year backfill, 50 subaccounts,
 *    and 63 accounts read side by side at max_concurrency 32.
 * 6. `spec`'s start against a bare node.
 *
 * `npm run bench -- memory start` runs only the sections named (backfill, years, subaccounts, cpu,
 * memory, start); the load average is printed, as figures on a shared machine depend on it.
 *
 * Every measured program runs as its own process with bench/measure.cjs preloaded, which reports
 * its peak RSS and CPU time; the simulator runs here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';

import { type Day, daysBetweenInclusive, maxDay, monthWindows } from '../source-twilio-costs/dates';
import { ROWS_PER_PAGE } from '../source-twilio-costs/usage/fetch-plan';
import { type Dataset, generateDataset, SAMPLE_END_DATE, SAMPLE_START_DATE, sampleDataset } from '../tools/simulator/dataset';
import { type RequestLogEntry, type RunningSimulator, startSimulator } from '../tools/simulator/server';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist/main.js');
const MEASURE = path.join(__dirname, 'measure.cjs');
const SDK_PEER = path.join(__dirname, 'sdk-peer.cjs');
const RAW_BASELINE = path.join(__dirname, 'raw-baseline.cjs');
const LATENCY_MS = 50;
const CONCURRENCY_LIMIT = 8;
const USAGE_STREAMS = ['usage_records', 'usage_costs'];
const ALL_STREAMS = ['accounts', 'usage_categories', 'usage_records', 'usage_costs', 'focus_costs'];
const BACKFILL_RSS_GOAL_MB = 120;
const CPU_GOAL = 1.5;
/** `npm run bench -- memory start` runs only those sections. */
const SECTIONS = ['backfill', 'years', 'subaccounts', 'cpu', 'memory', 'start'] as const;
type Section = (typeof SECTIONS)[number];
const work = mkdtempSync(path.join(tmpdir(), 'twilio-costs-bench-'));

interface Usage {
  maxRssKb: number;
  userMs: number;
  systemMs: number;
}

interface ChildRun {
  wallMs: number;
  usage: Usage;
  /** stdout lines, and RECORD lines per stream (connector runs). */
  lines: number;
  records: Map<string, number>;
  output: string;
}

/** Runs a measured Node program, counting its stdout lines (and RECORD messages per stream) as they stream by. */
function runMeasured(script: string, args: string[], env: Record<string, string>, keepOutput = false): Promise<ChildRun> {
  const usageFile = path.join(work, `usage-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--require', MEASURE, script, ...args], {
    env: { PATH: process.env.PATH ?? '', BENCH_USAGE_FILE: usageFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records = new Map<string, number>();
  let lines = 0;
  let partial = '';
  let output = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (keepOutput) output += chunk;
    const text = partial + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      lines += 1;
      const match = /^\{"type":"RECORD","record":\{"stream":"([a-z_]+)"/.exec(text.slice(start, Math.min(end, start + 60)));
      if (match?.[1]) records.set(match[1], (records.get(match[1]) ?? 0) + 1);
      start = end + 1;
    }
    partial = text.slice(start);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${path.basename(script)} exited ${code}: ${stderr.slice(0, 2000)}`));
        return;
      }
      resolve({ wallMs, usage: JSON.parse(readFileSync(usageFile, 'utf8')) as Usage, lines, records, output });
    });
  });
}

interface Scenario {
  dataset: Dataset;
  startDate: Day;
  endDate: Day;
}

function fiveAccounts(years: number): Scenario {
  const endDate = '2025-12-31';
  const startDate = `${2025 - years + 1}-01-01`;
  return { dataset: generateDataset({ seed: 20_260_501, startDate, endDate, subaccounts: 4 }), startDate, endDate };
}

/** Runs the connector's read of the usage streams against a simulator, from no state. */
async function readUsage(simulator: RunningSimulator, scenario: Scenario, streams = USAGE_STREAMS, maxConcurrency = CONCURRENCY_LIMIT): Promise<ChildRun> {
  const config = path.join(work, 'config.json');
  const catalog = path.join(work, 'catalog.json');
  writeFileSync(
    config,
    JSON.stringify({
      account_sid: scenario.dataset.mainAccountSid,
      credentials: { auth_type: 'auth_token', auth_token: scenario.dataset.accounts[0]?.authToken },
      start_date: scenario.startDate,
      end_date: scenario.endDate,
      max_concurrency: maxConcurrency,
    }),
  );
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: streams.map((name) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, default_cursor_field: ['start_date'] },
        sync_mode: 'incremental',
        destination_sync_mode: 'append_dedup',
        cursor_field: ['start_date'],
      })),
    }),
  );
  return runMeasured(CLI, ['read', '--config', config, '--catalog', catalog], { TWILIO_API_BASE_URL: simulator.baseUrl });
}

/** Listed accounts that can have usage in the range, with the first day each can have it. */
function readableAccounts(scenario: Scenario): Array<{ sid: string; from: Day }> {
  return scenario.dataset.accounts.filter((account) => account.listed).map((account) => ({ sid: account.sid, from: maxDay(scenario.startDate, account.dateCreated) }));
}

/** The dense plan: one Daily listing per account, PageSize 1000, every category, from the account's first day. */
function densePlanRequests(scenario: Scenario): number {
  const categories = scenario.dataset.categories().length;
  return readableAccounts(scenario).reduce((sum, account) => sum + Math.max(1, Math.ceil((daysBetweenInclusive(account.from, scenario.endDate) * categories) / ROWS_PER_PAGE)), 0);
}

interface RequestCounts {
  total: number;
  rateLimited: number;
  /** "aggregates 10, sparse 260, …": what the requests were. */
  kinds: string;
}

function countRequests(requests: readonly RequestLogEntry[]): RequestCounts {
  const kinds = new Map<string, number>();
  for (const request of requests) {
    const kind = request.path.endsWith('/Usage/Records.json')
      ? 'aggregates'
      : request.path.endsWith('/Usage/Records/Daily.json')
        ? request.query.Category === undefined
          ? 'dense pages'
          : request.query.Category.toLowerCase() === 'totalprice' && request.query.IncludeSubaccounts === 'true'
            ? 'whole-bill totals'
            : 'sparse pages'
        : 'accounts';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return {
    total: requests.length,
    rateLimited: requests.filter((request) => request.status === 429).length,
    kinds: [...kinds].map(([kind, count]) => `${kind} ${count}`).join(', '),
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)} %`;
const cpuMs = (usage: Usage): number => usage.userMs + usage.systemMs;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

async function withSimulator<T>(dataset: Dataset, latencyMs: number, use: (simulator: RunningSimulator) => Promise<T>): Promise<T> {
  const simulator = await startSimulator({ dataset, latencyMs, ...(latencyMs > 0 ? { concurrencyLimit: CONCURRENCY_LIMIT } : {}) });
  try {
    return await use(simulator);
  } finally {
    await simulator.close();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const report = (what: string, figure: string, against: string, goal: string): void => {
    rows.push([what, figure, against, goal]);
    process.stdout.write(`  ${what}: ${figure} | ${against} | ${goal}\n`);
  };
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`source-twilio-costs benchmark, ${new Date().toISOString()}\n`);
  process.stdout.write(
    `machine: ${availableParallelism()} CPUs (${cpuModel}), ${megabytes(totalmem() / 1024)} RAM, Node ${process.version}, ${process.platform}, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min)\n\n`,
  );

  const sections = new Set(process.argv.slice(2));
  const runs = (section: Section): boolean => sections.size === 0 || sections.has(section);
  const unknown = [...sections].filter((section) => !(SECTIONS as readonly string[]).includes(section));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
  const twoYears = fiveAccounts(2);
  if (runs('backfill')) await benchBackfill(twoYears, report);
  if (runs('years')) await benchYears(report);
  if (runs('subaccounts')) await benchIdleSubaccounts(report);
  if (runs('cpu')) await benchCpu(twoYears, report);
  if (runs('memory')) await benchMemory(twoYears, report);
  if (runs('start')) await benchStart(report);

  process.stdout.write('\nMarkdown:\n\n| measure | figure | against | goal |\n|---|---|---|---|\n');
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
}

type Report = (what: string, figure: string, against: string, goal: string) => void;

async function benchBackfill(twoYears: Scenario, report: Report): Promise<void> {
  // 1. The backfill, against the dense plan and the SDK.
  process.stdout.write(`1. Backfill of ${USAGE_STREAMS.join(' + ')}: 5 accounts, ${twoYears.startDate}..${twoYears.endDate}, ${LATENCY_MS} ms latency, limit ${CONCURRENCY_LIMIT}\n`);
  const backfill = await withSimulator(twoYears.dataset, LATENCY_MS, async (simulator) => {
    const run = await readUsage(simulator, twoYears);
    const requests = countRequests(simulator.requests);
    simulator.requests.length = 0;
    const accounts = readableAccounts(twoYears);
    const peer = await runMeasured(
      SDK_PEER,
      [],
      {
        BENCH_BASE_URL: simulator.baseUrl,
        BENCH_MAIN_SID: twoYears.dataset.mainAccountSid,
        BENCH_AUTH_TOKEN: twoYears.dataset.accounts[0]?.authToken ?? '',
        BENCH_ACCOUNTS: accounts.map((account) => account.sid).join(','),
        BENCH_START_DATE: twoYears.startDate,
        BENCH_END_DATE: twoYears.endDate,
      },
      true,
    );
    return { run, requests, peer, peerRequests: countRequests(simulator.requests), peerRecords: Number(peer.output.trim()) };
  });
  const dense = densePlanRequests(twoYears);
  report(
    'requests, both streams',
    `${backfill.requests.total} (${backfill.requests.kinds}; ${backfill.requests.rateLimited} answered 429)`,
    `dense plan ${dense} (${percent(backfill.requests.total, dense)})`,
    `≤ 25 %: ${verdict(backfill.requests.total <= dense / 4)}`,
  );
  report(
    '  for reference',
    `the SDK peer made ${backfill.peerRequests.total} requests listing ${backfill.peerRecords} records from start_date`,
    `old plan (month windows, each stream dense) ≈ ${2 * oldDensePlan(twoYears)}`,
    '',
  );
  report('records emitted', [...backfill.run.records].map(([stream, count]) => `${stream} ${count}`).join(', '), '', '');
  report(
    'wall time',
    seconds(backfill.run.wallMs),
    `twilio SDK ${seconds(backfill.peer.wallMs)} (${percent(backfill.run.wallMs, backfill.peer.wallMs)})`,
    `≤ 33 %: ${verdict(backfill.run.wallMs <= backfill.peer.wallMs / 3)}`,
  );
  report('peak RSS, 2 years', megabytes(backfill.run.usage.maxRssKb), '', `≤ ${BACKFILL_RSS_GOAL_MB} MB: ${verdict(backfill.run.usage.maxRssKb <= BACKFILL_RSS_GOAL_MB * 1024)}`);
}

async function benchYears(report: Report): Promise<void> {
  // 2. Peak RSS over 1 and 3 years.
  process.stdout.write('\n2. Peak RSS of the same backfill over 1 and 3 years\n');
  const rss = new Map<number, number>();
  for (const years of [1, 3]) {
    const scenario = fiveAccounts(years);
    const run = await withSimulator(scenario.dataset, LATENCY_MS, (simulator) => readUsage(simulator, scenario));
    rss.set(years, run.usage.maxRssKb);
    report(
      `peak RSS, ${years} year${years === 1 ? '' : 's'}`,
      megabytes(run.usage.maxRssKb),
      `${[...run.records.values()].reduce((a, b) => a + b, 0)} records in ${seconds(run.wallMs)}`,
      `< 200 MB: ${verdict(run.usage.maxRssKb < 200 * 1024)}`,
    );
  }
  const oneYear = rss.get(1) ?? 0;
  const threeYears = rss.get(3) ?? 0;
  report('3 years vs 1 year', `${percent(threeYears - oneYear, oneYear)} more`, '', `≤ 20 %: ${verdict(threeYears <= oneYear * 1.2)}`);
}

async function benchIdleSubaccounts(report: Report): Promise<void> {
  // 3. Many idle subaccounts.
  const isv: Scenario = { dataset: generateDataset({ seed: 20_260_502, startDate: '2025-10-01', endDate: '2025-12-31', subaccounts: 1000, subaccountsWithUsage: 50 }), startDate: '2025-10-01', endDate: '2025-12-31' };
  process.stdout.write(`\n3. 1,000 subaccounts, 50 with usage, Auth Token, ${isv.startDate}..${isv.endDate}, ${LATENCY_MS} ms latency, limit ${CONCURRENCY_LIMIT}\n`);
  const isvRun = await withSimulator(isv.dataset, LATENCY_MS, async (simulator) => ({ run: await readUsage(simulator, isv), requests: countRequests(simulator.requests) }));
  const isvDense = densePlanRequests(isv);
  report(
    'requests, both streams',
    `${isvRun.requests.total} (${isvRun.requests.kinds}; ${isvRun.requests.rateLimited} answered 429) in ${seconds(isvRun.run.wallMs)}, connector CPU ${seconds(cpuMs(isvRun.run.usage))}`,
    `accounts × dense ${isvDense} per stream (${percent(isvRun.requests.total, isvDense)})`,
    'grows with active accounts',
  );
  report('  per account', `${(isvRun.requests.total / readableAccounts(isv).length).toFixed(2)} requests`, '', '');
}

async function benchCpu(twoYears: Scenario, report: Report): Promise<void> {
  // 4. CPU per 1,000 records at zero latency.
  process.stdout.write('\n4. CPU time per 1,000 usage records received, zero latency (scenario 1)\n');
  await withSimulator(twoYears.dataset, 0, async (simulator) => {
    for (const streams of [['usage_records'], USAGE_STREAMS]) {
      simulator.requests.length = 0;
      const run = await readUsage(simulator, twoYears, streams);
      const pages = simulator.requests.filter((request) => request.status === 200).map((request) => `${request.path}?${new URLSearchParams(request.query).toString()}`);
      const pagesFile = path.join(work, 'pages.json');
      writeFileSync(pagesFile, JSON.stringify(pages));
      const baseline = await runMeasured(RAW_BASELINE, [], {
        BENCH_BASE_URL: simulator.baseUrl,
        BENCH_PAGES_FILE: pagesFile,
        BENCH_USER: twoYears.dataset.mainAccountSid,
        BENCH_PASSWORD: twoYears.dataset.accounts[0]?.authToken ?? '',
      });
      const received = baseline.lines;
      const perThousand = (usage: Usage): number => (cpuMs(usage) * 1000) / received;
      report(
        `CPU, ${streams.join(' + ')}`,
        `${perThousand(run.usage).toFixed(1)} ms per 1,000 records (${cpuMs(run.usage).toFixed(0)} ms for ${received} records received)`,
        `raw baseline ${perThousand(baseline.usage).toFixed(1)} ms (${(cpuMs(run.usage) / cpuMs(baseline.usage)).toFixed(2)}×); peak RSS ${megabytes(run.usage.maxRssKb)} vs baseline ${megabytes(baseline.usage.maxRssKb)}`,
        `≤ ${CPU_GOAL}×: ${verdict(cpuMs(run.usage) <= CPU_GOAL * cpuMs(baseline.usage))}`,
      );
    }
  });
}

/** 5. Peak RSS of reads of different shapes: short and long, few accounts and many, read side by side. */
async function benchMemory(twoYears: Scenario, report: Report): Promise<void> {
  const sample = sampleDataset();
  const reads: Array<{ what: string; scenario: Scenario; streams: string[]; maxConcurrency: number; goalMb?: number }> = [
    { what: 'two-day read, sample, every stream', scenario: { dataset: sample, startDate: '2026-10-30', endDate: SAMPLE_END_DATE }, streams: ALL_STREAMS, maxConcurrency: CONCURRENCY_LIMIT, goalMb: 90 },
    { what: 'one-year read, sample, every stream', scenario: { dataset: sample, startDate: SAMPLE_START_DATE, endDate: SAMPLE_END_DATE }, streams: ALL_STREAMS, maxConcurrency: CONCURRENCY_LIMIT },
    { what: '5-account two-year backfill', scenario: twoYears, streams: USAGE_STREAMS, maxConcurrency: CONCURRENCY_LIMIT, goalMb: BACKFILL_RSS_GOAL_MB },
    { what: '50 subaccounts, 3 months', scenario: manyAccounts(50, '2025-10-01'), streams: USAGE_STREAMS, maxConcurrency: CONCURRENCY_LIMIT, goalMb: 150 },
    { what: '63 accounts, 2 months, max_concurrency 32', scenario: manyAccounts(62, '2025-11-01'), streams: USAGE_STREAMS, maxConcurrency: 32, goalMb: 250 },
  ];
  process.stdout.write(`\n5. Peak RSS of reads from no state, ${LATENCY_MS} ms latency, the simulator's limit at max_concurrency\n`);
  for (const read of reads) {
    const simulator = await startSimulator({ dataset: read.scenario.dataset, latencyMs: LATENCY_MS, concurrencyLimit: read.maxConcurrency });
    try {
      const run = await readUsage(simulator, read.scenario, read.streams, read.maxConcurrency);
      const received = [...run.records.values()].reduce((a, b) => a + b, 0);
      const goal = read.goalMb === undefined ? '' : `≤ ${read.goalMb} MB: ${verdict(run.usage.maxRssKb <= read.goalMb * 1024)}`;
      report(`peak RSS, ${read.what}`, megabytes(run.usage.maxRssKb), `${received} records, ${simulator.requests.length} requests in ${seconds(run.wallMs)}, CPU ${seconds(cpuMs(run.usage))}`, goal);
    } finally {
      await simulator.close();
    }
  }
}

/** 6. How long `spec` takes to start and answer, against a bare `node` running an empty script: medians of runs taken in turn. */
async function benchStart(report: Report): Promise<void> {
  const runsEach = 15;
  const empty = path.join(work, 'empty.js');
  writeFileSync(empty, '');
  process.stdout.write(`\n6. Start: spec against a bare node, ${runsEach} runs each, in turn\n`);
  const bare: ChildRun[] = [];
  const spec: ChildRun[] = [];
  for (let run = 0; run < runsEach; run += 1) {
    bare.push(await runMeasured(empty, [], {}));
    spec.push(await runMeasured(CLI, ['spec'], {}));
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const wall = { bare: median(bare.map((run) => run.wallMs)), spec: median(spec.map((run) => run.wallMs)) };
  const cpu = { bare: median(bare.map((run) => cpuMs(run.usage))), spec: median(spec.map((run) => cpuMs(run.usage))) };
  const rss = { bare: median(bare.map((run) => run.usage.maxRssKb)), spec: median(spec.map((run) => run.usage.maxRssKb)) };
  report('spec, wall time', `${wall.spec.toFixed(0)} ms`, `bare node ${wall.bare.toFixed(0)} ms (${(wall.spec / wall.bare).toFixed(2)}×)`, `≤ 2×: ${verdict(wall.spec <= 2 * wall.bare)}`);
  report('spec, CPU', `${cpu.spec.toFixed(0)} ms`, `bare node ${cpu.bare.toFixed(0)} ms (${(cpu.spec / cpu.bare).toFixed(2)}×)`, '');
  report('spec, peak RSS', megabytes(rss.spec), `bare node ${megabytes(rss.bare)}`, '');
}

/** A main account and `subaccounts` subaccounts, every one with usage, from `startDate` to the end of 2025. */
function manyAccounts(subaccounts: number, startDate: Day): Scenario {
  const endDate = '2025-12-31';
  return { dataset: generateDataset({ seed: 20_260_503, startDate, endDate, subaccounts }), startDate, endDate };
}

/** What the connector did before the planner: month windows, a dense listing per window and stream. */
function oldDensePlan(scenario: Scenario): number {
  const categories = scenario.dataset.categories().length;
  let requests = 0;
  for (const account of readableAccounts(scenario)) {
    for (const month of monthWindows(account.from, scenario.endDate)) requests += Math.ceil((daysBetweenInclusive(month.from, month.to) * categories) / ROWS_PER_PAGE);
  }
  return requests;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
