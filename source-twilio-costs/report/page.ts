/**
 * The report as a page model: sections of sentences, headline figures, charts and tables, built from
 * what the queries read. Pure: no I/O, no HTML and no chart library here, so every sentence and
 * number can be tested alone. Amounts stay Decimals until the page is written.
 */
import path from 'node:path';

import { addDays, eachDay, maxDay, monthWindows } from '../dates';
import { type Decimal, sumDecimals } from '../money';
import { negativeLineMeaning, PLACEMENT_MEANINGS, residualMeaning, UNREAD_SUBACCOUNTS_MEANING } from './explanations';
import { formatAmount, formatCount, formatDay, formatMonth, formatMultiple, formatShare } from './format';
import { type CategorySpend, type ProductAmount, type ReportData, UNREAD_SUBACCOUNTS_CATEGORY } from './queries';
import { findSpikes, SPIKE_RULE, type SpikeSearch } from './spikes';

/** A run of text: plain, an exact amount in the report's currency, a name set as code, or emphasis. */
export type Inline = string | { amount: Decimal } | { code: string } | { strong: string };
export type Paragraph = readonly Inline[];

export type Cell = { text: string } | { code: string } | { amount: Decimal };

/** A table row; its first cell names the row, and `key` names it for machines (a month, a SID, a category). */
export interface TableRow {
  key: string;
  cells: readonly Cell[];
}

export interface Table {
  id: string;
  caption: string;
  columns: ReadonlyArray<{ title: string; numeric: boolean }>;
  rows: readonly TableRow[];
  total?: TableRow;
  /** Long tables fold away behind their caption. */
  collapsed: boolean;
}

/** Stacked columns over months or days: one stack per x, one segment per series. */
export interface ColumnPlot {
  kind: 'columns';
  time: 'month' | 'day';
  xTitle: string;
  /** x is "YYYY-MM" or "YYYY-MM-DD". */
  points: ReadonlyArray<{ x: string; series: string; amount: Decimal }>;
  /** Columns to point at (the days with spikes), above the top of their stack, with a label. */
  markers: ReadonlyArray<{ x: string; top: Decimal; label: string }>;
}

/** Horizontal bars, one per label, in the given order. */
export interface BarPlot {
  kind: 'bars';
  bars: ReadonlyArray<{ label: string; series: string; amount: Decimal }>;
}

export interface Chart {
  id: string;
  title: string;
  /** The chart's text alternative: what a reader would see in it, in a sentence or two. */
  summary: string;
  currency: string;
  /** Every series the charts colour, in order: the same list gives a product the same colour in every chart. */
  series: readonly string[];
  /** The series this chart's legend shows, and its title. */
  legend: readonly string[];
  legendTitle: string;
  /** A series that is a remainder rather than a thing of its own (smaller products grouped, subaccounts not read), drawn in grey. */
  muted: string | undefined;
  plot: ColumnPlot | BarPlot;
  /** The chart's numbers, exact. */
  table: Table;
}

/** A headline number with what it means. */
export interface Figure {
  id: string;
  label: string;
  amount: Decimal | undefined;
  detail: Paragraph;
}

export interface Section {
  id: string;
  title: string;
  paragraphs: readonly Paragraph[];
  figures: readonly Figure[];
  charts: readonly Chart[];
  tables: readonly Table[];
}

export interface ReportPage {
  title: string;
  subtitle: string;
  currency: string;
  sections: readonly Section[];
}

/** Products drawn in their own colour; the rest share one, so the legend stays readable. */
const MAX_SERIES = 10;
const DAYS_CHARTED = 90;
const TOP_CATEGORIES = 15;
const SPIKES_LISTED = 30;

/** How the products are drawn: their own series, or one shared by the smaller ones. */
interface ProductSeries {
  names: readonly string[];
  of: (product: string) => string;
  /** The products the shared series holds, if any, and its name. */
  grouped: readonly string[];
  shared: string | undefined;
}

function productSeries(data: ReportData): ProductSeries {
  const products = data.products.map(({ product }) => product);
  if (products.length <= MAX_SERIES) return { names: products, of: (product) => product, grouped: [], shared: undefined };
  // Credits stay visible below the axis: a product that nets negative keeps its own colour.
  const own = new Set(data.products.filter(({ spend }) => spend < 0n).map(({ product }) => product));
  for (const product of products) if (own.size < MAX_SERIES - 1) own.add(product);
  const grouped = products.filter((product) => !own.has(product));
  const shared = `${grouped.length} smaller products`;
  return { names: [...products.filter((product) => own.has(product)), shared], of: (product) => (own.has(product) ? product : shared), grouped, shared };
}

const amountCell = (amount: Decimal): Cell => ({ amount });
const textCell = (text: string): Cell => ({ text });
const numeric = (title: string): { title: string; numeric: boolean } => ({ title, numeric: true });
const label = (title: string): { title: string; numeric: boolean } => ({ title, numeric: false });

/** Sums amounts per x and series, in the order the xs come. */
function grid(amounts: readonly ProductAmount[], series: ProductSeries): Map<string, Map<string, Decimal>> {
  const byX = new Map<string, Map<string, Decimal>>();
  for (const { at, product, spend } of amounts) {
    const row = byX.get(at) ?? new Map<string, Decimal>();
    const name = series.of(product);
    row.set(name, (row.get(name) ?? 0n) + spend);
    byX.set(at, row);
  }
  return byX;
}

/** A chart of stacked columns and the table of its numbers: one row per x, one column per series, and totals. */
function columnChart(options: {
  id: string;
  title: string;
  summary: string;
  data: ReportData;
  series: ProductSeries;
  time: 'month' | 'day';
  xs: readonly string[];
  amounts: readonly ProductAmount[];
  /** The xs to point at, with what to say there. */
  markers: ReadonlyMap<string, string>;
  collapsed: boolean;
}): Chart {
  const { series, time, xs } = options;
  const cells = grid(options.amounts, series);
  const xLabel = time === 'month' ? formatMonth : formatDay;
  const rows = xs.map((x): TableRow => {
    const row = cells.get(x);
    const values = series.names.map((name) => row?.get(name) ?? 0n);
    return { key: x, cells: [textCell(xLabel(x)), ...values.map(amountCell), amountCell(sumDecimals(values))] };
  });
  const columnTotals = series.names.map((name) => sumDecimals(xs.map((x) => cells.get(x)?.get(name) ?? 0n)));
  return {
    id: options.id,
    title: options.title,
    summary: options.summary,
    currency: options.data.currency,
    series: series.names,
    legend: series.names,
    legendTitle: 'Product',
    muted: series.shared,
    plot: {
      kind: 'columns',
      time,
      xTitle: time === 'month' ? 'Month' : 'Day (UTC)',
      points: xs.flatMap((x) => series.names.map((name) => ({ x, series: name, amount: cells.get(x)?.get(name) ?? 0n }))),
      markers: [...options.markers].map(([x, text]) => ({ x, label: text, top: sumDecimals([...(cells.get(x)?.values() ?? [])].filter((amount) => amount > 0n)) })),
    },
    table: {
      id: options.id,
      caption: `${options.title}: the chart's numbers (${options.data.currency})`,
      columns: [label(time === 'month' ? 'Month' : 'Day'), ...series.names.map(numeric), numeric('Total')],
      rows,
      total: { key: 'total', cells: [textCell('Total'), ...columnTotals.map(amountCell), amountCell(sumDecimals(columnTotals))] },
      collapsed: options.collapsed,
    },
  };
}

const monthsOf = (data: ReportData): string[] => monthWindows(data.period.from, data.period.to).map(({ from }) => from.slice(0, 7));

/** The extremes of a list of (label, amount), for a chart's text alternative. */
function extremes(entries: ReadonlyArray<readonly [string, Decimal]>): { highest: readonly [string, Decimal]; lowest: readonly [string, Decimal] } | undefined {
  if (entries.length === 0) return undefined;
  let highest = entries[0] as readonly [string, Decimal];
  let lowest = highest;
  for (const entry of entries) {
    if (entry[1] > highest[1]) highest = entry;
    if (entry[1] < lowest[1]) lowest = entry;
  }
  return { highest, lowest };
}

const money = (amount: Decimal, currency: string): string => `${formatAmount(amount)} ${currency}`;

/**
 * Each account's name for people: its friendly name, with its SID where two accounts share one (a
 * chart draws one bar per name), or its SID alone when the file has no accounts table.
 */
function accountNames(data: ReportData): Map<string, string> {
  const friendly = new Map(data.accountSpend.map(({ accountSid }) => [accountSid, data.accounts.find(({ sid }) => sid === accountSid)?.friendlyName ?? accountSid]));
  const uses = new Map<string, number>();
  for (const name of friendly.values()) uses.set(name, (uses.get(name) ?? 0) + 1);
  return new Map([...friendly].map(([sid, name]) => [sid, (uses.get(name) ?? 0) > 1 && name !== sid ? `${name} (${sid})` : name]));
}

function mainAccountName(data: ReportData): string | undefined {
  const main = data.accounts.find((account) => account.isMain);
  return main ? (main.friendlyName ?? main.sid) : undefined;
}

function summarySection(data: ReportData): Section {
  const { totals, reconciliation, currency } = data;
  const unread = sumDecimals(data.accountSpend.map(({ unreadSubaccounts }) => unreadSubaccounts));
  const spendDetail: Paragraph =
    totals.credits === 0n
      ? ['Σ usage_costs over the period. No credits or adjustments in it.']
      : ['Σ usage_costs over the period: usage charges of ', { amount: totals.charges }, ' less ', { amount: -totals.credits }, ' of credits and adjustments (see ', { strong: 'Credits and adjustments' }, ').'];
  let bill: Figure;
  if (!reconciliation) {
    bill = {
      id: 'bill',
      label: "Twilio's usage total (totalprice)",
      amount: undefined,
      detail: ['This file has no usage_records, so the spend cannot be held against totalprice here. Sync usage_records too to see it.'],
    };
  } else {
    const adds: Paragraph =
      reconciliation.mismatchCount === 0
        ? [{ strong: 'The spend adds up to it exactly' }, `: on every one of the ${formatCount(reconciliation.accountDays)} account-days, an account's usage_costs rows equal its totalprice`]
        : [
            { strong: `${formatCount(reconciliation.mismatchCount)} of ${formatCount(reconciliation.accountDays)} account-days do not add up` },
            ' (listed below): most likely usage_costs and usage_records were landed by different syncs, or one of them failed part-way. Run sync again',
          ];
    const rest: Paragraph = unread === 0n ? ['.'] : ['; ', { amount: unread }, ' of subaccounts not read on their own makes up the rest of the bill (see ', { strong: 'Spend by account' }, ').'];
    bill = {
      id: 'bill',
      label: "Twilio's usage total (totalprice)",
      amount: reconciliation.totalprice + unread,
      detail: ["The main account's totalprice with its subaccounts, as the Usage Records API reports it. ", ...adds, ...rest],
    };
  }
  const figures: Figure[] = [
    { id: 'spend', label: 'Spend in the period', amount: totals.spend, detail: spendDetail },
    bill,
    {
      id: 'invoice-gap',
      label: 'Not in these figures',
      amount: undefined,
      detail: [
        { strong: 'Flex seats, taxes and some fees.' },
        ' Twilio bills them outside the Usage Records API, so no tool that reads it can see them, and your invoice can be higher than the spend above. That gap is expected: the invoice in the Twilio Console (Billing › Invoices) holds them.',
      ],
    },
  ];
  const tables: Table[] = [];
  if (reconciliation && reconciliation.mismatches.length > 0) {
    tables.push({
      id: 'mismatches',
      caption: `Account-days whose usage_costs rows do not add up to their totalprice${reconciliation.mismatchCount > reconciliation.mismatches.length ? ` (the first ${reconciliation.mismatches.length} of ${formatCount(reconciliation.mismatchCount)})` : ''}`,
      columns: [label('Day'), label('Account'), numeric(`Σ usage_costs (${currency})`), numeric(`totalprice (${currency})`), numeric(`Difference (${currency})`)],
      rows: reconciliation.mismatches.map((mismatch) => ({
        key: `${mismatch.day}|${mismatch.accountSid}`,
        cells: [textCell(mismatch.day), { code: mismatch.accountSid }, amountCell(mismatch.leaves), amountCell(mismatch.totalprice), amountCell(mismatch.leaves - mismatch.totalprice)],
      })),
      collapsed: false,
    });
  }
  return { id: 'summary', title: 'Summary', paragraphs: [], figures, charts: [], tables };
}

function productsSection(data: ReportData): Section {
  const creditCategories = (product: string): string[] => data.categories.filter((category) => category.product === product && category.credits < 0n).map(({ category }) => category);
  const rows = data.products.map((product): TableRow => {
    const names = creditCategories(product.product).join(', ');
    let note = '';
    if (product.spend < 0n) note = `Credits and adjustments (${names}): they lower the bill.`;
    else if (product.credits < 0n) note = `Net of ${formatAmount(-product.credits)} of credits and adjustments (${names}).`;
    return { key: product.product, cells: [textCell(product.product), amountCell(product.spend), textCell(formatShare(product.spend, data.totals.spend)), textCell(note)] };
  });
  return {
    id: 'products',
    title: 'Spend by product',
    paragraphs: [['Each product is the sum of its leaf categories in usage_costs, so nothing is counted twice. A negative line is a credit or an adjustment, netted in.']],
    figures: [],
    charts: [],
    tables: [
      {
        id: 'products',
        caption: `Spend by product, ${formatDay(data.period.from)} to ${formatDay(data.period.to)} (${data.currency})`,
        columns: [label('Product'), numeric(`Spend (${data.currency})`), numeric('Share'), label('Note')],
        rows,
        total: { key: 'total', cells: [textCell('Total'), amountCell(data.totals.spend), textCell(formatShare(data.totals.spend, data.totals.spend)), textCell('')] },
        collapsed: false,
      },
    ],
  };
}

function monthsSection(data: ReportData, series: ProductSeries): Section {
  const months = monthsOf(data);
  const monthTotals = months.map((month) => [formatMonth(month), sumDecimals(data.monthly.filter(({ at }) => at === month).map(({ spend }) => spend))] as const);
  const range = extremes(monthTotals);
  const largest = data.products[0];
  const summary = [
    `Monthly spend by product from ${formatMonth(months[0] ?? '')} to ${formatMonth(months.at(-1) ?? '')}`,
    range ? `: highest in ${range.highest[0]} (${money(range.highest[1], data.currency)}), lowest in ${range.lowest[0]} (${money(range.lowest[1], data.currency)})` : '',
    largest ? `. The largest product is ${largest.product}, with ${money(largest.spend, data.currency)} over the period.` : '.',
  ].join('');
  const partial: string[] = [];
  if (!data.period.from.endsWith('-01')) partial.push(`the first month starts on ${formatDay(data.period.from)}`);
  if (addDays(data.period.to, 1).slice(8) !== '01') partial.push(`the last month ends on ${formatDay(data.period.to)}`);
  const paragraphs: Paragraph[] = partial.length > 0 ? [[`Partial months: ${partial.join(' and ')}.`]] : [];
  if (series.shared) paragraphs.push([`${series.shared}: ${series.grouped.join(', ')}.`]);
  return {
    id: 'months',
    title: 'Spend by product and month',
    paragraphs,
    figures: [],
    charts: [columnChart({ id: 'months', title: `Spend by product and month (${data.currency})`, summary, data, series, time: 'month', xs: months, amounts: data.monthly, markers: new Map(), collapsed: false })],
    tables: [],
  };
}

function daysSection(data: ReportData, series: ProductSeries, spikes: SpikeSearch): Section {
  const from = maxDay(data.period.from, addDays(data.period.to, 1 - DAYS_CHARTED));
  const days = eachDay({ from, to: data.period.to });
  const inWindow = data.daily.filter(({ at }) => at >= from && at <= data.period.to);
  const dayTotals = days.map((day) => [formatDay(day), sumDecimals(inWindow.filter(({ at }) => at === day).map(({ spend }) => spend))] as const);
  const range = extremes(dayTotals);
  // Each day with spikes is pointed at, with the products that spiked.
  const spiked = new Map<string, string[]>();
  for (const spike of spikes.spikes) if (spike.day >= from) spiked.set(spike.day, [...(spiked.get(spike.day) ?? []), spike.product]);
  const markers = new Map([...spiked].map(([day, products]) => [day, products.join(', ')]));
  const marked = markers.size === 0 ? '' : ` ${markers.size === 1 ? 'One day is' : `${markers.size} days are`} marked ▼ with the product that spiked (see Spikes).`;
  const summary = `Daily spend by product from ${formatDay(from)} to ${formatDay(data.period.to)}${range ? `: highest on ${range.highest[0]} (${money(range.highest[1], data.currency)}), lowest on ${range.lowest[0]} (${money(range.lowest[1], data.currency)})` : ''}.${marked}`;
  const title = days.length === DAYS_CHARTED ? `Spend by product and day, the last ${DAYS_CHARTED} days (${data.currency})` : `Spend by product and day (${data.currency})`;
  return {
    id: 'days',
    title: days.length === DAYS_CHARTED ? `Spend by product and day, the last ${DAYS_CHARTED} days` : 'Spend by product and day',
    paragraphs: [],
    figures: [],
    charts: [columnChart({ id: 'days', title, summary, data, series, time: 'day', xs: days, amounts: inWindow, markers, collapsed: true })],
    tables: [],
  };
}

function accountsSection(data: ReportData): Section {
  const kinds = { main: 'Main account', subaccount: 'Subaccount', unread: 'Subaccounts not read on their own' };
  const names = accountNames(data);
  const entries = data.accountSpend.map((spend) => {
    const account = data.accounts.find(({ sid }) => sid === spend.accountSid);
    const kind = account?.isMain ? kinds.main : account ? kinds.subaccount : spend.unreadSubaccounts !== 0n ? kinds.main : kinds.subaccount;
    return { sid: spend.accountSid, name: names.get(spend.accountSid) ?? spend.accountSid, status: account?.status ?? null, kind, amount: spend.own };
  });
  const unread = sumDecimals(data.accountSpend.map(({ unreadSubaccounts }) => unreadSubaccounts));
  entries.sort((a, b) => (a.amount === b.amount ? a.name.localeCompare(b.name) : a.amount > b.amount ? -1 : 1));
  const bars = entries.map(({ name, kind, amount }) => ({ label: name, series: kind, amount }));
  const rows: TableRow[] = entries.map(({ sid, name, status, kind, amount }) => ({
    key: sid,
    cells: [textCell(name), { code: sid }, textCell(status && status !== 'active' ? `${kind} (${status})` : kind), amountCell(amount), textCell(formatShare(amount, data.totals.spend))],
  }));
  const hasUnread = data.categories.some(({ category }) => category === UNREAD_SUBACCOUNTS_CATEGORY);
  if (hasUnread) {
    bars.push({ label: kinds.unread, series: kinds.unread, amount: unread });
    rows.push({
      key: UNREAD_SUBACCOUNTS_CATEGORY,
      cells: [textCell(kinds.unread), { code: UNREAD_SUBACCOUNTS_CATEGORY }, textCell('On the main account'), amountCell(unread), textCell(formatShare(unread, data.totals.spend))],
    });
  }
  const series = [kinds.main, kinds.subaccount, ...(hasUnread ? [kinds.unread] : [])].filter((kind) => bars.some((bar) => bar.series === kind));
  const top = entries.slice(0, 3).map(({ name, amount }) => `${name} ${money(amount, data.currency)}`);
  const summary = `Spend per account over the period, largest first: ${top.join(', ')}${entries.length > 3 ? `, and ${entries.length - 3} more` : ''}${hasUnread ? `; subaccounts not read on their own ${money(unread, data.currency)}` : ''}.`;
  const paragraphs: Paragraph[] = [["Each account's own usage, as usage_costs holds it."]];
  if (hasUnread) paragraphs.push([{ code: UNREAD_SUBACCOUNTS_CATEGORY }, ': ', UNREAD_SUBACCOUNTS_MEANING]);
  return {
    id: 'accounts',
    title: 'Spend by account',
    paragraphs,
    figures: [],
    charts: [
      {
        id: 'accounts',
        title: `Spend by account (${data.currency})`,
        summary,
        currency: data.currency,
        series: [kinds.main, kinds.subaccount, kinds.unread],
        legend: series,
        legendTitle: 'Account',
        muted: kinds.unread,
        plot: { kind: 'bars', bars },
        table: {
          id: 'accounts',
          caption: `Spend by account (${data.currency})`,
          columns: [label('Account'), label('SID'), label('Kind'), numeric(`Spend (${data.currency})`), numeric('Share')],
          rows,
          total: { key: 'total', cells: [textCell('Total'), textCell(''), textCell(''), amountCell(data.totals.spend), textCell(formatShare(data.totals.spend, data.totals.spend))] },
          collapsed: false,
        },
      },
    ],
    tables: [],
  };
}

const listText = (values: ReadonlyArray<string | null>): string => values.map((value) => value ?? '(top level)').join(', ');

function categoriesSection(data: ReportData, series: ProductSeries): Section {
  const top = data.categories.filter(({ isUnattributed }) => !isUnattributed).slice(0, TOP_CATEGORIES);
  const rows: TableRow[] = top.map((category) => ({
    key: category.category,
    cells: [
      { code: category.category },
      textCell(listText(category.parents)),
      textCell(category.product),
      textCell(category.placements.join(', ')),
      textCell(formatCount(category.days)),
      amountCell(category.spend),
      textCell(formatShare(category.spend, data.totals.spend)),
    ],
  }));
  const summary = `The ${top.length} largest categories over the period${top[0] ? `, led by ${top[0].category} with ${money(top[0].spend, data.currency)}` : ''}${top[1] ? ` and ${top[1].category} with ${money(top[1].spend, data.currency)}` : ''}.`;
  const usedSeries = series.names.filter((name) => top.some((category) => series.of(category.product) === name));
  return {
    id: 'categories',
    title: 'Top categories',
    paragraphs: [
      [
        "The leaf categories of usage_costs with the most spend. Placement says how the connector found each one's parent: ",
        ...PLACEMENT_MEANINGS.flatMap(({ placement, meaning }, index): Inline[] => [{ code: placement }, `, ${meaning}`, index === PLACEMENT_MEANINGS.length - 1 ? '.' : '; ']),
      ],
      ['Residual rows (', { code: '…:unattributed' }, ') are listed apart, under Money no category explains.'],
    ],
    figures: [],
    charts: [
      {
        id: 'categories',
        title: `Top ${top.length} categories (${data.currency})`,
        summary,
        currency: data.currency,
        series: series.names,
        legend: usedSeries,
        legendTitle: 'Product',
        muted: series.shared,
        plot: { kind: 'bars', bars: top.map((category) => ({ label: category.category, series: series.of(category.product), amount: category.spend })) },
        table: {
          id: 'categories',
          caption: `The ${top.length} largest categories (${data.currency})`,
          columns: [label('Category'), label('Parent'), label('Product'), label('Placement'), numeric('Days'), numeric(`Spend (${data.currency})`), numeric('Share')],
          rows,
          collapsed: false,
        },
      },
    ],
    tables: [],
  };
}

function residualsSection(data: ReportData): Section {
  const residuals = data.categories.filter(({ isUnattributed, days }) => isUnattributed && days > 0);
  const accountsOf = (category: CategorySpend): string => (category.accounts === 1 ? '1 account' : `${formatCount(category.accounts)} accounts`);
  if (residuals.length === 0) {
    return { id: 'residuals', title: 'Money no category explains', paragraphs: [['None: every amount in the period is explained by a category.']], figures: [], charts: [], tables: [] };
  }
  return {
    id: 'residuals',
    title: 'Money no category explains',
    paragraphs: [['usage_costs never drops money it cannot place: what no category explains is a row of its own, ', { code: '…:unattributed' }, ', so the rows still add up to totalprice. Each one in the period:']],
    figures: [],
    charts: [],
    tables: [
      {
        id: 'residuals',
        caption: `Residual rows in the period (${data.currency})`,
        columns: [label('Residual'), label('Product'), label('On'), numeric('Days'), numeric(`Amount (${data.currency})`), label('What it means')],
        rows: residuals.map((residual) => ({
          key: residual.category,
          cells: [{ code: residual.category }, textCell(residual.product), textCell(accountsOf(residual)), textCell(formatCount(residual.days)), amountCell(residual.spend), textCell(residualMeaning(residual.category))],
        })),
        total: { key: 'total', cells: [textCell('Total'), textCell(''), textCell(''), textCell(''), amountCell(sumDecimals(residuals.map(({ spend }) => spend))), textCell('')] },
        collapsed: false,
      },
    ],
  };
}

function creditsSection(data: ReportData): Section {
  const negative = data.categories.filter(({ creditLines }) => creditLines > 0).sort((a, b) => (a.credits === b.credits ? a.category.localeCompare(b.category) : a.credits < b.credits ? -1 : 1));
  if (negative.length === 0) {
    return { id: 'credits', title: 'Credits and adjustments', paragraphs: [['None: no line in the period is negative.']], figures: [], charts: [], tables: [] };
  }
  const lines = negative.reduce((count, { creditLines }) => count + creditLines, 0);
  return {
    id: 'credits',
    title: 'Credits and adjustments',
    paragraphs: [
      [
        `Negative lines take money off the bill: ${formatCount(lines)} of them in the period, `,
        { amount: data.totals.credits },
        ' in all. The spend above is net of them: charges of ',
        { amount: data.totals.charges },
        ' less ',
        { amount: -data.totals.credits },
        ' is ',
        { amount: data.totals.spend },
        '.',
      ],
    ],
    figures: [],
    charts: [],
    tables: [
      {
        id: 'credits',
        caption: `Negative lines by category (${data.currency})`,
        columns: [label('Category'), label('Product'), numeric('Lines'), numeric(`Amount (${data.currency})`), label('What it is')],
        rows: negative.map((category) => ({
          key: category.category,
          cells: [
            { code: category.category },
            textCell(category.product),
            textCell(formatCount(category.creditLines)),
            amountCell(category.credits),
            textCell(negativeLineMeaning(category.category, category.isUnattributed)),
          ],
        })),
        total: { key: 'total', cells: [textCell('Total'), textCell(''), textCell(formatCount(lines)), amountCell(data.totals.credits), textCell('')] },
        collapsed: false,
      },
    ],
  };
}

function spikesSection(data: ReportData, search: SpikeSearch): Section {
  const rule: Paragraph = [
    `A spike is a day on which a product's spend is more than ${SPIKE_RULE.ratio}× its usual level (the median of its ${SPIKE_RULE.trailingDays} days before), at least `,
    { amount: search.floor },
    ` above it (${SPIKE_RULE.floorPercentOfTypicalDay} % of a typical day's total spend), and more than ${SPIKE_RULE.ratio}× the same day a month before, so that monthly fees are not flagged. SMS pumping fraud and runaway loops show up here first.`,
  ];
  const paragraphs: Paragraph[] = [rule];
  if (!search.judged) paragraphs.push([`No day of the period could be judged: the file holds fewer than ${SPIKE_RULE.trailingDays} days before it.`]);
  else if (search.judged.from !== data.period.from) paragraphs.push([`Days before ${formatDay(search.judged.from)} are not judged: the file holds fewer than ${SPIKE_RULE.trailingDays} days before them.`]);
  if (search.judged && search.spikes.length === 0) paragraphs.push(['No spikes in the period.']);
  const listed = search.spikes.slice(0, SPIKES_LISTED);
  if (search.spikes.length > listed.length) paragraphs.push([`${formatCount(search.spikes.length)} spikes; the ${listed.length} most recent are listed.`]);
  const tables: Table[] =
    listed.length === 0
      ? []
      : [
          {
            id: 'spikes',
            caption: `Spikes, most recent first (${data.currency})`,
            columns: [label('Day'), label('Product'), numeric(`Spend (${data.currency})`), numeric(`Usual (${data.currency})`), numeric(`A month before (${data.currency})`), numeric('Jump')],
            rows: listed.map((spike) => ({
              key: `${spike.day}|${spike.product}`,
              cells: [
                textCell(formatDay(spike.day)),
                textCell(spike.product),
                amountCell(spike.spend),
                amountCell(spike.usual),
                spike.monthBefore === null ? textCell('–') : amountCell(spike.monthBefore),
                textCell(formatMultiple(spike.spend, spike.usual)),
              ],
            })),
            collapsed: false,
          },
        ];
  return { id: 'spikes', title: 'Spikes', paragraphs, figures: [], charts: [], tables };
}

function aboutSection(data: ReportData): Section {
  return {
    id: 'about',
    title: 'About these numbers',
    paragraphs: [
      [
        'Every amount is summed by DuckDB over the exact decimals sync landed in ',
        { code: path.basename(data.databasePath) },
        ` and printed with every decimal it has; only the charts' geometry is approximate. The days are UTC days, as Twilio's Usage Records API counts them.`,
      ],
      [
        'To check a figure in SQL: ',
        { code: `SELECT SUM(price) FROM usage_costs WHERE start_date BETWEEN '${data.period.from}' AND '${data.period.to}'` },
        ' is the spend in the period; add ',
        { code: 'GROUP BY product' },
        ' or ',
        { code: 'GROUP BY account_sid' },
        ' for the tables above.',
      ],
    ],
    figures: [],
    charts: [],
    tables: [],
  };
}

/** The whole page for the data read from one file. */
export function buildReportPage(data: ReportData, generatedAt: Date): ReportPage {
  const series = productSeries(data);
  const spikes = findSpikes(data.daily, data.fileRange.from, data.period);
  const main = mainAccountName(data);
  const synced = data.syncedAt ? `, last synced ${data.syncedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  return {
    title: `Twilio spend${main ? ` of ${main}` : ''}, ${formatDay(data.period.from)} to ${formatDay(data.period.to)}`,
    subtitle: `Amounts in ${data.currency}, from ${path.basename(data.databasePath)}${synced}; written ${generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    currency: data.currency,
    sections: [
      summarySection(data),
      productsSection(data),
      monthsSection(data, series),
      daysSection(data, series, spikes),
      accountsSection(data),
      categoriesSection(data, series),
      residualsSection(data),
      creditsSection(data),
      spikesSection(data, spikes),
      aboutSection(data),
    ],
  };
}
