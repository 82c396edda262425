/**
 * The Usage Records list resources. A listing is a grid of (period, category) rows, zeros included;
 * a page computes only its own rows from the grid index, so a year of Daily rows (~240k per account)
 * is never materialised, and the JSON is assembled from per-category fragments built once.
 */
import { formatNanos, type Nanos, NANOS_PER_PRICE_STEP, NANOS_PER_UNIT } from './amounts';
import { type Dataset, type SimAccount, type SimUsage } from './dataset';
import { type DayNumber, dayToIsoDate, firstOfMonth, firstOfYear, isoDateToDay, parseIsoDate, todayUtc } from './dates';
import { ApiError } from './errors';
import { pageLinks, type PageTokens, parsePageRequest } from './paging';
import { TOTAL_PRICE_CATEGORY } from './truth-model';

/** The list resources under /Usage/Records, by the file name in their path. */
export type UsageResource = 'Records' | 'AllTime' | 'Daily' | 'Monthly' | 'Yearly';
export const USAGE_RESOURCES: readonly UsageResource[] = ['Records', 'AllTime', 'Daily', 'Monthly', 'Yearly'];

const SUBRESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['all_time', 'AllTime'],
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['this_month', 'ThisMonth'],
  ['last_month', 'LastMonth'],
  ['daily', 'Daily'],
  ['monthly', 'Monthly'],
  ['yearly', 'Yearly'],
];

const RELATIVE_DATE = /^([+-])(\d{1,5})days$/;

interface Period {
  first: DayNumber;
  last: DayNumber;
}

/** A listing's periods, computed on demand: Daily spans can be tens of thousands of days. */
interface PeriodGrid {
  count: number;
  at(index: number): Period;
}

/** Static JSON pieces of one category's rows, built once per (account, resource, category). */
interface RowFragments {
  /** `{"category":…,"description":…,"account_sid":"AC…"` */
  head: string;
  /** The count, units, usage and price of a zero row. */
  zeroMiddle: string;
  /** `/2010-04-01/…/Daily.json?Category=…` */
  uriPrefix: string;
  /** `"subresource_uris":{…}}` */
  tail: string;
}

export interface UsageListingRequest {
  dataset: Dataset;
  account: SimAccount;
  resource: UsageResource;
  path: string;
  query: URLSearchParams;
  tokens: PageTokens;
}

export class UsageRecordRenderer {
  /** By account and resource, then by category: a page looks up its listing's map once, then a category per row. */
  private readonly fragments = new Map<string, Map<string, RowFragments>>();

  /** One page of a usage listing, as the JSON text of Twilio's envelope. */
  renderPage({ dataset, account, resource, path, query, tokens }: UsageListingRequest): string {
    const includeSubaccounts = parseIncludeSubaccounts(query.get('IncludeSubaccounts'));
    // Without dates Twilio answers all time: from the account's creation to today.
    const firstDay = parseDateParameter(query.get('StartDate'), 'StartDate') ?? isoDateToDay(account.dateCreated);
    const lastDay = parseDateParameter(query.get('EndDate'), 'EndDate') ?? todayUtc();
    if (lastDay < firstDay) throw ApiError.notFound(path);
    const categoryText = query.get('Category');
    const canonical = categoryText === null ? undefined : dataset.canonicalCategory(categoryText);
    const categories = categoryText === null ? dataset.categories() : canonical === undefined ? [] : [canonical];
    const periods = periodGrid(resource, firstDay, lastDay);

    const binding = [path, includeSubaccounts, firstDay, lastDay, categoryText?.toLowerCase() ?? ''].join('|');
    const request = parsePageRequest(query, binding, tokens);
    const totalRows = periods.count * categories.length;
    const start = request.offset;
    const end = Math.min(totalRows, start + request.pageSize);
    const links = pageLinks(path, query, binding, tokens, request, end < totalRows);

    const asOf = `${new Date().toISOString().slice(0, 19)}+00:00`;
    const rows: string[] = [];
    // Rows of one period share its usage and dates; a page usually spans one or two periods.
    let periodIndex = -1;
    let usages: ReadonlyMap<string, SimUsage> = new Map();
    let startDate = '';
    let endDate = '';
    const listingFragments = this.listingFragments(account.sid, resource);
    for (let row = start; row < end; row++) {
      const rowPeriod = Math.floor(row / categories.length);
      if (rowPeriod !== periodIndex) {
        periodIndex = rowPeriod;
        const period = periods.at(rowPeriod);
        usages = dataset.scopeUsage(account.sid, includeSubaccounts, period.first, period.last);
        startDate = dayToIsoDate(period.first);
        endDate = dayToIsoDate(period.last);
      }
      const category = categories[row % categories.length] as string;
      const fragments = listingFragments.get(category) ?? this.buildFragments(listingFragments, dataset, account.sid, resource, category);
      const usage = category === TOTAL_PRICE_CATEGORY ? dataset.totalInAccountCurrency(usages) : usages.get(category);
      rows.push(renderRow(fragments, usage, startDate, endDate, asOf, dataset.currency, dataset.priceUnitOf(category)));
    }
    const pageStart = Math.min(start, totalRows);
    return (
      `{"first_page_uri":${JSON.stringify(links.firstPageUri)},"end":${Math.max(pageStart, end - 1)},` +
      `"previous_page_uri":${JSON.stringify(links.previousPageUri)},"uri":${JSON.stringify(links.uri)},` +
      `"page_size":${request.pageSize},"start":${pageStart},"usage_records":[${rows.join(',')}],` +
      `"next_page_uri":${JSON.stringify(links.nextPageUri)},"page":${request.page}}`
    );
  }

  private listingFragments(accountSid: string, resource: UsageResource): Map<string, RowFragments> {
    const key = `${accountSid}|${resource}`;
    let byCategory = this.fragments.get(key);
    if (byCategory === undefined) this.fragments.set(key, (byCategory = new Map<string, RowFragments>()));
    return byCategory;
  }

  private buildFragments(byCategory: Map<string, RowFragments>, dataset: Dataset, accountSid: string, resource: UsageResource, category: string): RowFragments {
    const info = dataset.categoryInfo(category);
    const accountPath = `/2010-04-01/Accounts/${accountSid}/Usage/Records`;
    const categoryQuery = `Category=${encodeURIComponent(category)}`;
    const subresources = Object.fromEntries(SUBRESOURCES.map(([key, name]) => [key, `${accountPath}/${name}.json?${categoryQuery}`]));
    const fragments: RowFragments = {
      head: `{"category":${JSON.stringify(category)},"description":${JSON.stringify(info.description)},"account_sid":"${accountSid}"`,
      // A category without a count unit (totalprice) has no count at all, even on a zero day.
      zeroMiddle: `"count":${info.countUnit === '' ? 'null' : '"0"'},"count_unit":${JSON.stringify(info.countUnit)},` + `"usage":"0","usage_unit":${JSON.stringify(info.usageUnit)},"price":"0"`,
      uriPrefix: `${accountPath}${resource === 'Records' ? '' : `/${resource}`}.json?${categoryQuery}`,
      tail: `"subresource_uris":${JSON.stringify(subresources)}}`,
    };
    byCategory.set(category, fragments);
    return fragments;
  }
}

function renderRow(fragments: RowFragments, usage: SimUsage | undefined, startDate: string, endDate: string, asOf: string, currency: string, priceUnit: string): string {
  const middle = usage
    ? `"count":${usage.count === null ? 'null' : `"${formatQuantity(usage.count)}"`},"count_unit":${JSON.stringify(usage.countUnit)},` +
      `"usage":"${usage.usageUnit === currency ? formatPrice(usage.usage) : formatQuantity(usage.usage)}",` +
      `"usage_unit":${JSON.stringify(usage.usageUnit)},"price":"${formatPrice(usage.price)}"`
    : fragments.zeroMiddle;
  return (
    `${fragments.head},"start_date":"${startDate}","end_date":"${endDate}",${middle},"price_unit":"${priceUnit}",` +
    `"as_of":"${asOf}","api_version":"2010-04-01",` +
    `"uri":"${fragments.uriPrefix}&StartDate=${startDate}&EndDate=${endDate}",${fragments.tail}`
  );
}

/** Twilio's price strings: "0", or exactly 5 decimal places ("11.72000", "-3.50000"). */
function formatPrice(value: Nanos): string {
  if (value === 0n) return '0';
  if (value % NANOS_PER_PRICE_STEP !== 0n) return formatNanos(value);
  const negative = value < 0n;
  const digits = ((negative ? -value : value) / NANOS_PER_PRICE_STEP).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -5)}.${digits.slice(-5)}`;
}

/** Counts and usage: an integer when whole ("1412"), else the exact decimal ("198.9"). */
function formatQuantity(value: Nanos): string {
  return value % NANOS_PER_UNIT === 0n ? (value / NANOS_PER_UNIT).toString() : formatNanos(value);
}

function parseIncludeSubaccounts(text: string | null): boolean {
  if (text === null) return true; // Twilio's default: the main account and all its subaccounts
  const lower = text.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw ApiError.badRequest('Invalid IncludeSubaccounts');
  return lower === 'true';
}

/** YYYY-MM-DD, or an offset from today such as -30days; null when absent. */
function parseDateParameter(text: string | null, name: 'StartDate' | 'EndDate'): DayNumber | null {
  if (text === null) return null;
  const relative = RELATIVE_DATE.exec(text);
  if (relative) return todayUtc() + (relative[1] === '-' ? -1 : 1) * Number(relative[2]);
  const day = parseIsoDate(text);
  if (day === null) throw ApiError.badRequest(`Invalid ${name}`);
  return day;
}

function periodGrid(resource: UsageResource, firstDay: DayNumber, lastDay: DayNumber): PeriodGrid {
  if (resource === 'Daily') return { count: lastDay - firstDay + 1, at: (index) => ({ first: firstDay + index, last: firstDay + index }) };
  if (resource === 'Records' || resource === 'AllTime') return { count: 1, at: () => ({ first: firstDay, last: lastDay }) };
  // Calendar months or years, clipped to the requested range.
  const startOfNext = resource === 'Monthly' ? firstOfMonth : firstOfYear;
  const periods: Period[] = [];
  for (let first = firstDay; first <= lastDay; first = startOfNext(first, 1)) {
    periods.push({ first, last: Math.min(lastDay, startOfNext(first, 1) - 1) });
  }
  return { count: periods.length, at: (index) => periods[index] as Period };
}
