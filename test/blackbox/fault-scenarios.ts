/**
 * The faults the connector must survive, as data: the fault tests check what each ends with, and
 * scan its output for secrets.
 */
import type { FailureType } from '../../source-twilio-costs/protocol/messages';
import { type Dataset, generateDataset } from '../../tools/simulator/dataset';
import type { FaultRule } from '../../tools/simulator/faults';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { type AuthMode, configFor, usageCatalog, type UsageSetup } from './read-checks';
import { isStateWithCursors, runCliWatched, type WatchedRun } from './watched-cli';

/**
 * The request timeout of the scenarios' reads: far above what a loaded machine needs to answer on
 * loopback (so no honest answer times out and changes what a read ends with), below a test's own
 * timeout. Only the slow-answer scenario sets a shorter one.
 */
export const TEST_REQUEST_TIMEOUT_MS = 20_000;

/**
 * The slow-answer scenario's request timeout: still many times what an honest answer takes on a
 * loaded machine (an accidental timeout would only cost a retry there), and each slow answer is
 * held ten times longer, so it always times out.
 */
const SLOW_SCENARIO_TIMEOUT_MS = 3000;

/** What a scenario's faults may follow of the read, as the connector prints it. */
export interface ReadProgress {
  /** STATE messages printed so far that hold a cursor. */
  statesWithCursors: number;
}

export interface FaultScenario {
  name: string;
  mode: AuthMode;
  /** The simulator's fault rules, which may follow the read's progress. */
  faults(progress: ReadProgress): FaultRule[];
  /** The environment of the scenario's read beyond SCENARIO_ENV. */
  env?: Readonly<Record<string, string>>;
  /** The days read, when not the usual four across a month boundary. */
  range?: { from: string; to: string };
  /** By index of active subaccount: what its usage endpoints answer instead of data. */
  subaccountUsageAnswers?: ReadonlyArray<404 | 403 | undefined>;
  /** What the read ends with: all data, or a TRACE ERROR of this type naming this. */
  outcome: { complete: true } | { complete: false; failureType: FailureType; message: RegExp };
}

const isUsageListing = (path: string): boolean => path.includes('/Usage/Records');

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: '429/20429 on a third of the requests, without Retry-After',
    mode: 'auth_token',
    faults: () => [{ fault: { kind: 'twilio-error', status: 429 }, share: 1 / 3 }],
    outcome: { complete: true },
  },
  {
    name: '429/20429 on a third of the requests, with Retry-After: 1',
    mode: 'api_key',
    faults: () => [{ fault: { kind: 'twilio-error', status: 429, retryAfterSeconds: 1 }, share: 1 / 3 }],
    outcome: { complete: true },
  },
  {
    name: 'a burst of 500s, then a burst of 503s',
    mode: 'auth_token',
    faults: () => [
      { fault: { kind: 'twilio-error', status: 500 }, fromRequest: 4, untilRequest: 12 },
      { fault: { kind: 'twilio-error', status: 503 }, fromRequest: 18, untilRequest: 26 },
    ],
    outcome: { complete: true },
  },
  {
    name: 'a page that answers 500 whenever it is asked for at PageSize=1000',
    mode: 'auth_token',
    faults: () => [{ fault: { kind: 'twilio-error', status: 500 }, when: (request) => request.query.get('PageSize') === '1000' && request.query.get('Page') === '1' }],
    outcome: { complete: true },
  },
  {
    name: '429s and 500s, 10 % each, on every request of multi-page listings',
    mode: 'auth_token',
    // Sixteen days, read densely: listings of four to eight pages, side by side.
    range: { from: '2026-09-20', to: '2026-10-05' },
    faults: () => [
      { fault: { kind: 'twilio-error', status: 429 }, share: 0.1 },
      { fault: { kind: 'twilio-error', status: 500 }, share: 0.1 / 0.9 },
    ],
    outcome: { complete: true },
  },
  {
    name: 'connection resets',
    mode: 'auth_token',
    faults: () => [{ fault: { kind: 'connection-reset' }, share: 0.2 }],
    outcome: { complete: true },
  },
  {
    name: 'response bodies cut off mid-JSON',
    mode: 'auth_token',
    faults: () => [{ fault: { kind: 'truncated-body' }, share: 0.2, when: (request) => isUsageListing(request.path) }],
    outcome: { complete: true },
  },
  {
    name: 'HTML error pages instead of JSON, with 502 and with 200',
    mode: 'auth_token',
    faults: () => [
      { fault: { kind: 'html-error-page', status: 502 }, share: 0.15 },
      { fault: { kind: 'html-error-page', status: 200 }, share: 0.15 },
    ],
    outcome: { complete: true },
  },
  {
    name: 'answers slower than the request timeout',
    mode: 'auth_token',
    env: { SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS: String(SLOW_SCENARIO_TIMEOUT_MS) },
    faults: () => [{ fault: { kind: 'slow', delayMs: 10 * SLOW_SCENARIO_TIMEOUT_MS }, share: 0.3, timesPerUrl: 1 }],
    outcome: { complete: true },
  },
  {
    name: 'usage listings that keep answering 500 once a first state is out, echoing the request and its Authorization header',
    mode: 'auth_token',
    faults: (progress) => [{ fault: { kind: 'twilio-error', status: 500, echoRequest: true }, when: (request) => progress.statesWithCursors > 0 && isUsageListing(request.path) }],
    outcome: {
      complete: false,
      failureType: 'transient_error',
      message:
        /^Stream usage_\w+ failed: Twilio kept failing after 8 attempts \(GET \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records(?:\/\w+)?\.json answered HTTP 500 \(Twilio error 20500\)\)\. The next sync resumes from the last saved state\.$/,
    },
  },
  {
    name: 'next_page_uris that point back at their own page, once a first state is out',
    mode: 'auth_token',
    faults: (progress) => [{ fault: { kind: 'next-page-loop' }, when: (request) => progress.statesWithCursors > 0 && isUsageListing(request.path) }],
    outcome: {
      complete: false,
      failureType: 'system_error',
      message: /paging went in a circle.*pagination loop: next_page_uri of \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records(?:\/\w+)?\.json points to a page already read/,
    },
  },
  {
    name: 'next_page_uris with a fresh PageToken on every page, once a first state is out',
    mode: 'auth_token',
    faults: (progress) => [{ fault: { kind: 'endless-paging' }, when: (request) => progress.statesWithCursors > 0 && isUsageListing(request.path) }],
    outcome: {
      complete: false,
      failureType: 'system_error',
      message:
        /^Stream usage_\w+ failed: Twilio's paging did not end: \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records(?:\/\w+)?\.json named a next page after \d+ pages, more than a listing of at most \d+ rows takes\. The sync stopped rather than page forever\.$/,
    },
  },
  {
    name: 'a gzip bomb (2 MB inflating to 2 GiB) on every usage listing once a first state is out',
    mode: 'auth_token',
    faults: (progress) => [{ fault: { kind: 'gzip-bomb', decodedMiB: 2048 }, when: (request) => progress.statesWithCursors > 0 && isUsageListing(request.path) }],
    outcome: {
      complete: false,
      failureType: 'transient_error',
      message:
        /^Stream usage_\w+ failed: Twilio at 127\.0\.0\.1:\d+ gave no usable answer after 8 attempts \(GET \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records(?:\/\w+)?\.json failed: the answer is larger than 32 MiB decoded, this source's cap on one answer\)\. The next sync resumes from the last saved state\.$/,
    },
  },
  {
    name: '401 on every request once a first state is out (the key is revoked mid-sync)',
    mode: 'auth_token',
    faults: (progress) => [{ fault: { kind: 'twilio-error', status: 401 }, when: () => progress.statesWithCursors > 0 }],
    outcome: { complete: false, failureType: 'config_error', message: /rejected the credentials \(HTTP 401, error 20003\)/ },
  },
  {
    name: 'a subaccount whose usage answers 404 and one whose usage answers 403',
    mode: 'auth_token',
    faults: () => [],
    subaccountUsageAnswers: [404, 403, undefined],
    outcome: { complete: true },
  },
];

/**
 * Two months of data, of which the read takes four days across a month boundary unless the scenario
 * says otherwise: two windows per account, of two pages of Daily records each (Page=0 and 1 at
 * PageSize=1000).
 */
export function scenarioSetup(scenario: FaultScenario, seed: number): UsageSetup {
  const dataset: Dataset = generateDataset({
    seed,
    startDate: '2026-09-01',
    endDate: '2026-10-31',
    subaccounts: scenario.subaccountUsageAnswers?.length ?? 2,
    closedSubaccounts: 1,
    ...(scenario.subaccountUsageAnswers ? { subaccountUsageAnswers: scenario.subaccountUsageAnswers } : {}),
  });
  return { dataset, mode: scenario.mode, from: scenario.range?.from ?? '2026-09-29', to: scenario.range?.to ?? '2026-10-02' };
}

/** The environment of a scenario's reads, besides TWILIO_API_BASE_URL: a state after every window. */
export const SCENARIO_ENV: Readonly<Record<string, string>> = {
  SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0',
  SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS: String(TEST_REQUEST_TIMEOUT_MS),
};

export interface ScenarioRun {
  setup: UsageSetup;
  /** Closed once the read ended; its request log and dataset stay. */
  simulator: RunningSimulator;
  result: WatchedRun;
}

/**
 * Runs one read of the usage streams against a simulator that injects the scenario's faults, with
 * --debug, so that the scan for secrets sees DEBUG logs too.
 */
export async function runFaultScenario(scenario: FaultScenario, seed: number): Promise<ScenarioRun> {
  const setup = scenarioSetup(scenario, seed);
  const progress: ReadProgress = { statesWithCursors: 0 };
  const simulator = await startSimulator({ dataset: setup.dataset, faults: { seed, rules: scenario.faults(progress) } });
  try {
    const result = await runCliWatched(
      ['read', '--config', '{config.json}', '--catalog', '{catalog.json}', '--debug'],
      {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...SCENARIO_ENV, ...scenario.env },
        files: { 'config.json': configFor(setup), 'catalog.json': usageCatalog() },
      },
      (line) => {
        if (isStateWithCursors(line)) progress.statesWithCursors += 1;
      },
    );
    return { setup, simulator, result };
  } finally {
    await simulator.close();
  }
}

/**
 * Starts every task at once but runs at most `limit` at a time: scenarios mostly wait (on
 * Retry-After, backoff, timeouts), so a few side by side cost little more than one.
 */
export function runLimited<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Array<Promise<T>> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const slot = async (task: () => Promise<T>): Promise<T> => {
    while (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
  return tasks.map((task) => {
    const promise = slot(task);
    // Awaited later, by the test that needs it; until then a failure must not count as unhandled.
    promise.catch(() => undefined);
    return promise;
  });
}
