import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import type { DuckDBValue } from '@duckdb/node-api';
import { expect } from 'chai';

import { DECIMAL_SCALE } from '../../../source-twilio-costs/money';
import { runSync } from '../../../source-twilio-costs/sync/command';
import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_API_KEY, sampleDataset } from '../../../tools/simulator/dataset';
import { isoDateToDay } from '../../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../../tools/simulator/server';
import { queryDuckDb } from '../../helpers/duckdb-query';
import { daysOf, inSimulatorUnits } from '../../helpers/simulator-truth';

/**
 * `sync` run in this process, as main.ts runs it (runSync imported directly), against the
 * simulator over HTTP: what it lands, and that a second run resumes from the states it saved.
 */
const START = '2026-10-25';
const END = '2026-10-31';

/** stderr as sync writes it, not a terminal (so no progress line), kept as text. */
function capturedStderr(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream, text: () => text };
}

describe('sync command, in-process', function () {
  // Two syncs of a week of the sample dataset, each over real HTTP to the simulator.
  this.timeout(120_000);
  let simulator: RunningSimulator;
  let dir: string;
  let configPath: string;
  let databasePath: string;

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-command-test-'));
    configPath = path.join(dir, 'config.json');
    databasePath = path.join(dir, 'costs.duckdb');
    writeFileSync(
      configPath,
      JSON.stringify({ account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_MAIN_API_KEY.sid, api_key_secret: SAMPLE_MAIN_API_KEY.secret }, start_date: START, end_date: END }),
    );
  });
  after(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sync(): Promise<{ exitCode: number; stderr: string }> {
    const stderr = capturedStderr();
    const exitCode = await runSync({ argv: ['--config', configPath, '--duckdb', databasePath], env: { TWILIO_API_BASE_URL: simulator.baseUrl }, stderr: stderr.stream });
    return { exitCode, stderr: stderr.text() };
  }

  const query = (sql: string): Promise<DuckDBValue[][]> => queryDuckDb(databasePath, sql);

  async function expectEveryDayAddsUpToTheBill(): Promise<void> {
    const perDay = new Map(
      (await query('SELECT start_date::VARCHAR, SUM(price) FROM usage_costs GROUP BY 1')).map(([day, sum]) => {
        const { value, scale } = sum as { value: bigint; scale: number };
        return [String(day), inSimulatorUnits(value * 10n ** BigInt(DECIMAL_SCALE - scale))];
      }),
    );
    for (const day of daysOf(START, END)) {
      const bill = simulator.dataset.scopeUsage(SAMPLE_MAIN_ACCOUNT_SID, true, isoDateToDay(day), isoDateToDay(day)).get('totalprice')?.price ?? 0n;
      expect(perDay.get(day) ?? 0n, day).to.equal(bill);
    }
  }

  it('lands every stream, usage_costs adding up to the whole bill of each day, with the states it read to', async () => {
    const { exitCode, stderr } = await sync();
    expect(exitCode, stderr).to.equal(0);
    // Warnings of the read, if any, then the one-line summary naming the database.
    expect(stderr.trimEnd().split('\n').at(-1)).to.include(path.resolve(databasePath));

    const tables = (await query('SELECT table_name FROM duckdb_tables() WHERE NOT temporary')).map(([table]) => String(table));
    expect(tables.sort()).to.deep.equal(['_airbyte_state', 'accounts', 'focus_costs', 'usage_categories', 'usage_costs', 'usage_records']);
    await expectEveryDayAddsUpToTheBill();
    const states = new Map((await query('SELECT stream, state FROM _airbyte_state')).map(([stream, state]) => [String(stream), JSON.parse(String(state)) as { accounts: Record<string, { start_date: string }> }]));
    expect([...states.keys()].sort()).to.deep.equal(['focus_costs', 'usage_costs', 'usage_records']);
    for (const state of states.values()) expect(state.accounts[SAMPLE_MAIN_ACCOUNT_SID]?.start_date).to.equal(END);
  });

  it('resumes from the saved states: the second sync asks Twilio only for the re-read days, leaves the days before alone, and still adds up', async () => {
    const settledRows = "SELECT COLUMNS(c -> c <> '_airbyte_extracted_at')::VARCHAR FROM usage_costs WHERE start_date < DATE '2026-10-29' ORDER BY ALL";
    const before = await query(settledRows);
    const requestsBefore = simulator.requests.length;
    const { exitCode, stderr } = await sync();
    expect(exitCode, stderr).to.equal(0);
    const usageQueries = simulator.requests.slice(requestsBefore).filter((request) => request.path.includes('/Usage/Records'));
    expect(usageQueries.length).to.be.greaterThan(0);
    // lookback_days (3) before the day after the cursor: nothing earlier is asked again.
    expect(
      usageQueries.every((request) => (request.query.StartDate ?? '') >= '2026-10-29'),
      JSON.stringify(usageQueries.map((request) => request.query.StartDate)),
    ).to.equal(true);
    expect(before).to.not.deep.equal([]);
    expect(await query(settledRows)).to.deep.equal(before);
    await expectEveryDayAddsUpToTheBill();
  });
});
