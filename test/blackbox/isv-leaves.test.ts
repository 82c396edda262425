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
    const dataset = generateDataset({ seed: 51, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: SUBACCOUNTS, closedSubaccounts: 2, accountsWithUndocumentedGroupings: GROUPING_ACCOUNTS });
    simulator = await startSimulator({ dataset });
    const setup: UsageSetup = { dataset, mode: 'auth_token', from: FROM, to: TO };
    const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
      env: { TWILIO_API_BASE_URL: simulator.baseUrl },
      files: { 'config.json': configFor(setup), 'catalog.json': usageCatalog(['usage_costs']) },
    });
    expect(traceErrors(result.messages), result.stderr).to.deep.equal([]);
    expect(result.exitCode).to.equal(0);
    expectWellFormedRead(result.messages, ['usage_costs']);
    const scopes = readScopes(setup);
    expect(scopes).to.have.length(SUBACCOUNTS + 1);
    audit = auditLeaves(recordsOf(result.messages, 'usage_costs'), dataset, scopes, FROM, TO);
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

  it('emits every true leaf with its exact price, and no rollup beside its priced children', () => {
    expect(audit.leavesWrong.slice(0, 10), `${audit.leavesWrong.length} leaves wrong`).to.deep.equal([]);
    expect(audit.extraRows.slice(0, 10), `${audit.extraRows.length} rows that are no true leaf`).to.deep.equal([]);
    expect(audit.leavesRight).to.equal(audit.leaves);
  });

  it('leaves no residual but the cost in no category, so none cancels an emitted category', () => {
    expect(audit.rollupResiduals.rowsSeen.slice(0, 10), `${audit.rollupResiduals.rows} rollup residuals`).to.deep.equal([]);
    expect(audit.topResidualsWrong.slice(0, 10), `${audit.topResidualsWrong.length} top-level residuals unlike the truth`).to.deep.equal([]);
    expect(audit.cancellingResiduals).to.deep.equal([]);
    expect(audit.topResiduals.rows, 'days with cost in no category').to.be.greaterThan(0);
  });

  it('adds every account-day up to its totalprice, and each product of each account-month to the truth', () => {
    expect(audit.unreconciledDays).to.deep.equal([]);
    expect(audit.productMonthsWrong.slice(0, 10), `${audit.productMonthsWrong.length} account-month products wrong`).to.deep.equal([]);
    expect(audit.productMonths).to.be.greaterThan(1000);
  });
});
