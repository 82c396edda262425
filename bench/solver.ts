/**
 * `npm run bench:solver`: CPU time of placing one account's window (placeWindow: the prior, then the
 * solver), on realistic crowded windows and on inputs built to be hard, and whether the rows come
 * out as the true tree says.
 *
 * It runs the built connector (`npm run build:connector` first). Each case is placed a few times in this process, after one warm-up run; the figure is the median
 * of the CPU time (user + system) of those runs. "exact days" counts the days whose rows are
 * exactly the true leaves, parents and prices; "notes" counts moves, ties and cuts reported.
 * BENCH_SOLVER_RUNS sets the runs per case (3), BENCH_SOLVER_CASE picks the cases whose name holds it.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { cpuUsage } from 'node:process';

import type { CostInputRecord } from '../source-twilio-costs/costs/types';
import { addDays, type Day } from '../source-twilio-costs/dates';
import { DECIMAL_SCALE, formatDecimal } from '../source-twilio-costs/money';
import { type RealisticWorld, realisticWorld, trueRowsOf } from '../test/unit/costs/realistic-worlds';

// The built connector, as it runs (the TypeScript loader adds a name to every function it creates).
const DIST = path.resolve(__dirname, '../dist/costs');
/* eslint-disable @typescript-eslint/no-require-imports -- the built files, by path at run time; an import would load the TypeScript sources */
const { twilioHierarchy } = require(path.join(DIST, 'hierarchy')) as typeof import('../source-twilio-costs/costs/hierarchy');
const { placeWindow, reconcileWindow } = require(path.join(DIST, 'reconcile')) as typeof import('../source-twilio-costs/costs/reconcile');
const { WindowPrices } = require(path.join(DIST, 'window-prices')) as typeof import('../source-twilio-costs/costs/window-prices');
/* eslint-enable @typescript-eslint/no-require-imports */

const RUNS = Number(process.env.BENCH_SOLVER_RUNS ?? 3);
const STEP = 10n ** BigInt(DECIMAL_SCALE - 5);

interface Case {
  readonly name: string;
  readonly records: ReadonlyMap<Day, CostInputRecord[]>;
  /** The true rows per day, when the case has a truth. */
  readonly truth?: (day: Day) => Record<string, string>;
}

function worldCase(name: string, world: RealisticWorld): Case {
  return { name, records: world.records, truth: (day) => trueRowsOf(world, world.days, day) };
}

/** Fees named under a rollup that never add up to it: more sets of four than the exact search tries. */
function feesThatNeverFit(days: number, fees: number): Case {
  const records = new Map<Day, CostInputRecord[]>();
  for (let day = 0; day < days; day++) {
    const prices = Array.from({ length: fees }, (_, fee) => BigInt(1000 + 37 * fee + 11 * day) * STEP);
    const sms = prices.reduce((sum, price) => sum + price, 0n) + STEP;
    records.set(addDays('2026-01-01', day), [record('totalprice', sms), record('sms', sms), ...prices.map((price, fee) => record(`sms-new-fee-${fee}`, price))]);
  }
  return { name: `${fees} fees under sms that never add up, ${days} days`, records };
}

/**
 * Fees named under sms on a single day, one of which sms does not hold, beside cost in no category:
 * the one-day move out of sms is searched for another set of its children costing as much.
 */
function oneFeeOutOfMany(fees: number): Case {
  const prices = Array.from({ length: fees }, (_, fee) => BigInt(1000 + 37 * fee) * STEP);
  const sms = prices.slice(1).reduce((sum, price) => sum + price, 0n);
  const total = sms + (prices[0] ?? 0n) + 300n * STEP;
  const records = new Map<Day, CostInputRecord[]>([['2026-01-01', [record('totalprice', total), record('sms', sms), ...prices.map((price, fee) => record(`sms-new-fee-${fee}`, price))]]]);
  return { name: `${fees} fees under sms, one of them outside it, 1 day with cost in no category`, records };
}

/** Many categories with one price, under a rollup that over-sums by two of them. */
function equalPrices(days: number, count: number): Case {
  const records = new Map<Day, CostInputRecord[]>();
  for (let day = 0; day < days; day++) {
    const price = BigInt(2500 + day) * STEP;
    const fees = Array.from({ length: count }, (_, fee) => record(`flex-fee-${fee}`, price));
    records.set(addDays('2026-01-01', day), [record('totalprice', price * BigInt(count)), record('flex', price * BigInt(count - 2)), ...fees]);
  }
  return { name: `${count} categories of one price, 2 of them outside their rollup, ${days} days`, records };
}

function record(category: string, price: bigint): CostInputRecord {
  return { category, price, count: null, countUnit: null, usage: null, usageUnit: null };
}

function cases(): Case[] {
  const crowded = (days: number, misplacements: number, seatFees = 0, seed = 1): RealisticWorld => realisticWorld({ seed, days, start: '2025-11-01', misplacements, seatFees });
  return [
    worldCase('crowded, 16 misplaced, 365 days', crowded(365, 11)),
    worldCase('crowded, 16 misplaced + 24 equal seat fees, 365 days', crowded(365, 11, 24)),
    worldCase('crowded, 20 misplaced + 24 equal seat fees, 365 days', crowded(365, 14, 24, 2)),
    worldCase('crowded, 16 misplaced, 122 days', crowded(122, 11)),
    worldCase('crowded, 16 misplaced, 31 days', crowded(31, 11)),
    worldCase('crowded, 16 misplaced, 3 days', crowded(3, 11)),
    worldCase('crowded, 16 misplaced, 1 day', crowded(1, 11)),
    worldCase('crowded, none misplaced, 365 days', crowded(365, 0)),
    feesThatNeverFit(3, 60),
    feesThatNeverFit(365, 60),
    oneFeeOutOfMany(60),
    equalPrices(3, 300),
    equalPrices(365, 150),
  ];
}

function pricesOf(records: ReadonlyMap<Day, CostInputRecord[]>): InstanceType<typeof WindowPrices> {
  const prices = new WindowPrices([...records.keys()]);
  for (const [day, dayRecords] of records) for (const input of dayRecords) prices.add(input.category, day, input.price);
  return prices;
}

function cpuMs(run: () => void): number {
  const before = cpuUsage();
  run();
  const used = cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function main(): void {
  const hierarchy = twilioHierarchy();
  console.log(
    `solver benchmark, ${new Date().toISOString()}, Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  console.log('case | priced a day | solver CPU ms (median) | exact days | residual rows | notes');
  let worst = 0;
  const only = process.env.BENCH_SOLVER_CASE;
  for (const testCase of cases().filter((candidate) => only === undefined || candidate.name.includes(only))) {
    const prices = pricesOf(testCase.records);
    placeWindow(prices, hierarchy);
    const times: number[] = [];
    let placed = placeWindow(prices, hierarchy);
    for (let run = 0; run < RUNS; run++) times.push(cpuMs(() => (placed = placeWindow(prices, hierarchy))));
    const window = reconcileWindow(testCase.records, hierarchy, placed);
    const days = [...testCase.records.keys()];
    const priced = days.map((day) => (testCase.records.get(day) ?? []).filter((input) => input.price !== 0n && input.category !== 'totalprice').length);
    let exactDays = 0;
    let residualRows = 0;
    for (const day of days) {
      const rows = window.days.get(day)?.rows ?? [];
      residualRows += rows.filter((row) => row.isUnattributed && row.category !== 'unattributed').length;
      if (!testCase.truth) continue;
      const actual = Object.fromEntries(rows.map((row) => [row.category, `${row.parentCategory ?? '-'} ${formatDecimal(row.price)}`]));
      if (JSON.stringify(sorted(actual)) === JSON.stringify(sorted(testCase.truth(day)))) exactDays += 1;
    }
    const moves = placed.notes.filter((note) => note.message.startsWith('placed ')).length;
    const ties = placed.notes.filter((note) => note.message.startsWith('the numbers do not decide')).length;
    const cut = placed.notes.some((note) => note.message.startsWith('the placement search was cut short'));
    const time = median(times);
    worst = Math.max(worst, time);
    console.log(
      `${testCase.name} | ${Math.min(...priced)}–${Math.max(...priced)} | ${time.toFixed(0)} | ${testCase.truth ? `${exactDays}/${days.length}` : 'n/a'} | ${residualRows} | ${moves} moves, ${ties} ties${cut ? ', cut' : ''}`,
    );
  }
  console.log(`worst case: ${worst.toFixed(0)} ms of solver CPU`);
}

function sorted(rows: Record<string, string>): Array<[string, string]> {
  return Object.entries(rows).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

main();
