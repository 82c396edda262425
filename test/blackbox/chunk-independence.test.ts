import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { addDays, type DayRange, daysBetweenInclusive } from '../../source-twilio-costs/dates';
import { SAMPLE_END_DATE, SAMPLE_START_DATE, sampleDataset } from '../../tools/simulator/dataset';
import { type RequestLogEntry, type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { planOutputDifferences } from '../helpers/plan-parity';
import { expectWellFormedRead, type Message, recordsOf, traceErrors } from '../helpers/protocol';
import { configFor, expectCostsReconcile, type UsageSetup } from './read-checks';

const incrementalCatalog = JSON.parse(readFileSync(path.resolve(__dirname, '../../integration_tests/incremental_catalog.json'), 'utf8')) as { streams: Array<{ stream: { name: string } }> };
/**
 * usage_costs first: a later stream reads a window back from the run's cache in the chunks of its
 * first reader, so usage_costs (and focus_costs after it) read the chunks its row budget makes.
 */
const STREAMS = ['usage_costs', 'focus_costs', 'usage_records'];
const catalog = { streams: STREAMS.map((name) => incrementalCatalog.streams.find((entry) => entry.stream.name === name)) };

/**
 * The sample's accounts need 50 to 60 categories a year, so 400 needed rows make chunks of 6 to 8
 * days: some fifty a year, each month's fees on one day of a chunk, and a short last chunk (365
 * days in chunks of 7 end with one of a day). Sparse, so that each chunk shows in the requests.
 */
const SMALL_CHUNKS_ENV = { SOURCE_TWILIO_COSTS_WINDOW_ROWS: '400', SOURCE_TWILIO_COSTS_FETCH_PLAN: 'sparse' };

/**
 * The chunks each account's window was read in, from the requests: a sparse read asks for each
 * needed category over exactly one chunk. The days read again in full (Category-less) and the
 * subaccounts' residual (IncludeSubaccounts=true) are left out.
 */
function chunksByAccount(requests: readonly RequestLogEntry[]): Map<string, DayRange[]> {
  const chunks = new Map<string, Map<string, DayRange>>();
  for (const request of requests) {
    const { StartDate: from, EndDate: to, Category: category, IncludeSubaccounts: includeSubaccounts } = request.query;
    if (!request.path.endsWith('/Usage/Records/Daily.json') || category === undefined || includeSubaccounts !== 'false' || from === undefined || to === undefined) continue;
    const account = request.path.split('/')[3] as string;
    const ranges = chunks.get(account) ?? new Map<string, DayRange>();
    ranges.set(from, { from, to });
    chunks.set(account, ranges);
  }
  return new Map([...chunks].map(([account, ranges]) => [account, [...ranges.values()].sort((a, b) => a.from.localeCompare(b.from))]));
}

/**
 * The chunks of one window are placed one after another, each with what the chunks before it
 * proved (the account's placement memory, usage-costs.ts), so that no day's rows depend on where a
 * chunk boundary falls. window-independence.test.ts checks the same across syncs. The chunked read
 * forces the sparse plan only so that its requests show its chunks; read.test.ts compares the
 * plans on this same year (plan-parity.ts), so they are not compared again here.
 */
describe('black box: a year read whole and in small chunks gives every day the same rows', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let setup: UsageSetup;
  const whole = { messages: [] as Message[], requests: [] as RequestLogEntry[] };
  const chunked = { messages: [] as Message[], requests: [] as RequestLogEntry[] };

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    setup = { dataset: simulator.dataset, mode: 'auth_token', from: SAMPLE_START_DATE, to: SAMPLE_END_DATE };
    for (const [read, env] of [
      [whole, {}],
      [chunked, SMALL_CHUNKS_ENV],
    ] as const) {
      const before = simulator.requests.length;
      const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, ...env },
        files: { 'config.json': configFor(setup), 'catalog.json': catalog },
      });
      expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
      expect(result.exitCode, result.stderr).to.equal(0);
      expectWellFormedRead(result.messages, STREAMS);
      read.messages = result.messages;
      read.requests = simulator.requests.slice(before);
    }
  });
  after(() => simulator.close());

  it('reads each account’s window in one chunk, then in many of a few days ending with a shorter one', () => {
    const wholeChunks = chunksByAccount(whole.requests);
    const smallChunks = chunksByAccount(chunked.requests);
    expect([...smallChunks.keys()].sort(), 'the accounts read')
      .to.deep.equal([...wholeChunks.keys()].sort())
      .and.to.have.length(3);
    for (const [account, chunks] of smallChunks) {
      expect(wholeChunks.get(account), `${account} read whole`).to.have.length(1);
      const [window] = wholeChunks.get(account) as DayRange[];
      expect(chunks.length, `${account}'s chunks`).to.be.above(30);
      expect(chunks[0]?.from, `${account}'s first chunk starts its window`).to.equal(window?.from);
      expect(chunks.at(-1)?.to, `${account}'s last chunk ends its window`).to.equal(window?.to);
      chunks.slice(1).forEach((chunk, index) => expect(chunk.from, `${account}'s chunk after ${chunks[index]?.to}`).to.equal(addDays(chunks[index]?.to as string, 1)));
      const lengths = chunks.map((chunk) => daysBetweenInclusive(chunk.from, chunk.to));
      const length = lengths[0] as number;
      expect(length, `${account}'s chunk length`).to.be.within(2, 10);
      expect(lengths.slice(0, -1), `${account}'s chunks but the last`).to.satisfy((all: number[]) => all.every((days) => days === length));
      expect(lengths.at(-1), `${account}'s last chunk`).to.be.below(length);
    }
  });

  it('every account-day of the chunked read adds up to its totalprice', () => {
    expectCostsReconcile(recordsOf(chunked.messages, 'usage_costs'), setup);
  });

  it('emits the same usage_costs, focus_costs and usage_records rows, and the same final states', () => {
    // The states hold each account's placement memory with the days that proved it: the chunks'
    // days joined, the whole window's.
    const differences = planOutputDifferences({ label: 'whole', messages: whole.messages }, { label: 'in chunks', messages: chunked.messages });
    if (differences.length > 0) expect.fail(`the chunked read does not emit what the whole read emits:\n${differences.join('\n')}`);
  });
});
