import type { CostInputRecord, CostRow, ReconciledDay } from '../../../source-twilio-costs/costs/types';
import { formatDecimal, parseDecimal, sumDecimals } from '../../../source-twilio-costs/money';

/** A usage record with a decimal-string price and no count or usage. */
export function record(category: string, price: string): CostInputRecord {
  return { category, price: parseDecimal(price), count: null, countUnit: null, usage: null, usageUnit: null };
}

/** category → price as a decimal string: the shape most assertions compare. */
export function pricesOf(rows: readonly CostRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.category, formatDecimal(row.price)]));
}

export function parentsOf(rows: readonly CostRow[]): Record<string, string | null> {
  return Object.fromEntries(rows.map((row) => [row.category, row.parentCategory]));
}

export function totalOf(day: ReconciledDay): string {
  return formatDecimal(sumDecimals(day.rows.map((row) => row.price)));
}

export function rowOf(day: ReconciledDay, category: string): CostRow {
  const row = day.rows.find((candidate) => candidate.category === category);
  if (!row) throw new Error(`no row ${category} in ${day.rows.map((candidate) => candidate.category).join(', ')}`);
  return row;
}
