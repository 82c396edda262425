import { expect } from 'chai';

import { type Dataset, generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { auditLeaves, type LeafAudit } from '../helpers/leaf-audit';
import { expectWellFormedRead, recordsOf, traceErrors } from '../helpers/protocol';
import { daysOf } from '../helpers/simulator-truth';
import { configFor, readScopes, usageCatalog, type UsageSetup } from './read-checks';

const FROM = '2026-09-24';
const TO = '2026-10-07';
const SUBACCOUNTS = 50;
/** The main account and its first seven subaccounts also use products whose grouping Twilio does not document. */
const GROUPING_ACCOUNTS = 8;

/** The ISV account the truth is checked on: 50 subaccounts, 2 closed, 8 with undocumented groupings. */
function isvDataset(): Dataset {
  return generateDataset({ seed: 51, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: SUBACCOUNTS, closedSubaccounts: 2, accountsWithUndocumentedGroupings: GROUPING_ACCOUNTS });
}

/** Days of the read on which `holds` is true of a grouping account's report. */
function groupingDays(dataset: Dataset, holds: (price: (category: string) => bigint) => boolean): number {
  let days = 0;
  for (const account of dataset.accounts.slice(0, GROUPING_ACCOUNTS)) {
    for (const day of daysOf(FROM, TO)) {
      const usage = dataset.usage(account.sid, day);
      if (holds((category) => usage.get(category)?.price ?? 0n)) days += 1;
    }
  }
  return days;
}

/**
 * Reads usage_costs of the setup with the built CLI from a simulator of its dataset, and audits every account-day against the truth;
 * `account` reads one account with its own Auth Token instead of the setup's.
 */
async function readAndAudit(setup: UsageSetup, account?: { sid: string; authToken: string }): Promise<{ simulator: RunningSimulator; audit: LeafAudit }> {
  const simulator = await startSimulator({ dataset: setup.dataset });
  const config = account ? { ...configFor(setup), account_sid: account.sid, credentials: { auth_type: 'auth_token', auth_token: account.authToken } } : configFor(setup);
  const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
    env: { TWILIO_API_BASE_URL: simulator.baseUrl },
    files: { 'config.json': config, 'catalog.json': usageCatalog(['usage_costs']) },
  });
  expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
  expect(result.exitCode).to.equal(0);
  expectWellFormedRead(result.messages, ['usage_costs']);
  const scopes = account ? [{ sid: account.sid, includeSubaccounts: false }] : readScopes(setup);
  return { simulator, audit: auditLeaves(recordsOf(result.messages, 'usage_costs'), setup.dataset, scopes, setup.from, setup.to) };
}

/** No leaf missing or mispriced, no row that is no leaf, no residual unlike the truth's, every account-day and product-month right. */
function expectTruthExact(audit: LeafAudit): void {
  expect(audit.leavesWrong.slice(0, 10), `${audit.leavesWrong.length} leaves wrong`).to.deep.equal([]);
  expect(audit.extraRows.slice(0, 10), `${audit.extraRows.length} rows that are no true leaf`).to.deep.equal([]);
  expect(audit.leavesRight).to.equal(audit.leaves);
  expect(audit.rollupResidualsWrong.slice(0, 10), `${audit.rollupResidualsWrong.length} rollup residuals unlike the rollup's own cost`).to.deep.equal([]);
  expect(audit.topResidualsWrong.slice(0, 10), `${audit.topResidualsWrong.length} top-level residuals unlike the truth`).to.deep.equal([]);
  expect(audit.cancellingResiduals).to.deep.equal([]);
  expect(audit.topResiduals.rows, 'days with cost in no category').to.be.greaterThan(0);
  expect(audit.unreconciledDays).to.deep.equal([]);
  expect(audit.productMonthsWrong.slice(0, 10), `${audit.productMonthsWrong.length} account-month products wrong`).to.deep.equal([]);
}

/**
 * What an ISV reads per product: 50 subaccounts (Auth Token), eight of them with a group rollup
 * over members named apart from it (`a2p-registration-fees`, `marketplace-recording-addons`,
 * `pstnconnectivity-inbound`) and a rollup costing what its one member costs every day
 * (`marketplace-analytics-addons`), over two weeks across a month end (monthly fees on one day).
 * Every account-day is compared with the simulator's truth.
 */
describe('black box: a 50-subaccount ISV account with undocumented groupings, leaf by leaf against the truth', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  let audit: LeafAudit;
  after(async () => simulator?.close());

  before(async () => {
    const dataset = isvDataset();
    expect(readScopes({ dataset, mode: 'auth_token', from: FROM, to: TO })).to.have.length(SUBACCOUNTS + 1);
    ({ simulator, audit } = await readAndAudit({ dataset, mode: 'auth_token', from: FROM, to: TO }));
  });

  it('reads shapes worth checking: every account, group rollups of several members, equal-price chains', () => {
    const dataset = simulator?.dataset as Dataset;
    expect(audit.accountDays, 'account-days with usage').to.be.greaterThan(600);
    expect(audit.leaves).to.be.greaterThan(10_000);
    const a2pMembers = ['a2p-10dlc-registrationfees-brandregistration', 'a2p-10dlc-registrationfees-campaignvetting', 'a2p-10dlc-registrationfees-monthly'];
    expect(
      groupingDays(dataset, (price) => a2pMembers.filter((member) => price(member) !== 0n).length >= 2),
      'a2p-registration-fees over two members or more',
    ).to.be.greaterThan(0);
    expect(
      groupingDays(dataset, (price) => price('marketplace-recording-addons') !== 0n && price('marketplace-voicebase-transcription') !== 0n && price('marketplace-ibm-watson-recording-analysis') !== 0n),
      'marketplace-recording-addons over both add-ons',
    ).to.be.greaterThan(20);
    expect(
      groupingDays(dataset, (price) => price('marketplace-analytics-addons') !== 0n),
      'marketplace-analytics-addons, priced as its one add-on',
    ).to.be.greaterThan(50);
  });

  it('emits every true leaf with its exact price, nothing else but the cost in no category, and each product-month as the truth has it', () => {
    expectTruthExact(audit);
    expect(audit.rollupResiduals.rows).to.equal(0);
    expect(audit.productMonths).to.be.greaterThan(1000);
  });
});

/**
 * The whole bill by API key (IncludeSubaccounts=true), two accounts of five with the groupings:
 * video plans report only `pv` on some accounts' days while others report its children, so the
 * bill's `pv` holds cost of its own beside priced children, which only `pv:unattributed` can show.
 */
describe('black box: the whole bill by API key, leaf by leaf against the truth', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  let audit: LeafAudit;
  after(async () => simulator?.close());

  before(async () => {
    const dataset = generateDataset({ seed: 65, startDate: '2026-07-01', endDate: '2026-09-30', subaccounts: 4, accountsWithUndocumentedGroupings: 2 });
    ({ simulator, audit } = await readAndAudit({ dataset, mode: 'api_key', from: '2026-07-01', to: '2026-09-30' }));
  });

  it('emits every true leaf with its exact price, a rollup residual only for the rollup own cost, and each product-month as the truth has it', () => {
    expect(audit.accountDays).to.equal(92);
    expectTruthExact(audit);
    expect(audit.rollupResiduals.rows, 'days with pv cost of its own beside priced children').to.be.greaterThan(10);
  });
});

/**
 * A subaccount read alone over 21–22 September: its carrier fees are priced on the 21st only, when
 * sms sums exactly without them and the day carries cost in no category. The fees are a leaf of
 * their own at the top level, not under sms with a residual taking them back.
 */
describe('black box: a one-day fee outside the rollup its name gives, on a two-day window, against the truth', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator | undefined;
  let audit: LeafAudit;
  after(async () => simulator?.close());

  before(async () => {
    const dataset = isvDataset();
    const account = dataset.accounts.find((candidate) => candidate.sid.startsWith('AC1f7fd45b'));
    expect(account, 'the subaccount first used on 21 September').to.not.equal(undefined);
    const usage = dataset.usage(account?.sid as string, '2026-09-21');
    const price = (category: string): bigint => usage.get(category)?.price ?? 0n;
    expect(price('sms-messages-carrierfees') > 0n, 'its carrier fees').to.equal(true);
    expect(price('sms'), 'sms, exactly its inbound and outbound').to.equal(price('sms-inbound') + price('sms-outbound'));
    expect(dataset.usage(account?.sid as string, '2026-09-22').get('sms-messages-carrierfees')?.price ?? 0n, 'no fees on the 22nd').to.equal(0n);
    ({ simulator, audit } = await readAndAudit({ dataset, mode: 'auth_token', from: '2026-09-21', to: '2026-09-22' }, account));
  });

  it('emits every true leaf with its exact price and no residual cancelling a category', () => {
    expect(audit.accountDays).to.equal(2);
    expectTruthExact(audit);
  });
});
