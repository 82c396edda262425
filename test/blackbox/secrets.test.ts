import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect } from 'chai';

import { generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { traceErrors } from '../helpers/protocol';
import { runLimited, TEST_REQUEST_TIMEOUT_MS } from './fault-scenarios';
import { configFor, usageCatalog, type UsageSetup } from './read-checks';
import { basic, expectNoSecret } from './secret-checks';

/** A loopback server on another port (so another origin) that records the requests it gets. */
async function startRecorder(): Promise<{ server: Server; origin: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"usage_records": [], "next_page_uri": null}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

// The output of every fault scenario and bad-input case is scanned for secrets too, by
// faults.test.ts and bad-input.test.ts, beside the other checks of the same runs.
describe('black box: secrets', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);

  // Not compared across plans: the reads are there to be scanned, most fail on purpose at the config.
  describe('each secret in every config position, key names included, before and after the config is checked', () => {
    type Placement = (config: Record<string, unknown>, secret: string) => Record<string, unknown>;
    const withCredentials = (config: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> => ({
      ...config,
      credentials: { ...(config.credentials as Record<string, unknown>), ...changes },
    });
    const PLACEMENTS: ReadonlyArray<[string, Placement]> = [
      ['the name of an unknown field', (config, secret) => ({ ...config, [secret]: true })],
      ['the name of an unknown field in credentials', (config, secret) => withCredentials(config, { [secret]: 'x' })],
      ['the value of an unknown field', (config, secret) => ({ ...config, note: secret })],
      ['a key and a value deep in an unknown object', (config, secret) => ({ ...config, extra: { deeper: [{ [secret]: secret }] } })],
      ['account_sid', (config, secret) => ({ ...config, account_sid: secret })],
      ['start_date', (config, secret) => ({ ...config, start_date: secret })],
      ['lookback_days', (config, secret) => ({ ...config, lookback_days: secret })],
      ['an entry of subaccount_sids', (config, secret) => ({ ...config, subaccount_sids: [secret] })],
      ['credentials.auth_type', (config, secret) => withCredentials(config, { auth_type: secret })],
      ['credentials.api_key_sid', (config, secret) => withCredentials(config, { api_key_sid: secret })],
    ];
    const COMMANDS = ['check', 'discover', 'read'] as const;
    const runs: Array<{ name: string; result: () => Promise<CliResult> }> = [];
    let simulator: RunningSimulator;
    let results: Array<Promise<CliResult>> | undefined;
    before(async () => {
      simulator = await startSimulator({ dataset: generateDataset({ seed: 7400, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 1 }) });
    });
    after(() => simulator.close());

    for (const mode of ['api_key', 'auth_token'] as const) {
      for (const [position, place] of PLACEMENTS) {
        for (const command of COMMANDS) {
          runs.push({
            name: `${mode}: the secret also as ${position}, ${command}`,
            result: () => {
              const setup: UsageSetup = { dataset: simulator.dataset, mode, from: '2026-10-01', to: '2026-10-01' };
              const config = configFor(setup);
              const credentials = config.credentials as Record<string, string>;
              const secret = mode === 'api_key' ? credentials.api_key_secret : credentials.auth_token;
              return runCli([command, '--config', '{config.json}', ...(command === 'read' ? ['--catalog', '{catalog.json}'] : [])], {
                env: { TWILIO_API_BASE_URL: simulator.baseUrl },
                files: { 'config.json': place(config, secret ?? ''), 'catalog.json': usageCatalog(['usage_records']) },
              });
            },
          });
        }
      }
    }

    runs.forEach((run, index) => {
      it(`${run.name}: no secret in stdout or stderr`, async () => {
        results ??= runLimited(
          4,
          runs.map((each) => each.result),
        );
        const result = await (results[index] as Promise<CliResult>);
        expect(result.messages.length, 'the command answered').to.be.greaterThan(0);
        expectNoSecret(result, simulator.dataset);
      });
    });

    it('the key-name placements were named in a warning, masked', async () => {
      results ??= runLimited(
        4,
        runs.map((each) => each.result),
      );
      const warnings = (await Promise.all(results)).flatMap((result) => result.messages).filter((message) => message.type === 'LOG' && message.log.level === 'WARN');
      const masked = warnings
        .map((message) => String(message.log.message))
        .filter((text) => text.startsWith('The config field "**********" is not a setting') || text.startsWith('The config field "credentials.**********" is not a setting'));
      // Both modes, every command, both key-name placements.
      expect(masked.length).to.equal(2 * COMMANDS.length * 2);
    });
  });

  // Not compared across plans: these reads fail on purpose, at the first usage request.
  describe('credentials go to one origin only', () => {
    let recorder: Awaited<ReturnType<typeof startRecorder>>;
    let simulator: RunningSimulator | undefined;
    beforeEach(async () => {
      recorder = await startRecorder();
    });
    afterEach(async () => {
      await simulator?.close();
      await new Promise((resolve) => recorder.server.close(resolve));
    });

    async function readThrough(rule: 'redirect' | 'foreign-next-page'): Promise<{ result: CliResult; setup: UsageSetup }> {
      const setup: UsageSetup = {
        dataset: generateDataset({ seed: 7300, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 1 }),
        mode: 'auth_token',
        from: '2026-10-01',
        to: '2026-10-02',
      };
      simulator = await startSimulator({
        dataset: setup.dataset,
        faults: { seed: 7300, rules: [{ fault: { kind: rule, origin: recorder.origin }, when: (request) => request.path.includes('/Usage/Records') }] },
      });
      const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS: String(TEST_REQUEST_TIMEOUT_MS) },
        files: { 'config.json': configFor(setup), 'catalog.json': usageCatalog(['usage_records']) },
      });
      expect(
        simulator.requests.some((request) => request.fault === rule),
        `the simulator answered with ${rule}`,
      ).to.equal(true);
      return { result, setup };
    }

    it('the recorder sees an Authorization header when one is sent to it', async () => {
      await fetch(`${recorder.origin}/2010-04-01/Accounts.json`, { headers: { Authorization: `Basic ${basic('probe', 'probe')}` } });
      expect(recorder.received.map((headers) => headers.authorization)).to.deep.equal([`Basic ${basic('probe', 'probe')}`]);
    });

    it('a redirect to another origin is not followed: no request, let alone an Authorization header, reaches it', async () => {
      const { result, setup } = await readThrough('redirect');
      expect(
        recorder.received.filter((headers) => headers.authorization !== undefined),
        'requests with Authorization at the other origin',
      ).to.deep.equal([]);
      expect(recorder.received).to.deep.equal([]);
      expect(result.exitCode).to.not.equal(0);
      expect(traceErrors(result.messages)[0]?.trace.error.message).to.match(/GET \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records(?:\/\w+)?\.json answered HTTP 302/);
      expectNoSecret(result, setup.dataset);
    });

    it('a next_page_uri on another origin is refused: nothing reaches it', async () => {
      const { result, setup } = await readThrough('foreign-next-page');
      expect(recorder.received).to.deep.equal([]);
      expect(result.exitCode).to.not.equal(0);
      expect(traceErrors(result.messages)[0]?.trace.error.message).to.match(/refusing to send credentials to another origin \(127\.0\.0\.1:\d+\)/);
      expectNoSecret(result, setup.dataset);
    });
  });
});
