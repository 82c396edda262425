/**
 * The report's charts as SVG, drawn by Vega-Lite (compiled to Vega, rendered headless with
 * `View.toSVG()`: no browser, no canvas). The specs are declarative: data, marks and encodings; Vega
 * draws the axes, legends and ARIA labels. Vega and Vega-Lite are optional dependencies (the Airbyte
 * image leaves them out), loaded only here, and only by `report`.
 *
 * Amounts become floats here, for the geometry alone: every number a reader sees as a figure comes
 * from the exact Decimals, as text.
 */
import type { TopLevelSpec } from 'vega-lite';

import { type Decimal, formatDecimal } from '../money';
import { importOptionalPackage } from '../optional-package';
import { ReportError } from './errors';
import { formatAmount, formatMonth } from './format';
import type { BarPlot, Chart, ColumnPlot } from './page';

type Vega = typeof import('vega');
/** Vega-Lite's colour channel, as its types define it (they export the spec's type, not the channel's). */
type ColourChannel = NonNullable<Extract<TopLevelSpec, { mark: unknown }>['encoding']>['color'];
type VegaLite = typeof import('vega-lite');

const FONT = 'Helvetica, Arial, sans-serif';
/** Ten distinct colours (Tableau 10 with a cyan for its grey, which is kept for a remainder: see Chart.muted). */
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#17becf'];
const MUTED = '#bab0ac';
/**
 * Vega measures text without a browser by a rough estimate (wider than most fonts draw it), so labels
 * get generous limits lest category names be cut short.
 */
const LABEL_LIMIT = 600;
const COLUMN_CHART_WIDTH = 760;
const COLUMN_CHART_HEIGHT = 300;
const BAR_CHART_WIDTH = 520;
const BAR_HEIGHT = 22;
/** Room to the right of the longest bar (and left of the most negative) for its amount. */
const LABEL_ROOM = 1.3;

/** The geometry's float for an exact amount: the closest double to its decimal text. */
const geometry = (amount: Decimal): number => Number(formatDecimal(amount));

/** Axis labels: whole units once amounts reach tens, cents below. */
function axisFormat(amounts: readonly number[]): string {
  const largest = Math.max(0, ...amounts.map(Math.abs));
  return largest >= 20 ? ',.0f' : ',.2~f';
}

/** What every chart shares: its title and text alternative, the colours of its series and the look. */
function common(chart: Chart): Pick<TopLevelSpec, 'title' | 'description' | 'config' | 'background'> {
  return {
    title: { text: chart.title, anchor: 'start', fontSize: 14, offset: 12 },
    description: chart.summary,
    background: 'white',
    config: {
      font: FONT,
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e5e5e5' },
      legend: { labelFontSize: 11, titleFontSize: 12 },
    },
  };
}

function colour(chart: Chart): ColourChannel {
  let next = 0;
  const range = chart.series.map((series) => (series === chart.muted ? MUTED : (PALETTE[next++ % PALETTE.length] as string)));
  return {
    field: 'series',
    type: 'nominal',
    title: chart.legendTitle,
    // The same series list in every chart of a kind, so a product keeps its colour from chart to chart.
    scale: { domain: [...chart.series], range },
    legend: { values: [...chart.legend], orient: 'bottom', direction: 'horizontal', columns: 4, symbolType: 'square', labelLimit: LABEL_LIMIT },
  };
}

/** A spike's mark above its column: a red triangle pointing down, and the product's name above it. */
const MARKER_COLOUR = '#c0392b';

function columnSpec(chart: Chart, plot: ColumnPlot): TopLevelSpec {
  const values = plot.points.map((point) => ({ x: plot.time === 'month' ? formatMonth(point.x) : point.x, series: point.series, amount: geometry(point.amount), rank: chart.series.indexOf(point.series) }));
  const x =
    plot.time === 'month'
      ? ({ field: 'x', type: 'ordinal', title: plot.xTitle, sort: null, axis: { labelAngle: 0 } } as const)
      : ({ field: 'x', type: 'temporal', timeUnit: 'utcyearmonthdate', title: plot.xTitle, axis: { format: '%-d %b', labelAngle: 0, tickCount: 'week', gridColor: '#f0f0f0' } } as const);
  const y = { field: 'amount', type: 'quantitative', title: `Spend (${chart.currency})`, axis: { format: axisFormat(values.map(({ amount }) => amount)) }, stack: 'zero' } as const;
  const columns = { mark: { type: 'bar' }, encoding: { x, y, color: colour(chart), order: { field: 'rank', type: 'quantitative' } } } as const;
  const base = { ...common(chart), width: COLUMN_CHART_WIDTH, height: COLUMN_CHART_HEIGHT, data: { values } };
  if (plot.markers.length === 0) return { ...base, ...columns };
  const markers = { values: plot.markers.map((marker) => ({ x: marker.x, amount: geometry(marker.top), label: marker.label })) };
  const at = { x, y: { field: 'amount', type: 'quantitative' } } as const;
  return {
    ...base,
    layer: [
      columns,
      { data: markers, mark: { type: 'point', shape: 'triangle-down', filled: true, size: 70, color: MARKER_COLOUR, yOffset: -8 }, encoding: at },
      { data: markers, mark: { type: 'text', fontSize: 10, fontWeight: 'bold', color: MARKER_COLOUR, dy: -20 }, encoding: { ...at, text: { field: 'label' } } },
    ],
  };
}

function barSpec(chart: Chart, plot: BarPlot): TopLevelSpec {
  const values = plot.bars.map((bar) => ({ label: bar.label, series: bar.series, amount: geometry(bar.amount), text: formatAmount(bar.amount) }));
  const amounts = values.map(({ amount }) => amount);
  const domain = [Math.min(0, ...amounts) * LABEL_ROOM, Math.max(0, ...amounts) * LABEL_ROOM];
  return {
    ...common(chart),
    width: BAR_CHART_WIDTH,
    height: { step: BAR_HEIGHT },
    data: { values },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: LABEL_LIMIT } },
      x: { field: 'amount', type: 'quantitative', title: `Spend (${chart.currency})`, scale: { domain }, axis: { format: axisFormat(amounts) } },
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { color: colour(chart) } },
      {
        mark: { type: 'text', baseline: 'middle', fontSize: 10, align: { expr: "datum.amount < 0 ? 'right' : 'left'" }, dx: { expr: 'datum.amount < 0 ? -4 : 4' } },
        encoding: { text: { field: 'text' } },
      },
    ],
  };
}

export class ChartRenderer {
  private constructor(
    private readonly vega: Vega,
    private readonly vegaLite: VegaLite,
  ) {}

  /** Loads Vega and Vega-Lite, or says how to install them. */
  static async load(): Promise<ChartRenderer> {
    const missing = (message: string): ReportError => new ReportError(message);
    const vega = await importOptionalPackage(() => import('vega'), 'report', 'vega', missing);
    const vegaLite = await importOptionalPackage(() => import('vega-lite'), 'report', 'vega-lite', missing);
    return new ChartRenderer(vega, vegaLite);
  }

  /** The Vega-Lite spec of a chart (what `svg` draws). */
  spec(chart: Chart): TopLevelSpec {
    return chart.plot.kind === 'columns' ? columnSpec(chart, chart.plot) : barSpec(chart, chart.plot);
  }

  /** The chart as one SVG element. */
  async svg(chart: Chart): Promise<string> {
    const compiled = this.vegaLite.compile(this.spec(chart)).spec;
    const view = new this.vega.View(this.vega.parse(compiled), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  }
}
