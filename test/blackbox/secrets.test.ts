import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDataset, type Dataset } from '../../tools/simulator/dataset';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli, type CliResult } from '../helpers/cli';
import { traceErrors, type Message } from '../helpers/protocol';
import { BAD_INPUT_CASES, BAD_INPUT_SECRETS, runBadInputCase, validInput } from './bad-input-cases';
import { FAULT_SCENARIOS, runFaultScenario, runLimited, TEST_REQUEST_TIMEOUT_MS, type ScenarioRun } from './fault-scenarios';
import { configFor, usageCatalog, type UsageSetup } from './read-checks';

/** Shorter pieces of a secret than this are too likely to occur by chance in hex-heavy output. */
const SECRET_FRAGMENT = 8;
const BASIC_VALUE = /Basic\s+[A-Za-z0-9+/]{8,}={0,2}/;

const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

/**
 * Everything that must never be printed: every auth token (subaccounts' too, which the connector
 * sees in /Accounts.json), every API key secret, and every Basic value made of them.
 */
function secretsOf(dataset: Dataset): { raw: string[]; basic: string[] } {
  const accounts = dataset.accounts.map((account) => [account.sid, account.authToken] as const);
  const keys = dataset.apiKeys.map((key) => [key.sid, key.secret] as const);
  const pairs = [...accounts, ...keys, ...[dataset.mainAccountSid, ...dataset.apiKeys.map((key) => key.sid)].flatMap((user) => Object.values(BAD_INPUT_SECRETS).map((secret) => [user, secret] as const))];
  return { raw: [...accounts, ...keys].map(([, secret]) => secret).concat(Object.values(BAD_INPUT_SECRETS)), basic: pairs.map(([user, password]) => basic(user, password)) };
}

/** Scans every byte of stdout and stderr: no secret, no piece of one, no Basic value at all. */
function expectNoSecret(result: CliResult, dataset: Dataset): void {
  const output = `${result.stdout}\n${result.stderr}`;
  const { raw, basic: basicValues } = secretsOf(dataset);
  for (const secret of raw) {
    expect(output.includes(secret), `a secret in the output`).to.equal(false);
    for (let start = 0; start + SECRET_FRAGMENT <= secret.length; start++) {
      const fragment = secret.slice(start, start + SECRET_FRAGMENT);
      expect(output.includes(fragment), `a piece of a secret ("${fragment}…") in the output`).to.equal(false);
    }
  }
  for (const value of basicValues) expect(output.includes(value), 'a Basic Authorization value in the output').to.equal(false);
  expect(BASIC_VALUE.exec(output)?.[0], 'a Basic Authorization value in the output').to.equal(undefined);
}

/** The texts a user reads: log lines, error messages, connection statuses. */
function userFacingTexts(messages: readonly Message[]): string[] {
  const texts: string[] = [];
  for (const message of messages) {
    if (message.type === 'LOG') texts.push(String(message.log.message));
    if (message.type === 'CONNECTION_STATUS') texts.push(String(message.connectionStatus.message));
    if (message.type === 'TRACE' && message.trace.type === 'ERROR') texts.push(String(message.trace.error.message), String(message.trace.error.internal_message ?? ''));
  }
  return texts;
}

/**
 * What the HTTP layer may say of a request: method and path (never the query, never a header), then
 * the status and Twilio's code, or what went wrong on the wire in the client's own words.
 */
const HTTP_LAYER_MENTION = /GET (\S+) (answered HTTP \d{3}(?: \(Twilio error \d+\))?(?::[^)]*)?|failed: [^;).]*)/g;
const ALLOWED_HTTP_OUTCOME =
  /^(?:answered HTTP \d{3}(?: \(Twilio error \d+\))?(?:: (?:the response has no "\w+" list|refusing to send credentials to another origin \([^)\s]+))?|failed: (?:no answer within \d+ ms|connection error(?: [A-Z_]+)?|the response body was cut off \((?:no answer within \d+ ms|connection error(?: [A-Z_]+)?)|the response body is not JSON|the answer is larger than \d+ MiB decoded, this source's cap on one answer))$/;

function expectHttpErrorsNameOnlyMethodPathStatusAndCode(messages: readonly Message[]): number {
  let mentions = 0;
  for (const text of userFacingTexts(messages)) {
    for (const [, path, outcome] of text.matchAll(HTTP_LAYER_MENTION)) {
      expect(path, `a path without a query in: ${text}`).to.match(/^\/2010-04-01\/[^?\s]*$/);
      expect(outcome, `what the HTTP layer says in: ${text}`).to.match(ALLOWED_HTTP_OUTCOME);
      mentions += 1;
    }
  }
  return mentions;
}

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

describe('black box: secrets', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);

  // Not compared across plans: these runs repeat faults.test.ts's scenarios (other seeds) with
  // --debug to scan their output, and faults.test.ts compares every scenario that completes.
  describe('the fault scenarios, with --debug', () => {
    let runs: Array<Promise<ScenarioRun>> | undefined;
    const runOf = (index: number): Promise<ScenarioRun> => {
      runs ??= runLimited(4, FAULT_SCENARIOS.map((scenario, at) => () => runFaultScenario(scenario, 7100 + at, { debug: true })));
      return runs[index] as Promise<ScenarioRun>;
    };
    after(async () => {
      for (const run of await Promise.allSettled(runs ?? [])) if (run.status === 'fulfilled') await run.value.simulator.close();
    });

    FAULT_SCENARIOS.forEach((scenario, index) => {
      it(`${scenario.name}: no secret in stdout or stderr; HTTP errors name method, path, status and code only`, async () => {
        const { result, setup, simulator } = await runOf(index);
        // The credentials were in use: the scan looks at a run that had them.
        expect(simulator.requests.some((request) => request.user === configFor(setup).account_sid || request.user?.startsWith('SK'))).to.equal(true);
        expectNoSecret(result, setup.dataset);
        expectHttpErrorsNameOnlyMethodPathStatusAndCode(result.messages);
      });
    });

    it('the HTTP-layer check has something to check: failing scenarios quote the HTTP layer', async () => {
      const failing = FAULT_SCENARIOS.map((scenario, index) => ({ scenario, index })).filter(({ scenario }) => !scenario.outcome.complete);
      let mentions = 0;
      for (const { index } of failing) mentions += expectHttpErrorsNameOnlyMethodPathStatusAndCode((await runOf(index)).result.messages);
      expect(mentions).to.be.greaterThan(0);
    });
  });

  describe('the bad-input cases', () => {
    let simulator: RunningSimulator;
    let results: Array<Promise<CliResult>> | undefined;
    before(async () => {
      simulator = await startSimulator({ dataset: generateDataset({ seed: 7200, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 1 }) });
    });
    after(() => simulator.close());

    BAD_INPUT_CASES.forEach((badCase, index) => {
      it(`${badCase.problem}: no secret in stdout or stderr`, async () => {
        const valid = validInput(simulator.dataset);
        results ??= runLimited(4, BAD_INPUT_CASES.map((each) => () => runBadInputCase(each, valid, simulator.baseUrl)));
        const result = await (results[index] as Promise<CliResult>);
        expect(result.messages.length, 'the case answered').to.be.greaterThan(0);
        expectNoSecret(result, simulator.dataset);
        expectHttpErrorsNameOnlyMethodPathStatusAndCode(result.messages);
      });
    });
  });

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
        results ??= runLimited(4, runs.map((each) => each.result));
        const result = await (results[index] as Promise<CliResult>);
        expect(result.messages.length, 'the command answered').to.be.greaterThan(0);
        expectNoSecret(result, simulator.dataset);
      });
    });

    it('the key-name placements were named in a warning, masked', async () => {
      results ??= runLimited(4, runs.map((each) => each.result));
      const warnings = (await Promise.all(results)).flatMap((result) => result.messages).filter((message) => message.type === 'LOG' && message.log.level === 'WARN');
      const masked = warnings.map((message) => String(message.log.message)).filter((text) => text.startsWith('The config field "**********" is not a setting') || text.startsWith('The config field "credentials.**********" is not a setting'));
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
      expect(simulator.requests.some((request) => request.fault === rule), `the simulator answered with ${rule}`).to.equal(true);
      return { result, setup };
    }

    it('the recorder sees an Authorization header when one is sent to it', async () => {
      await fetch(`${recorder.origin}/2010-04-01/Accounts.json`, { headers: { Authorization: `Basic ${basic('probe', 'probe')}` } });
      expect(recorder.received.map((headers) => headers.authorization)).to.deep.equal([`Basic ${basic('probe', 'probe')}`]);
    });

    it('a redirect to another origin is not followed: no request, let alone an Authorization header, reaches it', async () => {
      const { result, setup } = await readThrough('redirect');
      expect(recorder.received.filter((headers) => headers.authorization !== undefined), 'requests with Authorization at the other origin').to.deep.equal([]);
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
