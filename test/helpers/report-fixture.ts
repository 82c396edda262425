/**
 * The DuckDB file the report's tests read: one sync of the simulator's sample account over three
 * months (a main account, a subaccount, one created on 2026-02-17 and one closed on 2026-03-31,
 * which only the main account's whole bill holds), with an SMS pumping attack on one day so that
 * there is a spike to find. A sync takes seconds, so the file is made once per test run
 * and shared; tests only read it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { NANOS_PER_UNIT } from '../../tools/simulator/amounts';
import { type Dataset, SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, sampleDataset } from '../../tools/simulator/dataset';
import { startSimulator } from '../../tools/simulator/server';
import { runCli } from './cli';

export const REPORT_PERIOD = { from: '2026-02-01', to: '2026-05-03' } as const;
/** The day the main account's long-code SMS is pumped: 60,000 messages for 600 USD. */
export const PUMPED_DAY = '2026-04-20';
export const PUMPED_CATEGORY = 'sms-outbound-longcode';

export interface SyncedFile {
  dir: string;
  databasePath: string;
  /** The simulator's data the file was synced from (its truth). */
  dataset: Dataset;
}

let synced: Promise<SyncedFile> | undefined;

async function syncOnce(): Promise<SyncedFile> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-report-test-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const dataset = sampleDataset();
  const messages = 60_000n * NANOS_PER_UNIT;
  dataset.restate(SAMPLE_MAIN_ACCOUNT_SID, PUMPED_DAY, PUMPED_CATEGORY, { count: messages, usage: messages, price: 600n * NANOS_PER_UNIT });
  const simulator = await startSimulator({ dataset });
  const configPath = path.join(dir, 'config.json');
  const databasePath = path.join(dir, 'twilio-costs.duckdb');
  writeFileSync(
    configPath,
    JSON.stringify({ account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN }, start_date: REPORT_PERIOD.from, end_date: REPORT_PERIOD.to }),
  );
  try {
    const result = await runCli(['sync', '--config', configPath, '--duckdb', databasePath], { env: { TWILIO_API_BASE_URL: simulator.baseUrl, TMPDIR: dir } });
    if (result.exitCode !== 0) throw new Error(`the sync the report tests read failed: ${result.stderr}`);
  } finally {
    await simulator.close();
  }
  return { dir, databasePath, dataset };
}

/** The shared synced file, made on first use. */
export function syncedFile(): Promise<SyncedFile> {
  synced ??= syncOnce();
  return synced;
}
