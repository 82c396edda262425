import { expect } from 'chai';

import { parseDecimal } from '../../../source-twilio-costs/money';
import { renderHtml } from '../../../source-twilio-costs/report/html';
import type { ReportPage, Table } from '../../../source-twilio-costs/report/page';

const table = (overrides: Partial<Table>): Table => ({
  id: 'products',
  caption: 'Spend by product (USD)',
  columns: [
    { title: 'Product', numeric: false },
    { title: 'Spend (USD)', numeric: true },
  ],
  rows: [
    { key: 'Messaging', cells: [{ text: 'Messaging' }, { amount: parseDecimal('1234.5') }] },
    { key: 'A<b>&"c\'', cells: [{ text: 'A<b>&"c\'' }, { amount: parseDecimal('-0.000000001') }] },
  ],
  total: { key: 'total', cells: [{ text: 'Total' }, { amount: parseDecimal('1234.499999999') }] },
  collapsed: false,
  ...overrides,
});

const page: ReportPage = {
  title: 'Twilio spend of <Alice>',
  subtitle: 'Amounts in USD',
  currency: 'USD',
  sections: [
    {
      id: 'summary',
      title: 'Summary',
      paragraphs: [['Charges of ', { amount: parseDecimal('82342.33373') }, ' in ', { code: 'usage_costs' }, ', ', { strong: 'exactly' }, '.']],
      figures: [{ id: 'spend', label: 'Spend in the period', amount: parseDecimal('80637.72871'), detail: ['Σ usage_costs.'] }],
      charts: [
        {
          id: 'days',
          title: 'Spend by day (USD)',
          summary: 'Daily spend & more',
          currency: 'USD',
          series: ['Messaging'],
          legend: ['Messaging'],
          legendTitle: 'Product',
          muted: undefined,
          plot: { kind: 'columns', time: 'day', xTitle: 'Day (UTC)', points: [], markers: [] },
          table: table({ id: 'days', collapsed: true }),
        },
      ],
      tables: [table({})],
    },
  ],
};

describe('report: the HTML page', () => {
  const html = renderHtml(page, new Map([['days', '<svg class="marks"><rect/></svg>']]));

  it('is one document that forbids every request and loads nothing: no script, no link, no URL', () => {
    expect(html).to.match(/^<!doctype html>\n<html lang="en">/);
    expect(html).to.contain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).to.not.match(/<script|<link|<iframe|<img|\bsrc=|url\(|@import/i);
    for (const [, target] of html.matchAll(/href="([^"]*)"/g)) expect(target).to.match(/^#/);
  });

  it('writes every amount as its exact decimal for machines and grouped for people, the digits below a cent set apart', () => {
    expect(html).to.contain('<data value="1234.5">1,234.50<span class="fine">000</span></data>');
    expect(html).to.contain('<data value="-0.000000001">-0.00<span class="fine">0000001</span></data>');
    expect(html).to.contain('<p class="amount" data-figure="spend"><data value="80637.72871">80,637.72<span class="fine">871</span>\u00a0USD</data></p>');
    // In a sentence, an amount carries its currency and only the decimals it has.
    expect(html).to.contain('Charges of <data value="82342.33373">82,342.33<span class="fine">373</span>\u00a0USD</data> in <code>usage_costs</code>, <strong>exactly</strong>.');
  });

  it('escapes text, marks each table and row for machines, and folds a long table away', () => {
    expect(html).to.contain('<title>Twilio spend of &lt;Alice&gt;</title>');
    expect(html).to.contain('<tr data-key="A&lt;b&gt;&amp;&quot;c&#39;"><th scope="row">A&lt;b&gt;&amp;&quot;c&#39;</th>');
    expect(html.match(/<table data-table="products"/g)).to.have.length(1);
    expect(html).to.match(/<details><summary>Show the table: Spend by product \(USD\)<\/summary><div class="table-wrap"><table data-table="days"/);
    expect(html).to.contain('<tfoot><tr data-key="total"><th scope="row">Total</th>');
  });

  it('puts each chart in a figure described by its text alternative, with its SVG inline', () => {
    expect(html).to.contain(
      '<figure class="chart" id="chart-days" data-chart="days" aria-describedby="chart-days-summary"><svg class="marks"><rect/></svg><figcaption id="chart-days-summary">Daily spend &amp; more</figcaption></figure>',
    );
  });
});
