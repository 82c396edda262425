import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';

import { SAMPLE_STANDARD_API_KEY, sampleDataset } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { expectWellFormedRead, recordsOf, traceErrors } from '../helpers/protocol';
import { daysOf, exact, OVERLAP_CATEGORIES } from '../helpers/simulator-truth';

const START = '2026-10-01';
const END = '2026-10-31';
const STREAMS = ['usage_records', 'usage_costs', 'focus_costs'];

const catalog = {
  streams: STREAMS.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
};

/**
 * A product billed in EUR inside a USD account (as a marketplace vendor may be): its rows keep
 * their currency, and the USD rows still add up to totalprice, which leaves the EUR ones out.
 */
describe('black box: rows priced in another currency than the account', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  /** Σ usage_costs price per "currency" of the read, in the simulator's unit. */
  const readSpend = new Map<string, bigint>();
  after(async () => simulator?.close());

  it('stay in their currency, deduplicated among themselves, and every USD account-day still adds up to totalprice', async () => {
    const dataset = sampleDataset();
    const main = dataset.mainAccountSid;
    const nodes = dataset.truthNodes();
    // A product that is a pure rollup (its price is its children's) with a priced child below a priced child: something to deduplicate.
    const product = nodes.find(
      (node) =>
        node.parent === 'totalprice' &&
        !node.hasOwnUsage &&
        node.children.some((child) => (nodes.find((candidate) => candidate.category === child)?.children.length ?? 0) > 0) &&
        daysOf(START, END).every((day) => (dataset.scopeUsage(main, true, isoDateToDay(day), isoDateToDay(day)).get(node.category)?.price ?? 0n) > 0n),
    );
    expect(product, 'a product priced every day').to.not.equal(undefined);
    dataset.billInCurrency(product?.category as string, 'eur');
    simulator = await startSimulator({ dataset });
    const config = { account_sid: main, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret }, start_date: START, end_date: END };
    const result = await runCli(['read', '--config', '{c.json}', '--catalog', '{cat.json}'], { env: { TWILIO_API_BASE_URL: simulator.baseUrl }, files: { 'c.json': config, 'cat.json': catalog } });
    expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
    expect(result.exitCode).to.equal(0);
    expectWellFormedRead(result.messages, STREAMS);

    const raw = recordsOf(result.messages, 'usage_records');
    const costs = recordsOf(result.messages, 'usage_costs');
    const parentOf = new Map(nodes.map((node) => [node.category.toLowerCase(), node.parent?.toLowerCase() ?? null]));
    // The EUR leaves Twilio sent: priced EUR rows under which no other priced EUR row sits (overlaps aside: their money is inside another's).
    const eurRaw = raw.filter((row) => row.price_unit === 'EUR' && row.price !== 0 && !OVERLAP_CATEGORIES.has(String(row.category).toLowerCase()));
    const eurParents = new Set(eurRaw.map((row) => `${String(row.start_date)}|${String(parentOf.get(String(row.category).toLowerCase()))}`));
    const expectedEur = eurRaw
      .filter((row) => !eurParents.has(`${String(row.start_date)}|${String(row.category).toLowerCase()}`))
      .map((row) => `${String(row.start_date)}|${String(row.category).toLowerCase()}|${exact(row.price)}`);
    expect(expectedEur.length).to.be.greaterThan(daysOf(START, END).length);
    const eurCosts = costs.filter((row) => row.price_unit === 'EUR').map((row) => `${String(row.start_date)}|${String(row.category)}|${exact(row.price)}`);
    for (const row of costs) readSpend.set(String(row.price_unit), (readSpend.get(String(row.price_unit)) ?? 0n) + exact(row.price));
    expect(eurCosts.sort()).to.deep.equal(expectedEur.sort());

    for (const day of daysOf(START, END)) {
      const total = raw.find((row) => row.category === 'totalprice' && row.start_date === day);
      expect(total?.price_unit, day).to.equal('USD');
      const usd = costs.filter((row) => row.start_date === day && row.price_unit === 'USD').reduce((sum, row) => sum + exact(row.price), 0n);
      expect(usd, day).to.equal(exact(total?.price));
    }
    expect(costs.every((row) => row.price_unit === 'USD' || row.price_unit === 'EUR')).to.equal(true);

    const focus = recordsOf(result.messages, 'focus_costs');
    const eurFocus = focus.filter((row) => row.BillingCurrency === 'EUR').map((row) => `${String(row.ChargePeriodStart).slice(0, 10)}|${String(row.x_TwilioCategory)}|${exact(row.BilledCost)}`);
    expect(eurFocus.sort()).to.deep.equal(eurCosts.sort());

    const warnings = result.messages.filter((message) => message.type === 'LOG' && message.log.level === 'WARN').map((message) => String(message.log.message));
    const currencyWarnings = warnings.filter((message) => message.includes('EUR'));
    // One for the sync (focus_costs reads the same reconciliations through usage_costs), not one per stream, window or day.
    expect(currencyWarnings, warnings.join('\n')).to.have.lengthOf(1);
    for (const message of currencyWarnings) expect(message).to.match(new RegExp(`${main}: \\d+ usage records are priced in EUR in ${START}\\.\\.${END}, not in USD like its totalprice; they stay in EUR`));
  });

  it('land in DuckDB in their currency, the sync summing each currency apart', async () => {
    expect(simulator, 'the read above ran').to.not.equal(undefined);
    const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-currency-'));
    try {
      const configPath = path.join(dir, 'config.json');
      const databasePath = path.join(dir, 'costs.duckdb');
      const main = simulator?.dataset.mainAccountSid as string;
      writeFileSync(
        configPath,
        JSON.stringify({ account_sid: main, credentials: { auth_type: 'api_key', api_key_sid: SAMPLE_STANDARD_API_KEY.sid, api_key_secret: SAMPLE_STANDARD_API_KEY.secret }, start_date: START, end_date: END }),
      );
      const result = await runCli(['sync', '--config', configPath, '--duckdb', databasePath, '--streams', 'usage_costs'], { env: { TWILIO_API_BASE_URL: simulator?.baseUrl as string } });
      expect(result.exitCode, result.stderr).to.equal(0);
      const instance = await DuckDBInstance.create(databasePath);
      const connection = await instance.connect();
      try {
        const rows = (await connection.runAndReadAll('SELECT price_unit, CAST(SUM(price) AS VARCHAR) FROM usage_costs GROUP BY price_unit ORDER BY 1')).getRows();
        expect(rows.map(([unit, sum]) => [String(unit), exact(sum)])).to.deep.equal([...readSpend].sort(([a], [b]) => (a < b ? -1 : 1)));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
      expect(result.stderr)
        .to.match(/ EUR\b/)
        .and.to.match(/ USD\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
