import { expect } from 'chai';

import { parseDecimal } from '../../../source-twilio-costs/money';
import { ChartRenderer } from '../../../source-twilio-costs/report/charts';
import type { Chart } from '../../../source-twilio-costs/report/page';

const table = { id: 't', caption: 't', columns: [], rows: [], collapsed: false };

const months: Chart = {
  id: 'months',
  title: 'Spend by product and month (EUR)',
  summary: 'Monthly spend, highest in October.',
  currency: 'EUR',
  series: ['Messaging', 'Voice', 'Account', '3 smaller products'],
  legend: ['Messaging', 'Voice', 'Account', '3 smaller products'],
  legendTitle: 'Product',
  muted: '3 smaller products',
  plot: {
    kind: 'columns',
    time: 'month',
    xTitle: 'Month',
    points: [
      { x: '2026-09', series: 'Messaging', amount: parseDecimal('1200.5') },
      { x: '2026-09', series: 'Voice', amount: parseDecimal('300') },
      { x: '2026-10', series: 'Messaging', amount: parseDecimal('1500') },
      { x: '2026-10', series: 'Account', amount: parseDecimal('-80') },
      { x: '2026-10', series: '3 smaller products', amount: parseDecimal('42') },
    ],
    markers: [],
  },
  table,
};

const categories: Chart = {
  ...months,
  id: 'categories',
  title: 'Top categories (EUR)',
  legend: ['Voice'],
  plot: { kind: 'bars', bars: [{ label: 'calls-outbound-with-a-long-name-that-is-kept-whole', series: 'Voice', amount: parseDecimal('300.12345') }] },
};

const colourOf = (svg: string, series: string): string | undefined => new RegExp(`aria-label="[^"]*(?:series|Product): ${series}[^"]*"[^>]*fill="(#[0-9a-f]{6})"`).exec(svg)?.[1];

describe('report: charts drawn by Vega-Lite, without a browser', function () {
  // Loading Vega takes a moment on a busy machine.
  this.timeout(20_000);
  let renderer: ChartRenderer;
  before(async () => {
    renderer = await ChartRenderer.load();
  });

  it('draws stacked columns as SVG, with its title, axes titled with the currency, a legend and a bar per amount', async () => {
    const svg = await renderer.svg(months);
    expect(svg).to.match(/^<svg [^>]*viewBox=/);
    expect(svg).to.contain('>Spend by product and month (EUR)</text>');
    expect(svg).to.contain('>Spend (EUR)</text>');
    expect(svg).to.contain('>Month</text>');
    for (const label of ['Sep 2026', 'Oct 2026', 'Product', 'Messaging', 'Account', '3 smaller products']) expect(svg).to.contain(`>${label}</text>`);
    expect(svg.match(/aria-roledescription="bar"/g)).to.have.length(months.plot.kind === 'columns' ? months.plot.points.length : 0);
    expect(svg).to.contain("aria-label=\"X-axis titled 'Month'");
  });

  it('keeps a product in the same colour from chart to chart, and draws the remainder grey', async () => {
    const [columns, bars] = await Promise.all([renderer.svg(months), renderer.svg(categories)]);
    expect(colourOf(columns, 'Voice')).to.equal('#f58518');
    expect(colourOf(bars, 'Voice')).to.equal('#f58518');
    expect(colourOf(columns, '3 smaller products')).to.equal('#bab0ac');
    expect(colourOf(columns, 'Account')).to.equal('#e45756');
  });

  it('draws bars labelled with their exact amounts and their names uncut', async () => {
    const svg = await renderer.svg(categories);
    expect(svg).to.contain('>300.12345</text>');
    expect(svg).to.contain('>calls-outbound-with-a-long-name-that-is-kept-whole</text>');
    expect(renderer.spec(categories)).to.deep.include({ description: months.summary });
  });

  it('draws days on a time axis, with a marker and its label above a day that spiked', async () => {
    const points = [
      { x: '2026-10-01', series: 'Voice', amount: parseDecimal('5') },
      { x: '2026-10-02', series: 'Voice', amount: parseDecimal('70') },
    ];
    const days: Chart = { ...months, plot: { kind: 'columns', time: 'day', xTitle: 'Day (UTC)', points, markers: [{ x: '2026-10-02', top: parseDecimal('70'), label: 'Voice' }] } };
    const svg = await renderer.svg(days);
    expect(svg).to.contain('>Day (UTC)</text>');
    expect(svg.match(/aria-roledescription="bar"/g)).to.have.length(2);
    expect(svg.match(/aria-roledescription="point"/g)).to.have.length(1);
    expect(svg).to.match(/aria-roledescription="text mark"[^>]*>Voice<\/text>/);
  });
});
