import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect } from 'chai';

import { generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { COMPARE_EVERY_READ, expectEveryPlanReadsTheSame } from '../helpers/plan-parity';
import { recordsOf, traceErrors } from '../helpers/protocol';
import { configFor, usageCatalog } from './read-checks';

const PREFIX = '/twilio-proxy/v1';

/**
 * A reverse proxy mounted under PREFIX, as a company's egress proxy might be: it forwards what is
 * under the prefix to the simulator, answers 404 to anything else, and remembers every path asked.
 */
async function startPrefixProxy(target: string): Promise<{ url: string; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = http.createServer((request, response) => {
    const requested = request.url ?? '';
    paths.push(requested);
    if (!requested.startsWith(`${PREFIX}/`)) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"code": 20404, "status": 404}');
      return;
    }
    const upstream = http.request(`${target}${requested.slice(PREFIX.length)}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('black box: TWILIO_API_BASE_URL with a path prefix', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let proxy: Awaited<ReturnType<typeof startPrefixProxy>>;

  before(async () => {
    simulator = await startSimulator({ dataset: generateDataset({ seed: 8120, startDate: '2026-08-01', endDate: '2026-10-31', subaccounts: 1 }) });
    proxy = await startPrefixProxy(simulator.baseUrl);
  });
  after(async () => {
    await proxy.close();
    await simulator.close();
  });

  it('puts every request under the prefix, next pages included', async () => {
    // A month: its dense listing is some twenty pages per account.
    const setup = { dataset: simulator.dataset, mode: 'auth_token' as const, from: '2026-10-01', to: '2026-10-31' };
    const input = { dataset: simulator.dataset, config: configFor(setup), catalog: usageCatalog(['usage_records']) };
    const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
      // The dense plan reads every category of a month in pages, so next_page_uri is followed.
      env: { TWILIO_API_BASE_URL: proxy.url, SOURCE_TWILIO_COSTS_FETCH_PLAN: 'dense' },
      files: { 'config.json': input.config, 'catalog.json': input.catalog },
    });
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(traceErrors(result.messages)).to.deep.equal([]);
    expect(recordsOf(result.messages, 'usage_records').length).to.be.greaterThan(0);
    expect(proxy.paths.length).to.be.greaterThan(0);
    for (const requested of proxy.paths) expect(requested, 'a request outside the prefix').to.match(new RegExp(`^${PREFIX}/2010-04-01/`));
    expect(
      proxy.paths.some((requested) => requested.includes('PageToken=')),
      'a next page was followed',
    ).to.equal(true);
    // The prefix changes where requests go, not what they answer: planner.test.ts compares the plans
    // on reads straight to the simulator.
    if (COMPARE_EVERY_READ) await expectEveryPlanReadsTheSame(result.messages, input, 'dense');
  });
});
