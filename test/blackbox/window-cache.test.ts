import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { recordsOf, traceErrors } from '../helpers/protocol';

const USAGE_STREAMS = ['usage_records', 'usage_costs'];
const catalog = JSON.parse(readFileSync(path.resolve(__dirname, '../../integration_tests/configured_catalog.json'), 'utf8')) as { streams: Array<{ stream: { name: string } }> };

/**
 * A read's records, stream by stream, as sorted JSON: what two reads must agree on. Without
 * `as_of`, the time Twilio computed a record, which changes on every call.
 */
function recordTexts(result: CliResult): Record<string, string[]> {
  const text = (record: Record<string, unknown>): string => JSON.stringify({ ...record, as_of: undefined });
  return Object.fromEntries(USAGE_STREAMS.map((stream) => [stream, recordsOf(result.messages, stream).map(text).sort()]));
}

describe('black box: the usage window cache without a usable TMPDIR', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let dir: string;
  let args: string[];
  let config: Record<string, unknown>;
  let usageCatalog: unknown;

  /** Reads both usage streams with this TMPDIR; returns the result and the usage requests it sent. */
  async function read(tmpDir: string): Promise<{ result: CliResult; usageRequests: number }> {
    const first = simulator.requests.length;
    const result = await runCli(args, { env: { TWILIO_API_BASE_URL: simulator.baseUrl, TMPDIR: tmpDir } });
    return { result, usageRequests: simulator.requests.slice(first).filter((request) => request.path.includes('/Usage/')).length };
  }

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-window-cache-'));
    // Two weeks across a month end: two windows per account, which the later stream plans again without the cache.
    config = { account_sid: SAMPLE_MAIN_ACCOUNT_SID, credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN }, start_date: '2026-09-24', end_date: '2026-10-07' };
    usageCatalog = { streams: catalog.streams.filter((entry) => USAGE_STREAMS.includes(entry.stream.name)) };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(usageCatalog));
    mkdirSync(path.join(dir, 'tmp'));
    args = ['read', '--config', path.join(dir, 'config.json'), '--catalog', path.join(dir, 'catalog.json')];
  });
  after(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a missing TMPDIR makes the later stream ask Twilio again, with one warning, and the same records', async () => {
    const normal = await read(path.join(dir, 'tmp'));
    expect(normal.result.exitCode, normal.result.stderr).to.equal(0);
    expect(normal.result.stderr).to.equal('');

    const missing = path.join(dir, 'no-such-dir');
    const uncached = await read(missing);
    expect(uncached.result.exitCode, uncached.result.stderr).to.equal(0);
    expect(traceErrors(uncached.result.messages)).to.deep.equal([]);
    // One warning, in the protocol's log, not on stderr.
    expect(uncached.result.stderr).to.equal('');
    const warnings = uncached.result.messages.filter((message) => message.type === 'LOG' && message.log?.level === 'WARN').map((message) => String(message.log?.message));
    const cacheWarnings = warnings.filter((message) => message.includes('Cannot keep usage rows in a temporary file'));
    expect(cacheWarnings).to.have.length(1);
    expect(cacheWarnings[0]).to.match(new RegExp(`Cannot keep usage rows in a temporary file under ${missing} \\(ENOENT\\), so later streams of this run ask Twilio again`));
    expect(recordTexts(uncached.result)).to.deep.equal(recordTexts(normal.result));
    expect(recordsOf(normal.result.messages, 'usage_costs').length).to.be.greaterThan(0);
    // usage_costs read its windows from the cache before; now it asks Twilio for them too.
    expect(uncached.usageRequests, `usage requests: ${uncached.usageRequests} without a cache, ${normal.usageRequests} with one`).to.be.greaterThan(normal.usageRequests);

    // Each plan without the cache, where the later stream plans its windows again. (With the cache,
    // planner.test compares this dataset's usage streams over a longer range.)
    await expectEveryPlanReadsTheSame(uncached.result.messages, { dataset: simulator.dataset, config, catalog: usageCatalog, env: { TMPDIR: missing } });
  });
});
