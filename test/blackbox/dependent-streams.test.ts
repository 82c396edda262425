import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';

import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { runCli } from '../helpers/cli';
import { type Message, recordsOf, streamStatuses, traceErrors } from '../helpers/protocol';

const config = {
  account_sid: SAMPLE_MAIN_ACCOUNT_SID,
  credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN },
  start_date: '2026-10-01',
  end_date: '2026-10-02',
};

/**
 * Categories of the sample account on those days that only usage_costs' read can place: one the
 * category table does not know, and one the numbers move from under sms, where its name puts it,
 * to the top level.
 */
const UNKNOWN_AND_MOVED = ['quantum-relay-minutes', 'sms-messages-carrierfees'];

const configuredCatalog = (names: readonly string[]): unknown => ({
  streams: names.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'overwrite',
  })),
});

/** The stream statuses of a read, in the order they were printed. */
const statusLines = (messages: readonly Message[]): string[] =>
  messages.filter((message) => message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS').map((message) => `${message.trace.stream_status.stream_descriptor.name} ${message.trace.stream_status.status}`);

/**
 * usage_categories declares that it reports the placements usage_costs used in the same read: it is
 * read after usage_costs whatever the catalog's order, and fails with it, so a destination (sync's
 * DuckDB file among them) keeps its last good table rather than one missing what usage_costs met.
 */
describe('black box: usage_categories reports on the usage_costs read of the same run', function () {
  this.timeout(180_000);
  let simulator: RunningSimulator;
  let dir: string;
  /** While set, every usage request answers 401, as when the key is revoked before usage_costs is read. */
  let usageRevoked = false;

  before(async () => {
    simulator = await startSimulator({
      dataset: sampleDataset(),
      faults: { seed: 1, rules: [{ fault: { kind: 'twilio-error', status: 401 }, when: (request) => usageRevoked && request.path.includes('/Usage/') }] },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-dependent-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  });
  beforeEach(() => {
    usageRevoked = false;
  });
  after(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function read(names: readonly string[]): Promise<{ exitCode: number | null; messages: Message[] }> {
    const catalogPath = path.join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(configuredCatalog(names)));
    return runCli(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalogPath], { env: { TWILIO_API_BASE_URL: simulator.baseUrl } });
  }

  it('is read after usage_costs even when the catalog lists it first, and names every category usage_costs placed', async () => {
    const { exitCode, messages } = await read(['usage_categories', 'usage_costs']);
    expect(exitCode).to.equal(0);
    expect(statusLines(messages)).to.deep.equal(['usage_costs STARTED', 'usage_costs RUNNING', 'usage_costs COMPLETE', 'usage_categories STARTED', 'usage_categories RUNNING', 'usage_categories COMPLETE']);
    const categories = new Map(recordsOf(messages, 'usage_categories').map((record) => [String(record.category), `${String(record.parent_category)} ${String(record.placement)}`]));
    // Where every usage_costs row of a category has the same parent and placement, usage_categories says so too.
    const used = new Map<string, Set<string>>();
    for (const record of recordsOf(messages, 'usage_costs').filter((row) => row.is_unattributed === false)) {
      const placements = used.get(String(record.category)) ?? new Set<string>();
      placements.add(`${String(record.parent_category)} ${String(record.placement)}`);
      used.set(String(record.category), placements);
    }
    const agreed = [...used].filter(([, placements]) => placements.size === 1).map(([category, placements]) => [category, [...placements][0]]);
    expect(agreed.map(([category]) => category)).to.include.members(UNKNOWN_AND_MOVED);
    for (const [category, placement] of agreed) expect(categories.get(category as string), category).to.equal(placement);
  });

  it('does not complete when that usage_costs read failed: INCOMPLETE, an error naming usage_costs, no record', async () => {
    usageRevoked = true;
    const { exitCode, messages } = await read(['usage_costs', 'usage_categories']);
    expect(exitCode).to.equal(1);
    expect(streamStatuses(messages, 'usage_costs')).to.deep.equal(['STARTED', 'INCOMPLETE']);
    expect(streamStatuses(messages, 'usage_categories')).to.deep.equal(['STARTED', 'INCOMPLETE']);
    expect(recordsOf(messages, 'usage_categories')).to.deep.equal([]);
    const errors = traceErrors(messages).map((message) => message.trace.error);
    expect(errors.map((error) => [error?.stream_descriptor?.name, error?.failure_type])).to.deep.equal([
      ['usage_costs', 'config_error'],
      ['usage_categories', 'config_error'],
    ]);
    expect(errors[1]?.message).to.match(/^Stream usage_categories failed: it reports on usage_costs in the same read, which failed \(Twilio rejected the credentials \(HTTP 401/);
  });

  it('so sync keeps the last usage_categories table that landed whole', async () => {
    const databasePath = path.join(dir, 'costs.duckdb');
    const sync = () => runCli(['sync', '--config', path.join(dir, 'config.json'), '--duckdb', databasePath, '--streams', 'usage_costs,usage_categories'], { env: { TWILIO_API_BASE_URL: simulator.baseUrl } });
    const table = async (): Promise<string[]> => {
      const instance = await DuckDBInstance.create(databasePath);
      const connection = await instance.connect();
      try {
        return (await connection.runAndReadAll('SELECT category, parent_category, placement FROM usage_categories ORDER BY category')).getRows().map((row) => row.join('|'));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    };
    const first = await sync();
    expect(first.exitCode, first.stderr).to.equal(0);
    const landed = await table();
    expect(landed.length).to.be.greaterThan(0);

    usageRevoked = true;
    const failed = await sync();
    expect(failed.exitCode).to.equal(1);
    expect(failed.stderr).to.match(/^sync: Stream usage_categories failed: it reports on usage_costs in the same read, which failed/m);
    expect(await table()).to.deep.equal(landed);
  });
});
