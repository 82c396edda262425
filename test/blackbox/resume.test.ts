import { expect } from 'chai';

import { addDays } from '../../source-twilio-costs/dates';
import { generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult, runCli } from '../helpers/cli';
import { COMPARE_EVERY_READ, expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { expectWellFormedRead, type Message, statesOf, streamStatuses, traceErrors } from '../helpers/protocol';
import {
  allRows,
  committedRows,
  configFor,
  cursorsOf,
  expectEveryStateValid,
  expectNoStateMovesBackwards,
  expectUsageEqualsDataset,
  expectUsageRecordsEqualDataset,
  lastStates,
  USAGE_STREAMS,
  usageCatalog,
  type UsageSetup,
} from './read-checks';
import { isStateWithCursors, runCliWatched, type WatchedRun } from './watched-cli';

/**
 * Two windows of two days per account, six accounts and the subaccounts' residual: enough window
 * states that a kill after the 10th lands before the read ends.
 */
const SETUP: UsageSetup = {
  dataset: generateDataset({ seed: 6300, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 5, closedSubaccounts: 1 }),
  mode: 'auth_token',
  from: '2026-09-29',
  to: '2026-10-02',
};
const LOOKBACK_DAYS = 1;
const CONFIG = configFor(SETUP, { lookback_days: LOOKBACK_DAYS });
/** A state after every window; a little latency so that a kill finds requests in flight. */
const ENV = { SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0', SOURCE_TWILIO_COSTS_REQUEST_TIMEOUT_MS: '5000' };
const LATENCY_MS = 5;

type KillPoint =
  /** Right after the connector prints its nth STATE that holds a cursor. */
  | { afterStates: number }
  /** While the simulator holds the request that arrives halfway through an uninterrupted read's requests. */
  | { midway: true }
  /** On the first RECORD line after this many states: amid a window's records, maybe mid-line. */
  | { amidRecordsAfterStates: number };

function describeKillPoint(point: KillPoint): string {
  if ('afterStates' in point) return `after STATE number ${point.afterStates}`;
  if ('midway' in point) return 'mid-page, while the request halfway through the read is in flight';
  return `amid the records that follow STATE number ${point.amidRecordsAfterStates}`;
}

/** Reads with the built CLI and kills it with SIGKILL at `point`. */
async function readUntilKilled(point: KillPoint, midwayRequest: number): Promise<{ run: WatchedRun; simulator: RunningSimulator }> {
  let killNow = (): void => undefined;
  const simulator = await startSimulator({
    dataset: SETUP.dataset,
    latencyMs: LATENCY_MS,
    onRequest: (request) => {
      if ('midway' in point && request.ordinal === midwayRequest) killNow();
    },
  });
  let states = 0;
  const run = await runCliWatched(
    ['read', '--config', '{config.json}', '--catalog', '{catalog.json}'],
    { env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...ENV }, files: { 'config.json': CONFIG, 'catalog.json': usageCatalog() } },
    (line, kill) => {
      killNow = kill;
      if (isStateWithCursors(line)) {
        states += 1;
        if ('afterStates' in point && states === point.afterStates) kill();
      }
      if ('amidRecordsAfterStates' in point && line.startsWith('{"type":"RECORD"') && states === point.amidRecordsAfterStates) kill();
    },
  );
  return { run, simulator };
}

async function resumeFrom(messages: Message[], simulator: RunningSimulator): Promise<CliResult> {
  return runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', '--state', '{state.json}'], {
    env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...ENV },
    files: { 'config.json': CONFIG, 'catalog.json': usageCatalog(), 'state.json': lastStates(messages) },
  });
}

const finalStreamStates = (messages: Message[]): unknown[] => USAGE_STREAMS.map((stream) => statesOf(messages, stream).at(-1)?.state.stream.stream_state);

describe('black box: resuming after SIGKILL and after failures', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let uninterrupted: CliResult;
  let requestsOfARead = 0;
  before(async () => {
    const simulator = await startSimulator({ dataset: SETUP.dataset });
    try {
      uninterrupted = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...ENV },
        files: { 'config.json': CONFIG, 'catalog.json': usageCatalog() },
      });
      requestsOfARead = simulator.requests.length;
    } finally {
      await simulator.close();
    }
  });

  it('an uninterrupted read emits enough states for every kill point, and the data', async () => {
    expect(uninterrupted.exitCode).to.equal(0);
    expectWellFormedRead(uninterrupted.messages, [...USAGE_STREAMS]);
    const withCursors = uninterrupted.messages.filter((message) => message.type === 'STATE' && Object.keys(cursorsOf(message)).length > 0);
    expect(withCursors.length, 'states with cursors').to.be.at.least(12);
    expectUsageEqualsDataset(allRows(uninterrupted.messages), SETUP);
    // A plain read from start_date, of a kind the fault scenarios and the year's read compare.
    if (COMPARE_EVERY_READ) await expectEveryPlanReadsTheSame(uninterrupted.messages, { dataset: SETUP.dataset, config: CONFIG, catalog: usageCatalog(), env: ENV });
  });

  // The killed reads are not compared across plans: each is cut short at a moment that depends on
  // timing, so its output is no whole read's. The read that resumes from the midway kill's states
  // is, with the same resume under each plan: like every resume here it starts with some accounts
  // done and others not, and comparing each would cost two more reads per kill point.

  const killPoints: KillPoint[] = [{ afterStates: 1 }, { afterStates: 3 }, { afterStates: 10 }, { midway: true }, { amidRecordsAfterStates: 5 }];
  for (const point of killPoints) {
    it(`killed ${describeKillPoint(point)}: the next read from its last state completes the data, no gap, no state backwards`, async () => {
      const { run: killed, simulator } = await readUntilKilled(point, Math.ceil(requestsOfARead / 2));
      try {
        expect(killed.signal, 'the kill landed before the read ended').to.equal('SIGKILL');
        expect(streamStatuses(killed.messages, 'usage_costs'), 'the read was cut short').not.to.include('COMPLETE');
        const emittedStates = killed.messages.filter((message) => message.type === 'STATE' && Object.keys(cursorsOf(message)).length > 0).length;
        if ('afterStates' in point) expect(emittedStates).to.be.at.least(point.afterStates);
        expectEveryStateValid(killed.messages, SETUP);

        const resumed = await resumeFrom(killed.messages, simulator);
        expect(resumed.exitCode, resumed.stderr).to.equal(0);
        expectWellFormedRead(resumed.messages, [...USAGE_STREAMS]);
        const committed = committedRows(killed.messages);
        expectEveryStateValid(resumed.messages, SETUP, committed);
        const resumedRows = allRows(resumed.messages);
        expectUsageEqualsDataset({ usage_records: [...committed.usage_records, ...resumedRows.usage_records], usage_costs: [...committed.usage_costs, ...resumedRows.usage_costs] }, SETUP);
        for (const stream of USAGE_STREAMS) expectNoStateMovesBackwards([...statesOf(killed.messages, stream), ...statesOf(resumed.messages, stream)]);
        expect(finalStreamStates(resumed.messages)).to.deep.equal(finalStreamStates(uninterrupted.messages));
        if ('midway' in point) await expectEveryPlanReadsTheSame(resumed.messages, { dataset: SETUP.dataset, config: CONFIG, catalog: usageCatalog(), state: lastStates(killed.messages), env: ENV });
      } finally {
        await simulator.close();
      }
    });
  }

  // The failed attempt is about failing (its faults end it on purpose); the attempt after it, a
  // clean read from the failed one's states, is a resume like the midway kill's, compared above.
  it('after a failure, the next attempt resumes from the last state, not from start_date', async () => {
    // usage_records alone, so that every usage request the simulator sees is that stream's.
    const catalog = usageCatalog(['usage_records']);
    const failing = SETUP.dataset.mainAccountSid;
    // The failing window's requests are held until a first state is out, so that other windows are
    // checkpointed before its 8 attempts fail, however loaded the machine.
    let stateOut = (): void => undefined;
    const firstStateOut = new Promise<void>((resolve) => (stateOut = resolve));
    const failed = await startSimulator({
      dataset: SETUP.dataset,
      faults: {
        seed: 6300,
        rules: [{ fault: { kind: 'twilio-error', status: 503 }, when: (request) => request.path.includes(`/${failing}/`) && request.query.get('StartDate') === '2026-10-01', heldUntil: firstStateOut }],
      },
    });
    let first: WatchedRun;
    try {
      first = await runCliWatched(
        ['read', '--config', '{config.json}', '--catalog', '{catalog.json}'],
        { env: { TWILIO_API_BASE_URL: failed.baseUrl, ...ENV }, files: { 'config.json': CONFIG, 'catalog.json': catalog } },
        (line) => {
          if (isStateWithCursors(line)) stateOut();
        },
      );
    } finally {
      stateOut();
      await failed.close();
    }
    expect(first.exitCode).to.not.equal(0);
    expect(traceErrors(first.messages).map((error) => error.trace.error.failure_type)).to.deep.equal(['transient_error']);
    expectEveryStateValid(first.messages, SETUP);

    const simulator = await startSimulator({ dataset: SETUP.dataset });
    try {
      const second = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', '--state', '{state.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...ENV },
        files: { 'config.json': CONFIG, 'catalog.json': catalog, 'state.json': lastStates(first.messages) },
      });
      expect(second.exitCode).to.equal(0);
      // Every account the failed attempt had checkpointed is read again from its cursor (minus the
      // lookback), never from start_date.
      const cursors = cursorsOf(statesOf(first.messages, 'usage_records').at(-1) as Message);
      expect(Object.keys(cursors).length, 'accounts checkpointed before the failure').to.be.greaterThan(0);
      for (const [sid, cursor] of Object.entries(cursors)) {
        const starts = simulator.requests.filter((request) => request.path.includes(`/${sid}/Usage/`)).map((request) => String(request.query.StartDate));
        expect(starts.length, `requests for ${sid}`).to.be.greaterThan(0);
        for (const start of starts) expect(start >= addDays(cursor.start_date, 1 - LOOKBACK_DAYS), `${sid} read from ${start}, its cursor is ${cursor.start_date}`).to.equal(true);
        expect(starts, `${sid} is not read from start_date again`).not.to.include(SETUP.from);
      }
      expectUsageRecordsEqualDataset([...committedRows(first.messages).usage_records, ...allRows(second.messages).usage_records], SETUP);
      expectNoStateMovesBackwards([...statesOf(first.messages, 'usage_records'), ...statesOf(second.messages, 'usage_records')]);
      if (COMPARE_EVERY_READ) await expectEveryPlanReadsTheSame(second.messages, { dataset: SETUP.dataset, config: CONFIG, catalog, state: lastStates(first.messages), env: ENV });
    } finally {
      await simulator.close();
    }
  });
});
