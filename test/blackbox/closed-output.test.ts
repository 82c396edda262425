import { spawn } from 'node:child_process';

import { expect } from 'chai';

import { generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_PATH, CLI_TEST_TIMEOUT_MS, type CliResult, removeFiles, runCli, writeFiles } from '../helpers/cli';
import { COMPARE_EVERY_READ, expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { configFor, usageCatalog, type UsageSetup } from './read-checks';

interface ClosedRun {
  exitCode: number | null;
  stderr: string;
}

/** Runs a read and closes its stdout after the first chunk, as `… | head -1` does. */
async function readWithStdoutClosedEarly(args: string[], env: Record<string, string>): Promise<ClosedRun> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.once('data', () => child.stdout.destroy());
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { exitCode, stderr };
}

describe('black box: a read whose stdout is closed', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let setup: UsageSetup;
  let files: Record<string, string>;
  /** The whole read, to which the closed one is compared; compared across plans in turn. */
  let whole: CliResult | undefined;
  const args = (): string[] => ['read', '--config', files['config.json'] as string, '--catalog', files['catalog.json'] as string];

  before(async () => {
    // Half a year of three subaccounts, each answer a little slow: a whole read takes many requests.
    const dataset = generateDataset({ seed: 7311, startDate: '2026-05-01', endDate: '2026-10-31', subaccounts: 3 });
    simulator = await startSimulator({ dataset, latencyMs: 5 });
    setup = { dataset, mode: 'auth_token', from: '2026-05-01', to: '2026-10-31' };
    files = writeFiles({ 'config.json': configFor(setup), 'catalog.json': usageCatalog(['usage_records']) });
  });
  after(async () => {
    removeFiles(files);
    await simulator.close();
  });

  it('stops at once with a non-zero exit instead of making every request for no reader', async () => {
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_RETRY_BASE_MS: '5' };
    whole = await runCli(args(), { env });
    expect(whole.exitCode, whole.stderr).to.equal(0);
    const wholeRequests = simulator.requests.length;
    expect(wholeRequests).to.be.greaterThan(30);

    const closed = await readWithStdoutClosedEarly(args(), env);
    // Answers to requests that were in flight at the exit are logged a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closedRequests = simulator.requests.length - wholeRequests;
    expect(closed.exitCode).to.be.a('number').and.not.equal(0);
    expect(closed.stderr).to.match(/stdout was closed by its reader/);
    // "At once" in requests, not in milliseconds, which depend on the machine's load.
    expect(closedRequests, `requests after the pipe closed, of ${wholeRequests} in a whole read`).to.be.lessThan(wholeRequests / 4);
  });

  // The closed read is cut short on purpose, so only the whole one is compared; densely it is half a
  // year of four accounts, some 475,000 rows, of a plain usage_records read that shorter cases compare.
  it('the whole read emits the same rows under every plan (a long read: TEST_PLAN_PARITY=all)', async function () {
    if (!COMPARE_EVERY_READ || whole === undefined) this.skip();
    await expectEveryPlanReadsTheSame(whole.messages, { dataset: setup.dataset, config: configFor(setup), catalog: usageCatalog(['usage_records']) });
  });
});
