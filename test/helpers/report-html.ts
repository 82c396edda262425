/**
 * Reads the report's numbers back out of its HTML, as a machine would: every table by its
 * `data-table`, every row by its `data-key`, every amount by the exact decimal of its
 * `<data value>`, and the headline figures by `data-figure`. The report writes that markup itself,
 * so a few patterns read it; anything else in a cell is its text.
 */
import { type Decimal, parseDecimal } from '../../source-twilio-costs/money';

export interface ReportCell {
  /** The text a reader sees. */
  text: string;
  /** The exact amount, for a cell holding one. */
  amount: Decimal | undefined;
}

export interface ReportTable {
  columns: string[];
  /** By row key, in order; the footer's row too (key "total"). */
  rows: Map<string, ReportCell[]>;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const textOf = (html: string): string => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);

function cellOf(html: string): ReportCell {
  const value = /<data value="([^"]*)">/.exec(html)?.[1];
  return { text: textOf(html), amount: value === undefined ? undefined : parseDecimal(value) };
}

export function reportTables(html: string): Map<string, ReportTable> {
  const tables = new Map<string, ReportTable>();
  for (const [, id = '', body = ''] of html.matchAll(/<table data-table="([^"]+)"[^>]*>([\s\S]*?)<\/table>/g)) {
    const head = /<thead>([\s\S]*?)<\/thead>/.exec(body)?.[1] ?? '';
    const columns = [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map(([, cell = '']) => textOf(cell));
    const rows = new Map<string, ReportCell[]>();
    for (const [, key = '', row = ''] of body.matchAll(/<tr data-key="([^"]*)">([\s\S]*?)<\/tr>/g)) {
      rows.set(
        textOf(key),
        [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, cell = '']) => cellOf(cell)),
      );
    }
    if (tables.has(id)) throw new Error(`two tables named ${id}`);
    tables.set(id, { columns, rows });
  }
  return tables;
}

/** The headline figures by id, exact. */
export function reportFigures(html: string): Map<string, Decimal> {
  return new Map([...html.matchAll(/data-figure="([^"]+)"><data value="([^"]+)">/g)].map(([, id = '', value = '']) => [id, parseDecimal(value)]));
}

/** Every `<data value>` in the page with the text it shows. */
export function reportAmounts(html: string): Array<{ value: string; text: string }> {
  return [...html.matchAll(/<data value="([^"]*)">([\s\S]*?)<\/data>/g)].map(([, value = '', text = '']) => ({ value, text: textOf(text) }));
}
