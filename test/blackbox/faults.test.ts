import { expect } from 'chai';

import { type Dataset, generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { COMPARE_EVERY_READ, expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { expectWellFormedRead, type Message, recordsOf, statesOf, streamStatuses, traceErrors } from '../helpers/protocol';
import { FAULT_SCENARIOS, type FaultScenario, runFaultScenario, runLimited, SCENARIO_ENV, type ScenarioRun } from './fault-scenarios';
import {
  allRows,
  committedRows,
  configFor,
  expectEveryStateValid,
  expectNoStackTraceOutsideStackTraceFields,
  expectNoStateMovesBackwards,
  expectUsageEqualsDataset,
  lastStates,
  USAGE_STREAMS,
  usageCatalog,
} from './read-checks';
import { expectHttpErrorsNameOnlyMethodPathStatusAndCode, expectNoSecret } from './secret-checks';

/**
 * The most a read may hold while gzip bombs arrive: the connector's usual footprint (about 150 MB)
 * and, at most, one capped answer (32 MiB) per request in flight, with room to spare; far below
 * the 2 GiB one bomb inflates to.
 */
const MAX_RSS_UNDER_BOMBS = 512 * 1024 * 1024;

/** What some scenarios must show besides the data: that the fault was met the way it was meant. */
const SCENARIO_EVIDENCE: Record<string, (run: ScenarioRun) => void> = {
  'a page that answers 500 whenever it is asked for at PageSize=1000': ({ simulator }) => {
    const failed = simulator.requests.filter((request) => request.fault !== undefined);
    expect(failed.length).to.be.greaterThan(0);
    expect(failed.every((request) => request.query.PageSize === '1000' && request.status === 500)).to.equal(true);
    // A token is good for one page size: each failing listing started again from its first page at
    // 500, and no token went out with another page size (the simulator would have answered 400).
    const restarted = simulator.requests.filter((request) => request.query.PageSize === '500' && request.query.PageToken === undefined && request.status === 200);
    expect(restarted.length, 'listings read again from their first page at PageSize=500').to.be.greaterThan(0);
    expect(simulator.requests.filter((request) => request.status === 400)).to.deep.equal([]);
  },
  '429s and 500s, 10 % each, on every request of multi-page listings': ({ simulator }) => {
    const failedLaterPages = simulator.requests.filter((request) => request.fault !== undefined && request.query.PageToken !== undefined);
    expect(failedLaterPages.map((request) => request.status)).to.include.members([429, 500]);
    expect(simulator.requests.filter((request) => request.status === 400)).to.deep.equal([]);
  },
  'a gzip bomb (2 MB inflating to 2 GiB) on every usage listing once a first state is out': ({ simulator, result }) => {
    expect(simulator.requests.filter((request) => request.fault === 'gzip-bomb').length).to.be.greaterThan(0);
    // Read whole, one bomb would hold 2 GiB; each is dropped at the cap, a few side by side.
    if (result.peakRssBytes !== undefined) expect(result.peakRssBytes, 'peak resident memory').to.be.below(MAX_RSS_UNDER_BOMBS);
  },
  'next_page_uris with a fresh PageToken on every page, once a first state is out': ({ simulator }) => {
    const endless = simulator.requests.filter((request) => request.fault === 'endless-paging');
    expect(endless.length).to.be.greaterThan(0);
    // Each listing stops at twice the pages its rows fill, and one more: a handful, not hundreds.
    expect(endless.length).to.be.below(100);
  },
  '429/20429 on a third of the requests, with Retry-After: 1': ({ simulator }) => {
    const limited = simulator.requests.filter((request) => request.status === 429).length;
    expect(limited / simulator.requests.length).to.be.within(0.1, 0.6);
  },
  'a subaccount whose usage answers 404 and one whose usage answers 403': ({ setup, result }) => {
    const warnings = result.messages.filter((message) => message.type === 'LOG' && message.log.level === 'WARN').map((message) => String(message.log.message));
    for (const account of setup.dataset.accounts.filter((candidate) => candidate.usageAnswers !== undefined)) {
      for (const stream of USAGE_STREAMS) {
        const naming = warnings.filter((warning) => warning.includes(account.sid) && warning.includes(stream) && warning.includes(`HTTP ${account.usageAnswers}`));
        expect(naming, `a WARN naming ${account.sid} (${account.usageAnswers}) in ${stream}`).to.have.length(1);
      }
    }
  },
  'next_page_uris that point back at their own page, once a first state is out': ({ simulator }) => {
    // Detected when a loop closes, not after laps: each usage stream asks for a looping page at most
    // twice (a first page once as the connector names it, once as the loop names it, with Page=0).
    const looping = simulator.requests.filter((request) => request.fault === 'next-page-loop');
    expect(looping.length).to.be.greaterThan(0);
    const timesAsked = new Map<string, number>();
    for (const request of looping) {
      const query = new URLSearchParams({ ...request.query, Page: request.query.Page ?? '0' });
      query.sort();
      const page = `${request.path}?${query.toString()}`;
      timesAsked.set(page, (timesAsked.get(page) ?? 0) + 1);
    }
    for (const [page, times] of timesAsked) expect(times, page).to.be.at.most(2 * USAGE_STREAMS.length);
  },
};

/**
 * The completing scenarios compared across plans in `npm test`: a fault that changes how pages are
 * cut (listings restarted at a smaller PageSize) and subaccounts left out (fewer scopes). The
 * others' records are checked against the dataset, each printed once; TEST_PLAN_PARITY=all
 * compares them too.
 */
const PLAN_COMPARED_SCENARIOS = new Set(['a page that answers 500 whenever it is asked for at PageSize=1000', 'a subaccount whose usage answers 404 and one whose usage answers 403']);

/** A read that retried and restarted listings still printed each usage record once. */
function expectEachRecordOnce(messages: Message[]): void {
  for (const [stream, key] of [
    ['usage_records', ['account_sid', 'category', 'start_date', 'end_date']],
    ['usage_costs', ['account_sid', 'category', 'start_date']],
  ] as const) {
    const keys = recordsOf(messages, stream).map((row) => key.map((field) => String(row[field])).join('|'));
    expect(keys.length, `records of ${stream}`).to.be.greaterThan(0);
    expect(keys.length - new Set(keys).size, `${stream} records printed twice`).to.equal(0);
  }
}

async function expectResumesToCompleteData(first: ScenarioRun): Promise<void> {
  const { setup } = first;
  const simulator = await startSimulator({ dataset: setup.dataset });
  try {
    const second = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', '--state', '{state.json}'], {
      env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...SCENARIO_ENV },
      files: { 'config.json': configFor(setup), 'catalog.json': usageCatalog(), 'state.json': lastStates(first.result.messages) },
    });
    expect(second.exitCode, second.stderr).to.equal(0);
    expectWellFormedRead(second.messages, [...USAGE_STREAMS]);
    const committed = committedRows(first.result.messages);
    const resumed = allRows(second.messages);
    expectUsageEqualsDataset({ usage_records: [...committed.usage_records, ...resumed.usage_records], usage_costs: [...committed.usage_costs, ...resumed.usage_costs] }, setup);
    for (const stream of USAGE_STREAMS) expectNoStateMovesBackwards([...statesOf(first.result.messages, stream), ...statesOf(second.messages, stream)]);
  } finally {
    await simulator.close();
  }
}

function describeScenario(scenario: FaultScenario, started: () => Promise<ScenarioRun>): void {
  describe(scenario.name, () => {
    let run: ScenarioRun;
    before(async () => {
      run = await started();
    });

    it('prints only protocol messages, and stack traces only in stack_trace fields', () => {
      expect(run.result.stderr).to.equal('');
      expectNoStackTraceOutsideStackTraceFields(run.result.messages, run.result.stderr);
      if (scenario.faults({ statesWithCursors: 0 }).length > 0)
        expect(
          run.simulator.requests.some((request) => request.fault !== undefined),
          'the fault was injected',
        ).to.equal(true);
    });

    it('no secret in stdout or stderr, DEBUG logs included; HTTP errors name method, path, status and code only', () => {
      // The credentials were in use: the scan looks at a run that had them.
      expect(run.simulator.requests.some((request) => request.user === configFor(run.setup).account_sid || request.user?.startsWith('SK'))).to.equal(true);
      expectNoSecret(run.result, run.setup.dataset);
      expectHttpErrorsNameOnlyMethodPathStatusAndCode(run.result.messages);
    });

    it('emits only states whose cursors cover what was emitted before them', () => {
      expect(expectEveryStateValid(run.result.messages, run.setup), 'cursors checked').to.be.greaterThan(0);
      for (const stream of USAGE_STREAMS) expectNoStateMovesBackwards(statesOf(run.result.messages, stream));
    });

    const outcome = scenario.outcome;
    if (outcome.complete) {
      it('completes: exit 0, no TRACE ERROR, records equal the simulator data and usage_costs reconciles', () => {
        expect(traceErrors(run.result.messages).map((error) => error.trace.error.message)).to.deep.equal([]);
        expect(run.result.exitCode).to.equal(0);
        expectWellFormedRead(run.result.messages, [...USAGE_STREAMS]);
        expectUsageEqualsDataset(allRows(run.result.messages), run.setup);
        expectEachRecordOnce(run.result.messages);
        SCENARIO_EVIDENCE[scenario.name]?.(run);
      });

      it('emits the same rows and states as a fault-free read under each forced plan', async function () {
        if (!COMPARE_EVERY_READ && !PLAN_COMPARED_SCENARIOS.has(scenario.name)) this.skip();
        await expectEveryPlanReadsTheSame(run.result.messages, { dataset: run.setup.dataset, config: configFor(run.setup), catalog: usageCatalog(), env: SCENARIO_ENV });
      });
    } else {
      it(`fails clearly: a ${outcome.failureType} TRACE ERROR naming the cause, INCOMPLETE, a non-zero exit`, () => {
        expect(run.result.exitCode).to.not.equal(0);
        const errors = traceErrors(run.result.messages);
        expect(errors.length).to.be.greaterThan(0);
        for (const error of errors) {
          expect(error.trace.error.failure_type).to.equal(outcome.failureType);
          expect(error.trace.error.message).to.match(outcome.message);
          expect(USAGE_STREAMS).to.include(error.trace.error.stream_descriptor?.name);
          expect(streamStatuses(run.result.messages, error.trace.error.stream_descriptor.name).at(-1)).to.equal('INCOMPLETE');
        }
        SCENARIO_EVIDENCE[scenario.name]?.(run);
      });

      // Neither read is compared across plans: the failed one ends on purpose, at a point that
      // depends on the requests its plan makes, and the next attempt is a clean read from a failed
      // read's states, which resume.test.ts compares under every plan.
      it('the next attempt, from the last states, completes the data with no state moving backwards', async () => {
        await expectResumesToCompleteData(run);
      });
    }
  });
}

describe('black box: faults', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let runs: Array<Promise<ScenarioRun>> | undefined;
  const started = (index: number) => (): Promise<ScenarioRun> => {
    runs ??= runLimited(
      4,
      FAULT_SCENARIOS.map((scenario, at) => () => runFaultScenario(scenario, 6100 + at)),
    );
    return runs[index] as Promise<ScenarioRun>;
  };
  it('has evidence and plan comparisons only for scenarios that exist and complete', () => {
    for (const name of Object.keys(SCENARIO_EVIDENCE)) expect(FAULT_SCENARIOS.map((scenario) => scenario.name)).to.include(name);
    for (const name of PLAN_COMPARED_SCENARIOS) expect(FAULT_SCENARIOS.filter((scenario) => scenario.outcome.complete).map((scenario) => scenario.name)).to.include(name);
  });
  FAULT_SCENARIOS.forEach((scenario, index) => describeScenario(scenario, started(index)));
  // In a describe of its own, declared last, so that it runs once the scenarios' own cases have.
  describe('the scan of HTTP errors', () => {
    it('has something to check: failing scenarios quote the HTTP layer', async () => {
      const failing = FAULT_SCENARIOS.map((scenario, index) => ({ scenario, index })).filter(({ scenario }) => !scenario.outcome.complete);
      let mentions = 0;
      for (const { index } of failing) mentions += expectHttpErrorsNameOnlyMethodPathStatusAndCode((await started(index)()).result.messages);
      expect(mentions).to.be.greaterThan(0);
    });
  });
});

describe('simulator: deterministic faults and page tokens that name a position for one page size', () => {
  const dataset: Dataset = generateDataset({ seed: 6150, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 1 });
  const main = dataset.accounts[0];
  const authorization = `Basic ${Buffer.from(`${main?.sid}:${main?.authToken}`).toString('base64')}`;
  const get = async (simulator: RunningSimulator, uri: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${simulator.baseUrl}${uri}`, { headers: { Authorization: authorization } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const daily = (day: string, pageSize: number): string => `/2010-04-01/Accounts/${main?.sid}/Usage/Records/Daily.json?StartDate=${day}&EndDate=${day}&IncludeSubaccounts=false&PageSize=${pageSize}`;

  it('fails the same requests on every run, whatever order they arrive in', async () => {
    const plan = { seed: 11, rules: [{ fault: { kind: 'twilio-error' as const, status: 429 as const }, share: 0.5 }] };
    const [first, second] = await Promise.all([startSimulator({ dataset, faults: plan }), startSimulator({ dataset, faults: plan })]);
    try {
      const uris = ['2026-09-01', '2026-09-02', '2026-09-03', '2026-09-04', '2026-09-05', '2026-09-06'].map((day) => daily(day, 1));
      const outcomes = async (simulator: RunningSimulator, order: string[]): Promise<Map<string, number[]>> => {
        const statuses = new Map<string, number[]>();
        for (let attempt = 0; attempt < 3; attempt++) {
          for (const uri of order) statuses.set(uri, [...(statuses.get(uri) ?? []), (await get(simulator, uri)).status]);
        }
        return statuses;
      };
      const forwards = await outcomes(first, uris);
      const backwards = await outcomes(second, [...uris].reverse());
      expect(backwards).to.deep.equal(forwards);
      const all = [...forwards.values()].flat();
      expect(all).to.include(429);
      expect(all).to.include(200);
    } finally {
      await Promise.all([first?.close(), second?.close()]);
    }
  });

  it('refuses a page token sent with another PageSize (400 / 20001), as Twilio does, and serves it with its own', async () => {
    const simulator = await startSimulator({ dataset });
    try {
      const next = String((await get(simulator, daily('2026-09-01', 200))).body.next_page_uri);
      const smaller = await get(simulator, next.replace('PageSize=200', 'PageSize=50'));
      expect(smaller.status).to.equal(400);
      expect(smaller.body).to.include({ status: 400, code: 20001 });
      const own = await get(simulator, next);
      expect(own.status).to.equal(200);
      expect(own.body).to.include({ start: 200, page_size: 200, page: 1 });
    } finally {
      await simulator.close();
    }
  });
});
