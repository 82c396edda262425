/**
 * The page model as one self-contained HTML file: inline CSS, the charts' SVG inline, no script, no
 * font file, no link. A Content-Security-Policy forbids every request, so the page works offline and
 * cannot call anywhere even if a browser tried.
 *
 * Every amount is a `<data value="…">` element whose value is the exact decimal, so the numbers can
 * be read back by a machine (the tests do) exactly as they are shown.
 */
import { formatDecimal } from '../money';
import { formatAmount, TWILIO_DECIMALS } from './format';
import type { Cell, Chart, Figure, Inline, Paragraph, ReportPage, Section, Table, TableRow } from './page';

/** Tables with more columns than this (a month per row, a product per column) are set tighter to fit the page. */
const DENSE_COLUMNS = 8;

const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --tint: #f5f6f8; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 40px 0 8px; padding-top: 16px; border-top: 1px solid var(--rule); }
.subtitle { color: var(--muted); margin: 0 0 8px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 8px 0 0; font-size: 14px; }
a { color: var(--accent); }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--tint); padding: 0 3px; border-radius: 3px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; margin: 16px 0; }
.figure { border: 1px solid var(--rule); border-radius: 8px; padding: 14px 16px; background: var(--tint); }
.figure h3 { font-size: 14px; font-weight: 600; color: var(--muted); margin: 0; }
.figure .amount { font-size: 24px; font-weight: 650; margin: 2px 0 6px; font-variant-numeric: tabular-nums; }
.figure p { margin: 0; font-size: 14px; }
figure.chart { margin: 16px 0; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 14px; margin-top: 4px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 12.5px; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
tfoot th, tfoot td { border-top: 2px solid var(--ink); font-weight: 600; }
.fine { color: #8a8f98; }
.figure .fine { font-size: 0.7em; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
tbody th { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
table.dense { font-size: 12px; }
table.dense th, table.dense td { padding: 3px 4px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure.chart, .figure, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; }
}
`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);

/**
 * An exact amount, with its exact decimal as the machine-readable value. The digits below a cent are
 * set lighter: every one is there, but the eye reads the cents.
 */
function amountHtml(value: bigint, minimumDecimals: number, suffix = ''): string {
  const text = formatAmount(value, minimumDecimals);
  const cents = text.indexOf('.') + 3;
  const fine = text.slice(cents);
  return `<data value="${formatDecimal(value)}">${escape(text.slice(0, cents))}${fine ? `<span class="fine">${escape(fine)}</span>` : ''}${suffix}</data>`;
}

function inlineHtml(part: Inline, currency: string): string {
  if (typeof part === 'string') return escape(part);
  if ('amount' in part) return amountHtml(part.amount, 2, `\u00a0${escape(currency)}`);
  if ('code' in part) return `<code>${escape(part.code)}</code>`;
  return `<strong>${escape(part.strong)}</strong>`;
}

const paragraphHtml = (paragraph: Paragraph, currency: string): string => paragraph.map((part) => inlineHtml(part, currency)).join('');

function cellHtml(cell: Cell, header: boolean, numeric: boolean): string {
  const tag = header ? 'th' : 'td';
  const scope = header ? ' scope="row"' : '';
  const className = numeric ? ' class="num"' : '';
  if ('amount' in cell) return `<${tag}${scope}${className}>${amountHtml(cell.amount, TWILIO_DECIMALS)}</${tag}>`;
  if ('code' in cell) return `<${tag}${scope}${className}><code>${escape(cell.code)}</code></${tag}>`;
  return `<${tag}${scope}${className}>${escape(cell.text)}</${tag}>`;
}

function rowHtml(row: TableRow, table: Table): string {
  const cells = row.cells.map((cell, index) => cellHtml(cell, index === 0, table.columns[index]?.numeric ?? false)).join('');
  return `<tr data-key="${escape(row.key)}">${cells}</tr>`;
}

function tableHtml(table: Table): string {
  const head = table.columns.map((column) => `<th scope="col"${column.numeric ? ' class="num"' : ''}>${escape(column.title)}</th>`).join('');
  const body = table.rows.map((row) => rowHtml(row, table)).join('\n');
  const foot = table.total ? `<tfoot>${rowHtml(table.total, table)}</tfoot>` : '';
  const dense = table.columns.length > DENSE_COLUMNS ? ' class="dense"' : '';
  const html = `<div class="table-wrap"><table data-table="${escape(table.id)}"${dense}><caption>${escape(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`;
  return table.collapsed ? `<details><summary>Show the table: ${escape(table.caption)}</summary>${html}</details>` : html;
}

function figureHtml(figure: Figure, currency: string): string {
  const amount = figure.amount === undefined ? '' : `<p class="amount" data-figure="${escape(figure.id)}">${amountHtml(figure.amount, TWILIO_DECIMALS, `\u00a0${escape(currency)}`)}</p>`;
  return `<div class="figure" id="figure-${escape(figure.id)}"><h3>${escape(figure.label)}</h3>${amount}<p>${paragraphHtml(figure.detail, currency)}</p></div>`;
}

function chartHtml(chart: Chart, svg: string): string {
  const id = `chart-${chart.id}`;
  return `<figure class="chart" id="${escape(id)}" data-chart="${escape(chart.id)}" aria-describedby="${escape(id)}-summary">${svg}<figcaption id="${escape(id)}-summary">${escape(chart.summary)}</figcaption></figure>\n${tableHtml(chart.table)}`;
}

function sectionHtml(section: Section, currency: string, svgs: ReadonlyMap<string, string>): string {
  const parts = [
    `<h2 id="${escape(section.id)}-title">${escape(section.title)}</h2>`,
    ...section.paragraphs.map((paragraph) => `<p>${paragraphHtml(paragraph, currency)}</p>`),
    section.figures.length > 0 ? `<div class="figures">${section.figures.map((figure) => figureHtml(figure, currency)).join('')}</div>` : '',
    ...section.charts.map((chart) => chartHtml(chart, svgs.get(chart.id) ?? '')),
    ...section.tables.map(tableHtml),
  ];
  return `<section id="${escape(section.id)}" aria-labelledby="${escape(section.id)}-title">\n${parts.filter(Boolean).join('\n')}\n</section>`;
}

/** The whole file, with each chart's SVG (by chart id). */
export function renderHtml(page: ReportPage, svgs: ReadonlyMap<string, string>): string {
  const contents = page.sections.map((section) => `<li><a href="#${escape(section.id)}">${escape(section.title)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="source-twilio-costs report">
<title>${escape(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escape(page.title)}</h1>
<p class="subtitle">${escape(page.subtitle)}</p>
<nav aria-label="Sections"><ol>${contents}</ol></nav>
</header>
${page.sections.map((section) => sectionHtml(section, page.currency, svgs)).join('\n')}
</main>
</body>
</html>
`;
}
