import { expect } from 'chai';

import { eachDay } from '../../../source-twilio-costs/dates';
import { type Decimal, parseDecimal } from '../../../source-twilio-costs/money';
import { UNREAD_SUBACCOUNTS_MEANING } from '../../../source-twilio-costs/report/explanations';
import { buildReportPage, type Cell, type Chart, type Paragraph, type ReportPage, type Section, type Table } from '../../../source-twilio-costs/report/page';
import type { CategorySpend, ReportData } from '../../../source-twilio-costs/report/queries';

const MAIN = 'AC00000000000000000000000000000001';
const SUB = 'AC00000000000000000000000000000002';
const d = parseDecimal;

function category(overrides: Partial<CategorySpend> & Pick<CategorySpend, 'category' | 'product' | 'spend'>): CategorySpend {
  return { parents: [null], placements: ['name'], isUnattributed: false, days: 3, accounts: 1, credits: 0n, creditLines: 0, ...overrides };
}

/** Two months of a main account and a subaccount, with a credit product and both kinds of residual. */
function sampleData(overrides: Partial<ReportData> = {}): ReportData {
  return {
    databasePath: '/data/twilio-costs.duckdb',
    syncedAt: '2026-11-02T06:00:00.000Z',
    fileRange: { from: '2026-08-01', to: '2026-10-31' },
    period: { from: '2026-09-01', to: '2026-10-31' },
    currency: 'USD',
    totals: { spend: d('1100.5'), charges: d('1125.5'), credits: d('-25') },
    accounts: [
      { sid: MAIN, friendlyName: 'Alice Telecom', status: 'active', isMain: true },
      { sid: SUB, friendlyName: 'Support', status: 'suspended', isMain: false },
    ],
    accountSpend: [
      { accountSid: MAIN, own: d('700'), unreadSubaccounts: d('100.5') },
      { accountSid: SUB, own: d('300'), unreadSubaccounts: 0n },
    ],
    products: [
      { product: 'Messaging', spend: d('800'), credits: 0n },
      { product: 'Other', spend: d('325.5'), credits: 0n },
      { product: 'Account', spend: d('-25'), credits: d('-25') },
    ],
    monthly: [
      { at: '2026-09', product: 'Messaging', spend: d('300') },
      { at: '2026-10', product: 'Messaging', spend: d('500') },
      { at: '2026-10', product: 'Other', spend: d('325.5') },
      { at: '2026-10', product: 'Account', spend: d('-25') },
    ],
    daily: [
      { at: '2026-10-30', product: 'Messaging', spend: d('200') },
      { at: '2026-10-31', product: 'Messaging', spend: d('300') },
      { at: '2026-10-31', product: 'Other', spend: d('325.5') },
      { at: '2026-10-31', product: 'Account', spend: d('-25') },
    ],
    categories: [
      category({ category: 'sms-outbound', product: 'Messaging', spend: d('800'), parents: ['sms'], placements: ['curated', 'numbers'] }),
      category({ category: 'quantum-relay', product: 'Other', spend: d('200') }),
      category({ category: 'subaccounts:unattributed', product: 'Other', spend: d('100.5'), isUnattributed: true, placements: ['curated'] }),
      category({ category: 'unattributed', product: 'Other', spend: d('25'), isUnattributed: true, accounts: 2 }),
      category({ category: 'min-spend-adjustments', product: 'Account', spend: d('-25'), credits: d('-25'), creditLines: 2 }),
    ],
    reconciliation: { accountDays: 61, mismatchCount: 0, mismatches: [], totalprice: d('1000') },
    ...overrides,
  };
}

const sectionOf = (page: ReportPage, id: string): Section => {
  const section = page.sections.find((candidate) => candidate.id === id);
  if (!section) throw new Error(`no section ${id}`);
  return section;
};

const chartOf = (page: ReportPage, id: string): Chart => {
  const chart = page.sections.flatMap((section) => section.charts).find((candidate) => candidate.id === id);
  if (!chart) throw new Error(`no chart ${id}`);
  return chart;
};

const tableOf = (page: ReportPage, id: string): Table => {
  const table = page.sections.flatMap((section) => [...section.tables, ...section.charts.map((chart) => chart.table)]).find((candidate) => candidate.id === id);
  if (!table) throw new Error(`no table ${id}`);
  return table;
};

const cellText = (cell: Cell | undefined): string | Decimal | undefined => (cell === undefined ? undefined : 'amount' in cell ? cell.amount : 'code' in cell ? cell.code : cell.text);
const rowsOf = (table: Table): Record<string, Array<string | Decimal | undefined>> => Object.fromEntries([...table.rows, ...(table.total ? [table.total] : [])].map((row) => [row.key, row.cells.map(cellText)]));
const plainText = (paragraph: Paragraph): string => paragraph.map((part) => (typeof part === 'string' ? part : 'amount' in part ? `[${part.amount}]` : 'code' in part ? part.code : part.strong)).join('');

const NOW = new Date('2026-11-02T07:30:00Z');

describe('report: the page model', () => {
  it('heads with the spend, the usage total it reconciles to (the accounts plus subaccounts not read) and the invoice gap', () => {
    const page = buildReportPage(sampleData(), NOW);
    expect(page.title).to.equal('Twilio spend of Alice Telecom, 1 Sep 2026 to 31 Oct 2026');
    expect(page.subtitle).to.equal('Amounts in USD, from twilio-costs.duckdb, last synced 2026-11-02 06:00 UTC; written 2026-11-02 07:30 UTC.');
    const figures = sectionOf(page, 'summary').figures;
    expect(figures.map(({ id, amount }) => [id, amount])).to.deep.equal([
      ['spend', d('1100.5')],
      ['bill', d('1100.5')],
      ['invoice-gap', undefined],
    ]);
    expect(plainText(figures[0]?.detail ?? [])).to.contain(`usage charges of [${d('1125.5')}] less [${d('25')}] of credits and adjustments`);
    expect(plainText(figures[1]?.detail ?? []))
      .to.contain('The spend adds up to it exactly: on every one of the 61 account-days')
      .and.to.contain(`[${d('100.5')}] of subaccounts not read on their own`);
    expect(plainText(figures[2]?.detail ?? []))
      .to.contain('Flex seats, taxes and some fees.')
      .and.to.contain('your invoice can be higher');
  });

  it('lists the account-days that do not add up, and says how many', () => {
    const mismatches = [{ accountSid: SUB, day: '2026-09-03', leaves: d('10'), totalprice: d('12.5') }];
    const page = buildReportPage(sampleData({ reconciliation: { accountDays: 61, mismatchCount: 1, mismatches, totalprice: d('1002.5') } }), NOW);
    expect(plainText(sectionOf(page, 'summary').figures[1]?.detail ?? [])).to.contain('1 of 61 account-days do not add up');
    expect(rowsOf(tableOf(page, 'mismatches'))).to.deep.equal({ [`2026-09-03|${SUB}`]: ['2026-09-03', SUB, d('10'), d('12.5'), d('-2.5')] });
  });

  it('says so when the file has no usage_records to hold the spend against', () => {
    const bill = sectionOf(buildReportPage(sampleData({ reconciliation: undefined }), NOW), 'summary').figures[1];
    expect(bill?.amount).to.equal(undefined);
    expect(plainText(bill?.detail ?? [])).to.contain('no usage_records');
  });

  it('names credits as such: a product of negative lines says what they are and that they lower the bill', () => {
    const rows = rowsOf(tableOf(buildReportPage(sampleData(), NOW), 'products'));
    expect(rows.Account).to.deep.equal(['Account', d('-25'), '-2.3 %', 'Credits and adjustments (min-spend-adjustments): they lower the bill.']);
    expect(rows.total).to.deep.equal(['Total', d('1100.5'), '100.0 %', '']);
    const credits = buildReportPage(sampleData(), NOW).sections.find(({ id }) => id === 'credits');
    expect(rowsOf(credits?.tables[0] as Table)['min-spend-adjustments']).to.deep.equal([
      'min-spend-adjustments',
      'Account',
      '2',
      d('-25'),
      'An adjustment Twilio books as usage; a negative one takes money off the bill.',
    ]);
    expect(plainText(credits?.paragraphs[0] ?? [])).to.contain(`charges of [${d('1125.5')}] less [${d('25')}] is [${d('1100.5')}]`);
  });

  it('charts every month of the period, with a row per month, a column per product and exact totals', () => {
    const chart = chartOf(buildReportPage(sampleData(), NOW), 'months');
    expect(chart.series).to.deep.equal(['Messaging', 'Other', 'Account']);
    expect(chart.table.columns.map(({ title }) => title)).to.deep.equal(['Month', 'Messaging', 'Other', 'Account', 'Total']);
    expect(rowsOf(chart.table)).to.deep.equal({
      '2026-09': ['Sep 2026', d('300'), 0n, 0n, d('300')],
      '2026-10': ['Oct 2026', d('500'), d('325.5'), d('-25'), d('800.5')],
      total: ['Total', d('800'), d('325.5'), d('-25'), d('1100.5')],
    });
    expect(chart.plot.kind === 'columns' && chart.plot.points.length).to.equal(6);
    expect(chart.plot.kind === 'columns' && chart.plot.markers).to.deep.equal([]);
  });

  it('charts the last 90 days of a longer period, and every day of a shorter one', () => {
    const long = chartOf(buildReportPage(sampleData({ period: { from: '2026-01-01', to: '2026-10-31' } }), NOW), 'days');
    expect(long.title).to.equal('Spend by product and day, the last 90 days (USD)');
    expect(long.table.rows.map(({ key }) => key)).to.have.length(90);
    expect(long.table.rows[0]?.key).to.equal('2026-08-03');
    expect(rowsOf(long.table)['2026-10-31']).to.deep.equal(['31 Oct 2026', d('300'), d('325.5'), d('-25'), d('600.5')]);
    const short = chartOf(buildReportPage(sampleData({ period: { from: '2026-10-30', to: '2026-10-31' } }), NOW), 'days');
    expect(short.table.rows.map(({ key }) => key)).to.deep.equal(['2026-10-30', '2026-10-31']);
    expect(short.table.collapsed).to.equal(true);
  });

  it('gives ten products their own colour at most, keeps a product of credits visible, and names what the rest hold', () => {
    const products = Array.from({ length: 12 }, (_, index) => ({ product: `P${index}`, spend: d(String(1000 - index)), credits: 0n }));
    products.push({ product: 'Account', spend: d('-5'), credits: d('-5') });
    const monthly = products.map(({ product, spend }) => ({ at: '2026-10', product, spend }));
    const page = buildReportPage(sampleData({ products, monthly, period: { from: '2026-10-01', to: '2026-10-31' } }), NOW);
    const chart = chartOf(page, 'months');
    expect(chart.series).to.deep.equal(['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'Account', '4 smaller products']);
    expect(chart.muted).to.equal('4 smaller products');
    // The shared column is the exact sum of the products it holds.
    expect(rowsOf(chart.table)['2026-10']?.[10]).to.equal(d('992') + d('991') + d('990') + d('989'));
    expect(sectionOf(page, 'months').paragraphs.map(plainText)).to.include('4 smaller products: P8, P9, P10, P11.');
  });

  it('shows spend per account, and subaccounts:unattributed apart with what it is in one sentence', () => {
    const page = buildReportPage(sampleData(), NOW);
    const chart = chartOf(page, 'accounts');
    expect(rowsOf(chart.table)).to.deep.equal({
      [MAIN]: ['Alice Telecom', MAIN, 'Main account', d('700'), '63.6 %'],
      [SUB]: ['Support', SUB, 'Subaccount (suspended)', d('300'), '27.3 %'],
      'subaccounts:unattributed': ['Subaccounts not read on their own', 'subaccounts:unattributed', 'On the main account', d('100.5'), '9.1 %'],
      total: ['Total', '', '', d('1100.5'), '100.0 %'],
    });
    expect(chart.plot.kind === 'bars' && chart.plot.bars.map(({ label, series }) => [label, series])).to.deep.equal([
      ['Alice Telecom', 'Main account'],
      ['Support', 'Subaccount'],
      ['Subaccounts not read on their own', 'Subaccounts not read on their own'],
    ]);
    expect(sectionOf(page, 'accounts').paragraphs.map(plainText)).to.include(`subaccounts:unattributed: ${UNREAD_SUBACCOUNTS_MEANING}`);
    expect(UNREAD_SUBACCOUNTS_MEANING.split('. ')).to.have.length(1);
  });

  it('tells apart two accounts with one name by their SIDs, so each has its own bar', () => {
    const accounts = [
      { sid: MAIN, friendlyName: 'Alice Telecom', status: 'active', isMain: true },
      { sid: SUB, friendlyName: 'Alice Telecom', status: 'active', isMain: false },
    ];
    const chart = chartOf(buildReportPage(sampleData({ accounts }), NOW), 'accounts');
    expect(chart.plot.kind === 'bars' && chart.plot.bars.map(({ label }) => label)).to.deep.equal([`Alice Telecom (${MAIN})`, `Alice Telecom (${SUB})`, 'Subaccounts not read on their own']);
  });

  it('names an account by its SID when the file has no accounts table', () => {
    const rows = rowsOf(chartOf(buildReportPage(sampleData({ accounts: [] }), NOW), 'accounts').table);
    expect(rows[SUB]?.slice(0, 2)).to.deep.equal([SUB, SUB]);
  });

  it('lists the top categories with parent, product and placement, and every residual apart with what it means', () => {
    const page = buildReportPage(sampleData(), NOW);
    const top = rowsOf(tableOf(page, 'categories'));
    expect(Object.keys(top)).to.deep.equal(['sms-outbound', 'quantum-relay', 'min-spend-adjustments']);
    expect(top['sms-outbound']).to.deep.equal(['sms-outbound', 'sms', 'Messaging', 'curated, numbers', '3', d('800'), '72.7 %']);
    expect(top['quantum-relay']?.[1]).to.equal('(top level)');
    const residuals = rowsOf(tableOf(page, 'residuals'));
    expect(Object.keys(residuals)).to.deep.equal(['subaccounts:unattributed', 'unattributed', 'total']);
    expect(residuals.unattributed?.slice(0, 5)).to.deep.equal(['unattributed', 'Other', '2 accounts', '3', d('25')]);
    expect(String(residuals.unattributed?.[5])).to.contain('no usage category reports');
    expect(residuals.total?.[4]).to.equal(d('125.5'));
  });

  it('explains a rollup residual by its rollup', () => {
    const categories = [category({ category: 'calls:unattributed', product: 'Voice', spend: d('4'), isUnattributed: true })];
    const rows = rowsOf(tableOf(buildReportPage(sampleData({ categories }), NOW), 'residuals'));
    expect(String(rows['calls:unattributed']?.[5])).to.match(/^Part of calls that none of its sub-categories explains/);
  });

  it('says there is nothing to list when the period has no residual, no negative line and no spike', () => {
    const page = buildReportPage(sampleData({ categories: [category({ category: 'sms-outbound', product: 'Messaging', spend: d('800') })], daily: [] }), NOW);
    expect(sectionOf(page, 'residuals').paragraphs.map(plainText)).to.deep.equal(['None: every amount in the period is explained by a category.']);
    expect(sectionOf(page, 'credits').paragraphs.map(plainText)).to.deep.equal(['None: no line in the period is negative.']);
    expect(sectionOf(page, 'spikes').paragraphs.map(plainText)).to.include('No spikes in the period.');
  });

  it('lists spikes with day, product, spend, usual level and the month before', () => {
    const daily = eachDay({ from: '2026-09-01', to: '2026-10-31' }).map((day) => ({ at: day, product: 'Messaging', spend: d(day === '2026-10-11' ? '500' : '10') }));
    const page = buildReportPage(sampleData({ daily, fileRange: { from: '2026-09-01', to: '2026-10-31' } }), NOW);
    const spikes = rowsOf(tableOf(page, 'spikes'));
    expect(spikes).to.deep.equal({ '2026-10-11|Messaging': ['11 Oct 2026', 'Messaging', d('500'), d('10'), d('10'), '50.00×'] });
    // The daily chart points at the day, above its column.
    const days = chartOf(page, 'days');
    expect(days.plot.kind === 'columns' && days.plot.markers).to.deep.equal([{ x: '2026-10-11', label: 'Messaging', top: d('500') }]);
    expect(days.summary).to.contain('One day is marked ▼ with the product that spiked (see Spikes).');
    expect(sectionOf(page, 'spikes').paragraphs.map(plainText)).to.include('Days before 15 Sep 2026 are not judged: the file holds fewer than 14 days before them.');
  });
});
