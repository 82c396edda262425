/**
 * What Twilio or a config may hold that is odd but not wrong enough to stop a read: rows of another
 * account, subaccount_sids Twilio does not list, categories spelled in mixed case. Each gives the
 * right data and says so once, not once a row.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { generateDataset, SAMPLE_SUBACCOUNT_SIDS, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { type CliResult, runCli } from '../helpers/cli';
import { expectWellFormedRead, type Message, ofType, recordsOf } from '../helpers/protocol';
import { allRows, configFor, expectUsageEqualsDataset, readScopes, usageCatalog, type UsageSetup } from './read-checks';

const root = path.resolve(__dirname, '../..');
const warningsOf = (messages: Message[]): string[] =>
  ofType(messages, 'LOG')
    .filter((message) => message.log.level === 'WARN')
    .map((message) => String(message.log.message));

describe('black box: rows of other accounts, unknown subaccounts and category spellings', function () {
  this.timeout(120_000);

  // Not compared across plans: the rows of other accounts come with dense listings only, and the
  // data the read ends with is checked against the simulator's, exactly.
  describe('usage rows that name another account than the one asked for', () => {
    const FOREIGN_SID = `AC${'f'.repeat(32)}`;
    const setup: UsageSetup = {
      dataset: generateDataset({ seed: 6300, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 2 }),
      mode: 'auth_token',
      from: '2026-09-29',
      to: '2026-10-02',
    };
    let simulator: RunningSimulator;
    let result: CliResult;
    before(async () => {
      // Every listing of a whole day (the aggregate, and Daily without Category) carries two rows of another account.
      const rule = {
        fault: { kind: 'foreign-rows' as const, accountSid: FOREIGN_SID, rows: 2 },
        when: (request: { path: string; query: URLSearchParams }) => request.path.includes('/Usage/Records') && !request.query.has('Category'),
      };
      simulator = await startSimulator({ dataset: setup.dataset, faults: { seed: 6300, rules: [rule] } });
      result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl, SOURCE_TWILIO_COSTS_FETCH_PLAN: 'dense' },
        files: { 'config.json': configFor(setup), 'catalog.json': usageCatalog() },
      });
    });
    after(() => simulator.close());

    it('are left out: both usage streams hold the simulator data of the accounts asked for, exactly', () => {
      expect(result.exitCode, result.stderr).to.equal(0);
      expectWellFormedRead(result.messages, ['usage_records', 'usage_costs']);
      expectUsageEqualsDataset(allRows(result.messages), setup);
      for (const stream of ['usage_records', 'usage_costs'])
        expect(
          recordsOf(result.messages, stream).filter((row) => row.account_sid === FOREIGN_SID),
          stream,
        ).to.deep.equal([]);
    });

    it('with one WARN per stream and account that counts them, not one a row', () => {
      const warnings = warningsOf(result.messages).filter((warning) => warning.includes('of other accounts'));
      const daily = simulator.requests.filter((request) => request.fault === 'foreign-rows' && request.path.endsWith('/Daily.json'));
      expect(daily.length, 'Daily listings that carried rows of another account').to.be.greaterThan(0);
      for (const { sid } of readScopes(setup)) {
        const pages = daily.filter((request) => request.path.includes(sid)).length;
        const mine = warnings.filter((warning) => warning.includes(sid));
        expect(mine, `warnings for ${sid}`).to.have.length(1);
        const count = Number(/^usage_records: Twilio sent (\d+) usage records of other accounts when asked for the usage of AC[0-9a-f]{32}; they were left out\.$/.exec(mine[0] ?? '')?.[1]);
        // Two a page, or one from a page of a single row.
        expect(count, mine[0]).to.be.within(pages, 2 * pages);
      }
      // usage_costs read the windows usage_records kept for it, without them.
      expect(warnings).to.have.length(readScopes(setup).length);
    });
  });

  // Not compared across plans: the read is about a warning, and reads a single day.
  it('20,000 unknown subaccount_sids give one WARN with their count and the first five, and the known one is read', async () => {
    const simulator = await startSimulator({ dataset: sampleDataset() });
    try {
      const config = JSON.parse(readFileSync(path.join(root, 'integration_tests/simulator_config.json'), 'utf8')) as Record<string, unknown>;
      const unknown = Array.from({ length: 20_000 }, (_, index) => `AC${index.toString(16).padStart(32, '0')}`);
      const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
        env: { TWILIO_API_BASE_URL: simulator.baseUrl },
        files: { 'config.json': { ...config, subaccount_sids: [SAMPLE_SUBACCOUNT_SIDS[0], ...unknown] }, 'catalog.json': usageCatalog() },
      });
      expect(result.exitCode, result.stderr).to.equal(0);
      const warnings = warningsOf(result.messages).filter((warning) => warning.startsWith('subaccount_sids'));
      expect(warnings).to.deep.equal([
        `subaccount_sids names 20000 accounts that are not among the subaccounts Twilio lists for ${String(config.account_sid)} (${unknown.slice(0, 5).join(', ')} and 19995 more); they are skipped.`,
      ]);
      expect(new Set(recordsOf(result.messages, 'usage_records').map((row) => row.account_sid))).to.deep.equal(new Set([config.account_sid, SAMPLE_SUBACCOUNT_SIDS[0]]));
    } finally {
      await simulator.close();
    }
  });

  // Not compared across plans: acceptance compares this account's reads under every plan.
  it('names a category one way in every stream: as Twilio spells it (Usage-RCS-Messages), so they join', async () => {
    const simulator = await startSimulator({ dataset: sampleDataset() });
    let result: CliResult;
    try {
      const config = JSON.parse(readFileSync(path.join(root, 'integration_tests/simulator_config.json'), 'utf8')) as unknown;
      const catalog = JSON.parse(readFileSync(path.join(root, 'integration_tests/configured_catalog.json'), 'utf8')) as unknown;
      result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], { env: { TWILIO_API_BASE_URL: simulator.baseUrl }, files: { 'config.json': config, 'catalog.json': catalog } });
    } finally {
      await simulator.close();
    }
    expect(result.exitCode, result.stderr).to.equal(0);
    const names: Array<[string, unknown]> = [
      ...recordsOf(result.messages, 'usage_records').map((row): [string, unknown] => ['usage_records.category', row.category]),
      ...recordsOf(result.messages, 'usage_costs').flatMap((row): Array<[string, unknown]> => [
        ['usage_costs.category', String(row.category).replace(/:unattributed$/, '')],
        ['usage_costs.parent_category', row.parent_category],
      ]),
      ...recordsOf(result.messages, 'usage_categories').flatMap((row): Array<[string, unknown]> => [
        ['usage_categories.category', row.category],
        ['usage_categories.parent_category', row.parent_category],
      ]),
      ...recordsOf(result.messages, 'focus_costs').flatMap((row): Array<[string, unknown]> => [
        ['focus_costs.x_TwilioCategory', String(row.x_TwilioCategory).replace(/:unattributed$/, '')],
        ['focus_costs.x_TwilioParentCategory', row.x_TwilioParentCategory],
      ]),
    ];
    const spellings = new Map<string, Set<string>>();
    for (const [, name] of names) {
      if (typeof name === 'string') spellings.set(name.toLowerCase(), (spellings.get(name.toLowerCase()) ?? new Set<string>()).add(name));
    }
    expect([...(spellings.get('usage-rcs-messages') ?? [])], 'the mixed-case category is met').to.deep.equal(['Usage-RCS-Messages']);
    const usedAs = (where: string): boolean => names.some(([field, name]) => field === where && name === 'Usage-RCS-Messages');
    for (const where of ['usage_records.category', 'usage_costs.parent_category', 'usage_categories.category', 'focus_costs.x_TwilioParentCategory']) expect(usedAs(where), where).to.equal(true);
    expect([...spellings].filter(([, spelled]) => spelled.size > 1).map(([key, spelled]) => `${key}: ${[...spelled].join(', ')}`)).to.deep.equal([]);
  });
});
