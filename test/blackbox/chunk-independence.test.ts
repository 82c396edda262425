import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { addDays, type DayRange, daysBetweenInclusive } from '../../source-twilio-costs/dates';
import { SAMPLE_END_DATE, SAMPLE_START_DATE, sampleDataset } from '../../tools/simulator/dataset';
import { type RequestLogEntry, type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { planOutputDifferences } from '../helpers/plan-parity';
import { expectWellFormedRead, type Message, recordsOf, statesOf, traceErrors } from '../helpers/protocol';
import { configFor, expectCostsReconcile, type UsageSetup } from './read-checks';

const incrementalCatalog = JSON.parse(readFileSync(path.resolve(__dirname, '../../integration_tests/incremental_catalog.json'), 'utf8')) as { streams: Array<{ stream: { name: string } }> };
/**
 * usage_costs first: a later stream reads a window back from the run's cache in the chunks of its
 * first reader, so usage_costs (and focus_costs after it) read the chunks its row budget makes.
 */
const STREAMS = ['usage_costs', 'focus_costs', 'usage_records'];
/** The streams whose rows depend on the placement. */
const PLACING_STREAMS = ['usage_costs', 'focus_costs'];
const catalog = { streams: STREAMS.map((name) => incrementalCatalog.streams.find((entry) => entry.stream.name === name)) };

/**
 * The sample's accounts need 50 to 60 categories a year, so 400 needed rows make chunks of 6 to 8
 * days: some fifty a year, each month's fees on one day of a chunk, and a short last chunk (365
 * days in chunks of 7 end with one of a day). Sparse, so that each chunk shows in the requests.
 */
const SMALL_CHUNKS_ENV = { SOURCE_TWILIO_COSTS_WINDOW_ROWS: '400', SOURCE_TWILIO_COSTS_FETCH_PLAN: 'sparse' };
/**
 * 120 needed rows make chunks of one to three days, as short as an incremental sync's lookback.
 * Where the top level holds cost in no category on every day of one, its numbers alone once sent
 * a rollup's only child (at the rollup's price) to the top level beside it. Dense, each chunk read
 * in full, since a sparse read of some two hundred chunks an account would take minutes.
 */
const SHORT_CHUNKS_ENV = { SOURCE_TWILIO_COSTS_WINDOW_ROWS: '120' };

/**
 * The chunks each account's window was read in, from the requests: a sparse read asks for each
 * needed category over exactly one chunk, a dense one for every category (Category-less) over it.
 * The days a sparse read reads again in full (Category-less) and the subaccounts' residual
 * (IncludeSubaccounts=true) are left out.
 */
function chunksByAccount(requests: readonly RequestLogEntry[], plan: 'sparse' | 'dense'): Map<string, DayRange[]> {
  const chunks = new Map<string, Map<string, DayRange>>();
  for (const request of requests) {
    const { StartDate: from, EndDate: to, Category: category, IncludeSubaccounts: includeSubaccounts } = request.query;
    if (!request.path.endsWith('/Usage/Records/Daily.json') || (category === undefined) !== (plan === 'dense') || includeSubaccounts !== 'false' || from === undefined || to === undefined) continue;
    const account = request.path.split('/')[3] as string;
    const ranges = chunks.get(account) ?? new Map<string, DayRange>();
    ranges.set(from, { from, to });
    chunks.set(account, ranges);
  }
  return new Map([...chunks].map(([account, ranges]) => [account, [...ranges.values()].sort((a, b) => a.from.localeCompare(b.from))]));
}

/** A record's day. */
const dayOf = (message: Message): string => String(message.record.data.start_date ?? message.record.data.ChargePeriodStart).slice(0, 10);

/**
 * The chunks of one window are placed one after another, each with what the chunks before it
 * proved (the account's placement memory, usage-costs.ts), so that no day's rows depend on where a
 * chunk boundary falls. window-independence.test.ts checks the same across syncs on one day. The
 * chunked reads force their plans only so that their requests show their chunks; read.test.ts
 * compares the plans on this same year (plan-parity.ts), so they are not compared again here.
 */
describe('black box: a year read whole and in small chunks gives every day the same rows', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let setup: UsageSetup;
  const whole = { messages: [] as Message[], requests: [] as RequestLogEntry[] };
  const chunked = { messages: [] as Message[], requests: [] as RequestLogEntry[] };
  const shortChunked = { messages: [] as Message[], requests: [] as RequestLogEntry[] };

  /** One read through the CLI, checked to have succeeded, with the requests it made. */
  const read = async (config: Record<string, unknown>, options: { env?: Record<string, string>; state?: unknown } = {}): Promise<{ messages: Message[]; requests: RequestLogEntry[] }> => {
    const before = simulator.requests.length;
    const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', ...(options.state === undefined ? [] : ['--state', '{state.json}'])], {
      env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...options.env },
      files: { 'config.json': config, 'catalog.json': catalog, ...(options.state === undefined ? {} : { 'state.json': options.state }) },
    });
    expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
    expect(result.exitCode, result.stderr).to.equal(0);
    expectWellFormedRead(result.messages, STREAMS);
    return { messages: result.messages, requests: simulator.requests.slice(before) };
  };

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    setup = { dataset: simulator.dataset, mode: 'auth_token', from: SAMPLE_START_DATE, to: SAMPLE_END_DATE };
    for (const [target, env] of [
      [whole, {}],
      [chunked, SMALL_CHUNKS_ENV],
      [shortChunked, SHORT_CHUNKS_ENV],
    ] as const) {
      Object.assign(target, await read(configFor(setup), { env }));
    }
  });
  after(() => simulator.close());

  /** Each account's chunks, checked to be the accounts read whole and to tile each one's window in order; their lengths in days. */
  const chunkLengths = (smallChunks: ReadonlyMap<string, DayRange[]>): Map<string, number[]> => {
    const wholeChunks = chunksByAccount(whole.requests, 'sparse');
    expect([...smallChunks.keys()].sort(), 'the accounts read')
      .to.deep.equal([...wholeChunks.keys()].sort())
      .and.to.have.length(3);
    return new Map(
      [...smallChunks].map(([account, chunks]) => {
        expect(wholeChunks.get(account), `${account} read whole`).to.have.length(1);
        const [window] = wholeChunks.get(account) as DayRange[];
        expect(chunks[0]?.from, `${account}'s first chunk starts its window`).to.equal(window?.from);
        expect(chunks.at(-1)?.to, `${account}'s last chunk ends its window`).to.equal(window?.to);
        chunks.slice(1).forEach((chunk, index) => expect(chunk.from, `${account}'s chunk after ${chunks[index]?.to}`).to.equal(addDays(chunks[index]?.to as string, 1)));
        return [account, chunks.map((chunk) => daysBetweenInclusive(chunk.from, chunk.to))];
      }),
    );
  };

  it('reads each account’s window in one chunk, then in many of a few days ending with a shorter one', () => {
    for (const [account, lengths] of chunkLengths(chunksByAccount(chunked.requests, 'sparse'))) {
      expect(lengths.length, `${account}'s chunks`).to.be.above(30);
      const length = lengths[0] as number;
      expect(length, `${account}'s chunk length`).to.be.within(2, 10);
      expect(lengths.slice(0, -1), `${account}'s chunks but the last`).to.satisfy((all: number[]) => all.every((days) => days === length));
      expect(lengths.at(-1), `${account}'s last chunk`).to.be.below(length);
    }
  });

  it('reads it again in chunks of one to three days', () => {
    for (const [account, lengths] of chunkLengths(chunksByAccount(shortChunked.requests, 'dense'))) {
      expect(lengths.length, `${account}'s chunks`).to.be.above(100);
      expect(Math.max(...lengths), `${account}'s longest chunk, of ${[...new Set(lengths)].join(' or ')} days`).to.be.at.most(3);
      expect(lengths.filter((days) => days >= 2).length, `${account}'s chunks of more than one day`).to.be.above(lengths.length / 2);
    }
  });

  for (const [label, chunkedRead] of [
    ['in chunks of a week', chunked],
    ['in chunks of one to three days', shortChunked],
  ] as const) {
    it(`every account-day read ${label} adds up to its totalprice`, () => {
      expectCostsReconcile(recordsOf(chunkedRead.messages, 'usage_costs'), setup);
    });

    it(`emits the same usage_costs, focus_costs and usage_records rows read ${label}, and the same final states`, () => {
      // The states hold each account's placement memory with the days that proved it: the chunks'
      // days joined, the whole window's.
      const differences = planOutputDifferences({ label: 'whole', messages: whole.messages }, { label, messages: chunkedRead.messages });
      if (differences.length > 0) expect.fail(`the read ${label} does not emit what the whole read emits:\n${differences.join('\n')}`);
    });
  }

  it('an incremental sync reading its three lookback days again with the state of the sync before gives them the same rows and state', async () => {
    // Those days' top level holds cost in no category, and recordings is priced only through
    // calls-recordings: three days alone once sent calls-recordings to the top level beside it.
    const config = configFor({ ...setup, from: '2026-04-01', to: '2026-05-29' }, { lookback_days: 3 });
    const first = await read(config);
    const again = await read(config, { state: STREAMS.map((stream) => statesOf(first.messages, stream).at(-1)?.state) });
    const daysReadAgain = new Set(again.messages.filter((message) => message.type === 'RECORD').map(dayOf));
    expect([...daysReadAgain].sort()).to.deep.equal(['2026-05-27', '2026-05-28', '2026-05-29']);
    // usage_records emits the zero rows of the categories each window reads, which a window of
    // three days has fewer of; the streams that place are compared.
    const placing = (message: Message): boolean => PLACING_STREAMS.includes(String(message.type === 'RECORD' ? message.record.stream : message.state?.stream?.stream_descriptor?.name));
    const firstOnThoseDays = first.messages.filter((message) => placing(message) && (message.type !== 'RECORD' || daysReadAgain.has(dayOf(message))));
    const differences = planOutputDifferences({ label: 'first sync', messages: firstOnThoseDays }, { label: 'read again', messages: again.messages.filter(placing) });
    if (differences.length > 0) expect.fail(`the lookback days read again differ from the first sync's:\n${differences.join('\n')}`);
  });
});
