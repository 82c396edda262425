/**
 * Everything the report shows, read from the file `sync` wrote in one short read-only session. Every
 * amount is summed by DuckDB over DECIMAL columns and read as text, then held as an exact Decimal:
 * no float ever adds money here.
 */
import { addDays, type Day, type DayRange, isValidDay, maxDay } from '../dates';
import { type Decimal, parseDecimal } from '../money';
import { STATE_TABLE } from '../sync/duckdb-landing';
import { ReportDatabase } from './database';
import { ReportError } from './errors';

/** The row on the main account for spend of subaccounts no one read on their own (see usage_costs). */
export const UNREAD_SUBACCOUNTS_CATEGORY = 'subaccounts:unattributed';

/** Days of history before a day that the spike rule compares it with: a month back and 14 days. */
export const HISTORY_DAYS = 45;

/** The columns each table must have for the report to read it. */
const REQUIRED_COLUMNS = {
  usage_costs: ['account_sid', 'category', 'parent_category', 'product', 'start_date', 'price', 'price_unit', 'is_unattributed', 'placement'],
  usage_records: ['account_sid', 'category', 'start_date', 'price'],
  accounts: ['sid', 'friendly_name', 'status', 'is_main_account'],
  [STATE_TABLE]: ['updated_at'],
} as const;

export interface AccountInfo {
  sid: string;
  friendlyName: string | null;
  status: string | null;
  isMain: boolean;
}

/** An account's spend in the period: its own usage, and (on the main account) that of subaccounts not read on their own. */
export interface AccountSpend {
  accountSid: string;
  own: Decimal;
  unreadSubaccounts: Decimal;
}

export interface ProductSpend {
  product: string;
  spend: Decimal;
  /** Σ of the negative lines (credits and adjustments), ≤ 0. */
  credits: Decimal;
}

/** Spend of one product in one month ("YYYY-MM") or on one day. */
export interface ProductAmount {
  at: string;
  product: string;
  spend: Decimal;
}

export interface CategorySpend {
  category: string;
  product: string;
  /** The parents usage_costs gave it in the period (null: top level); more than one when windows placed it differently. */
  parents: ReadonlyArray<string | null>;
  /** How those parents were decided: curated, name or numbers. */
  placements: readonly string[];
  isUnattributed: boolean;
  spend: Decimal;
  /** Days with a non-zero price. */
  days: number;
  accounts: number;
  /** Σ of its negative lines, ≤ 0, and how many there are. */
  credits: Decimal;
  creditLines: number;
}

export interface AccountDayMismatch {
  accountSid: string;
  day: Day;
  leaves: Decimal;
  totalprice: Decimal;
}

/** usage_costs held against the totalprice of usage_records, account-day by account-day. */
export interface Reconciliation {
  accountDays: number;
  mismatchCount: number;
  /** The first mismatches, by day. */
  mismatches: AccountDayMismatch[];
  /** Σ totalprice of every account read on its own. */
  totalprice: Decimal;
}

export interface ReportData {
  databasePath: string;
  /** When the last state landed (ISO 8601, UTC), or null when sync has landed none. */
  syncedAt: string | null;
  /** The days usage_costs holds. */
  fileRange: DayRange;
  period: DayRange;
  currency: string;
  totals: { spend: Decimal; charges: Decimal; credits: Decimal };
  /** From the accounts table; empty when the file has none. */
  accounts: AccountInfo[];
  accountSpend: AccountSpend[];
  products: ProductSpend[];
  monthly: ProductAmount[];
  /** Per product and day, from HISTORY_DAYS before the period (where the file has them) to its end. */
  daily: ProductAmount[];
  categories: CategorySpend[];
  /** undefined when the file has no usage_records to hold usage_costs against. */
  reconciliation: Reconciliation | undefined;
}

/** The period asked for on the command line; a missing end defaults to the file's. */
export interface PeriodRequest {
  from?: Day;
  to?: Day;
}

const MISMATCHES_SHOWN = 20;

const decimal = (text: string | null | undefined): Decimal => (text === null || text === undefined ? 0n : parseDecimal(text));
const text = (value: string | null | undefined): string => value ?? '';

/** The period's rows of usage_costs: $1 and $2 are its first and last day. */
const IN_PERIOD = 'start_date BETWEEN CAST($1 AS DATE) AND CAST($2 AS DATE)';

async function requireTables(database: ReportDatabase): Promise<Set<keyof typeof REQUIRED_COLUMNS>> {
  const tables = await database.tables();
  const path = database.path;
  if (!tables.has('usage_costs')) {
    if (!tables.has(STATE_TABLE)) throw new ReportError(`${path} is a DuckDB database that sync did not write (it has no ${STATE_TABLE} table and no usage_costs). Pass the file sync wrote with --duckdb.`);
    throw new ReportError(`${path} has no usage_costs table, which the report is made from. Run sync with usage_costs among its streams (it is, unless --streams leaves it out).`);
  }
  const present = new Set<keyof typeof REQUIRED_COLUMNS>();
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS) as Array<[keyof typeof REQUIRED_COLUMNS, readonly string[]]>) {
    const found = tables.get(table);
    if (!found) continue;
    const missing = columns.filter((column) => !found.has(column));
    if (missing.length > 0)
      throw new ReportError(`${path} has a table ${table} without the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so sync did not write it as it is. Sync into a new file with --duckdb.`);
    present.add(table);
  }
  return present;
}

/** The period: the one asked for, within what usage_costs holds; an empty one is an error naming what the file has. */
async function choosePeriod(database: ReportDatabase, request: PeriodRequest): Promise<{ fileRange: DayRange; period: DayRange }> {
  const [[first, last] = []] = await database.rows('the days of usage_costs', 'SELECT CAST(MIN(start_date) AS VARCHAR), CAST(MAX(start_date) AS VARCHAR) FROM usage_costs');
  if (!first || !last) throw new ReportError(`usage_costs in ${database.path} has no rows: sync has landed no usage yet.`);
  const fileRange = { from: first, to: last };
  const period = { from: request.from ?? first, to: request.to ?? last };
  if (period.from > period.to) throw new ReportError(`The period starts on ${period.from}, after it ends on ${period.to}; usage_costs holds ${first} to ${last}.`);
  const [[rows] = []] = await database.rows('the period', `SELECT CAST(COUNT(*) AS VARCHAR) FROM usage_costs WHERE ${IN_PERIOD}`, [period.from, period.to]);
  if (rows === '0') throw new ReportError(`usage_costs has no rows from ${period.from} to ${period.to}; it holds ${first} to ${last}. Choose days in that range with --from and --to.`);
  return { fileRange, period };
}

async function currencyOf(database: ReportDatabase, period: DayRange): Promise<string> {
  const sql = `SELECT price_unit, CAST(COUNT(*) AS VARCHAR), CAST(COUNT(DISTINCT account_sid) AS VARCHAR) FROM usage_costs WHERE ${IN_PERIOD} GROUP BY price_unit ORDER BY 1`;
  const currencies = (await database.rows('the currencies', sql, [period.from, period.to])).map(([unit, rows, accounts]) => ({ unit: text(unit), rows: text(rows), accounts: text(accounts) }));
  if (currencies.length > 1) {
    const held = currencies.map(({ unit, rows, accounts }) => `${unit} (${rows} row${rows === '1' ? '' : 's'} of ${accounts} account${accounts === '1' ? '' : 's'})`).join(' and ');
    // Two currencies come from accounts billed in different ones, or from a product Twilio bills in another currency than its account's.
    throw new ReportError(
      `usage_costs holds prices in ${held} from ${period.from} to ${period.to}; a report adds up one currency. Sync main accounts billed in different currencies into files of their own with --duckdb; rows Twilio priced in another currency than their account's totalprice stay in that currency and cannot be added to it.`,
    );
  }
  return currencies[0]?.unit ?? '';
}

async function syncedAt(database: ReportDatabase): Promise<string | null> {
  const [[epochMs] = []] = await database.rows('when sync last landed', `SELECT CAST(epoch_ms(MAX(updated_at)) AS VARCHAR) FROM ${STATE_TABLE}`);
  return epochMs ? new Date(Number(epochMs)).toISOString() : null;
}

async function reconciliation(database: ReportDatabase, period: DayRange): Promise<Reconciliation> {
  // Each account-day's leaves (without the residual of unread subaccounts, which is no account's own
  // usage) against that account's totalprice; an account-day only one side holds is a mismatch too.
  const perDay = `
    WITH leaves AS (
      SELECT account_sid, start_date, SUM(price) AS amount FROM usage_costs
      WHERE ${IN_PERIOD} AND category <> '${UNREAD_SUBACCOUNTS_CATEGORY}' GROUP BY ALL
    ), totals AS (
      SELECT account_sid, start_date, SUM(price) AS amount FROM usage_records
      WHERE ${IN_PERIOD} AND lower(category) = 'totalprice' GROUP BY ALL
    )
    SELECT COALESCE(l.account_sid, t.account_sid) AS account_sid, COALESCE(l.start_date, t.start_date) AS day,
           COALESCE(l.amount, 0) AS leaves, COALESCE(t.amount, 0) AS totalprice
    FROM leaves l FULL JOIN totals t ON t.account_sid = l.account_sid AND t.start_date = l.start_date`;
  const [[accountDays, mismatchCount, totalprice] = []] = await database.rows(
    'the reconciliation',
    `SELECT CAST(COUNT(*) AS VARCHAR), CAST(COUNT(*) FILTER (WHERE leaves <> totalprice) AS VARCHAR), CAST(SUM(totalprice) AS VARCHAR) FROM (${perDay})`,
    [period.from, period.to],
  );
  const mismatches = await database.rows(
    'the account-days that do not add up',
    `SELECT account_sid, CAST(day AS VARCHAR), CAST(leaves AS VARCHAR), CAST(totalprice AS VARCHAR) FROM (${perDay}) WHERE leaves <> totalprice ORDER BY day, account_sid LIMIT ${MISMATCHES_SHOWN}`,
    [period.from, period.to],
  );
  return {
    accountDays: Number(accountDays ?? 0),
    mismatchCount: Number(mismatchCount ?? 0),
    mismatches: mismatches.map(([account, day, leaves, total]) => ({ accountSid: text(account), day: text(day), leaves: decimal(leaves), totalprice: decimal(total) })),
    totalprice: decimal(totalprice),
  };
}

async function categories(database: ReportDatabase, period: DayRange): Promise<CategorySpend[]> {
  const rows = await database.rows(
    'spend per category',
    `SELECT category, product,
            CAST(to_json(list_sort(list(DISTINCT parent_category))) AS VARCHAR),
            CAST(to_json(list_sort(list(DISTINCT placement) FILTER (WHERE placement IS NOT NULL))) AS VARCHAR),
            CAST(bool_or(is_unattributed) AS VARCHAR),
            CAST(SUM(price) AS VARCHAR),
            CAST(COUNT(DISTINCT start_date) FILTER (WHERE price <> 0) AS VARCHAR),
            CAST(COUNT(DISTINCT account_sid) AS VARCHAR),
            CAST(COALESCE(SUM(price) FILTER (WHERE price < 0), 0) AS VARCHAR),
            CAST(COUNT(*) FILTER (WHERE price < 0) AS VARCHAR)
     FROM usage_costs WHERE ${IN_PERIOD} GROUP BY category, product ORDER BY SUM(price) DESC, category`,
    [period.from, period.to],
  );
  return rows.map(([category, product, parents, placements, isUnattributed, spend, days, accounts, credits, creditLines]) => ({
    category: text(category),
    product: text(product),
    parents: JSON.parse(parents ?? '[]') as Array<string | null>,
    placements: JSON.parse(placements ?? '[]') as string[],
    isUnattributed: isUnattributed === 'true',
    spend: decimal(spend),
    days: Number(days ?? 0),
    accounts: Number(accounts ?? 0),
    credits: decimal(credits),
    creditLines: Number(creditLines ?? 0),
  }));
}

async function productAmounts(database: ReportDatabase, reading: string, at: string, range: DayRange): Promise<ProductAmount[]> {
  const rows = await database.rows(reading, `SELECT ${at} AS x, product, CAST(SUM(price) AS VARCHAR) FROM usage_costs WHERE ${IN_PERIOD} GROUP BY ALL ORDER BY x, product`, [range.from, range.to]);
  return rows.map(([when, product, spend]) => ({ at: text(when), product: text(product), spend: decimal(spend) }));
}

async function readData(database: ReportDatabase, request: PeriodRequest): Promise<ReportData> {
  const tables = await requireTables(database);
  const { fileRange, period } = await choosePeriod(database, request);
  const values = [period.from, period.to];
  const currency = await currencyOf(database, period);
  const [[spend, charges, credits] = []] = await database.rows(
    'the totals',
    `SELECT CAST(SUM(price) AS VARCHAR), CAST(COALESCE(SUM(price) FILTER (WHERE price > 0), 0) AS VARCHAR), CAST(COALESCE(SUM(price) FILTER (WHERE price < 0), 0) AS VARCHAR) FROM usage_costs WHERE ${IN_PERIOD}`,
    values,
  );
  const accounts = tables.has('accounts')
    ? (await database.rows('the accounts', 'SELECT sid, friendly_name, status, CAST(is_main_account AS VARCHAR) FROM accounts ORDER BY is_main_account DESC, sid')).map(([sid, name, status, isMain]) => ({
        sid: text(sid),
        friendlyName: name ?? null,
        status: status ?? null,
        isMain: isMain === 'true',
      }))
    : [];
  const accountSpend = await database.rows(
    'spend per account',
    `SELECT account_sid, CAST(COALESCE(SUM(price) FILTER (WHERE category <> '${UNREAD_SUBACCOUNTS_CATEGORY}'), 0) AS VARCHAR), CAST(COALESCE(SUM(price) FILTER (WHERE category = '${UNREAD_SUBACCOUNTS_CATEGORY}'), 0) AS VARCHAR)
     FROM usage_costs WHERE ${IN_PERIOD} GROUP BY account_sid ORDER BY account_sid`,
    values,
  );
  const products = await database.rows(
    'spend per product',
    `SELECT product, CAST(SUM(price) AS VARCHAR), CAST(COALESCE(SUM(price) FILTER (WHERE price < 0), 0) AS VARCHAR) FROM usage_costs WHERE ${IN_PERIOD} GROUP BY product ORDER BY SUM(price) DESC, product`,
    values,
  );
  const historyFrom = addDays(period.from, -HISTORY_DAYS);
  return {
    databasePath: database.path,
    syncedAt: tables.has(STATE_TABLE) ? await syncedAt(database) : null,
    fileRange,
    period,
    currency,
    totals: { spend: decimal(spend), charges: decimal(charges), credits: decimal(credits) },
    accounts,
    accountSpend: accountSpend.map(([account, own, unread]) => ({ accountSid: text(account), own: decimal(own), unreadSubaccounts: decimal(unread) })),
    products: products.map(([product, total, negative]) => ({ product: text(product), spend: decimal(total), credits: decimal(negative) })),
    monthly: await productAmounts(database, 'spend per product and month', "strftime(start_date, '%Y-%m')", period),
    daily: await productAmounts(database, 'spend per product and day', 'CAST(start_date AS VARCHAR)', { from: maxDay(historyFrom, fileRange.from), to: period.to }),
    categories: await categories(database, period),
    reconciliation: tables.has('usage_records') ? await reconciliation(database, period) : undefined,
  };
}

/** Checks the days asked for; the rest of the checks need the file. */
export function checkPeriodRequest(request: PeriodRequest): void {
  for (const [option, day] of [
    ['--from', request.from],
    ['--to', request.to],
  ] as const) {
    if (day !== undefined && !isValidDay(day)) throw new ReportError(`${option} must be a real date as YYYY-MM-DD, got ${JSON.stringify(day)}.`);
  }
  if (request.from !== undefined && request.to !== undefined && request.from > request.to) throw new ReportError(`--from ${request.from} is after --to ${request.to}.`);
}

/** Opens the file read-only, reads everything the report shows and closes it again, whatever happens. */
export async function readReportData(databasePath: string, request: PeriodRequest): Promise<ReportData> {
  const database = await ReportDatabase.open(databasePath);
  try {
    return await readData(database, request);
  } finally {
    database.close();
  }
}
