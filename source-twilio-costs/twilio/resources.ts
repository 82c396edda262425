import { type Day, type DayRange, daysBetweenInclusive } from '../dates';
import { MAX_PAGE_SIZE, type TwilioClient } from './client';
import { ACCOUNT_SHAPE, ACCOUNTS_LIST, type AccountWire, USAGE_RECORDS_LIST, type UsageRecordWire } from './wire';

export type { AccountWire, UsageRecordWire } from './wire';

const API_ROOT = '/2010-04-01';

/** The category whose price is the account's whole bill for the period. */
export const TOTAL_PRICE_CATEGORY = 'totalprice';

/**
 * The most categories a usage listing names: Twilio lists about 650 a day. Far above that, so a
 * new product never trips it; it only bounds a listing that pages without end.
 */
export const MAX_LISTED_CATEGORIES = 10_000;

/** The most accounts a listing names: Twilio allows 1,000 subaccounts unless raised on request. */
const MAX_LISTED_ACCOUNTS = 100_000;

export function listAccounts(client: TwilioClient): AsyncGenerator<AccountWire[]> {
  return client.paginate(`${API_ROOT}/Accounts.json`, ACCOUNTS_LIST, { PageSize: String(MAX_PAGE_SIZE) }, { maxRows: MAX_LISTED_ACCOUNTS });
}

export async function fetchAccount(client: TwilioClient, accountSid: string): Promise<AccountWire> {
  return client.getResource(`${API_ROOT}/Accounts/${accountSid}.json`, ACCOUNT_SHAPE);
}

export interface UsageQuery {
  accountSid: string;
  range: DayRange;
  /** Always sent explicitly: Twilio's default (true) silently folds subaccounts into the main account. */
  includeSubaccounts: boolean;
  category?: string;
  pageSize?: number;
}

function usageParameters(query: UsageQuery): Record<string, string> {
  return {
    ...(query.category ? { Category: query.category } : {}),
    StartDate: query.range.from,
    EndDate: query.range.to,
    IncludeSubaccounts: String(query.includeSubaccounts),
    PageSize: String(query.pageSize ?? MAX_PAGE_SIZE),
  };
}

/** Daily records (one per category per UTC day), page by page. */
export function dailyUsage(client: TwilioClient, query: UsageQuery): AsyncGenerator<UsageRecordWire[]> {
  const first = dailyUsageRequest(query, MAX_LISTED_CATEGORIES);
  return client.paginate(first.path, USAGE_RECORDS_LIST, first.parameters, { maxRows: first.maxRows });
}

/**
 * The first request of a Daily listing, for a caller that pages it with client.paginate and a
 * budget of its own (the window reader keeps only the needed rows of each page), and the most rows
 * it holds: one a day, or one per listed category a day without a Category filter.
 */
export function dailyUsageRequest(query: UsageQuery, listedCategories: number): { path: string; parameters: Record<string, string>; maxRows: number } {
  const categories = query.category === undefined ? listedCategories : 1;
  return {
    path: `${API_ROOT}/Accounts/${query.accountSid}/Usage/Records/Daily.json`,
    parameters: usageParameters(query),
    maxRows: daysBetweenInclusive(query.range.from, query.range.to) * Math.max(1, categories),
  };
}

/** One record per category over the whole range. */
export function rangeUsage(client: TwilioClient, query: UsageQuery): AsyncGenerator<UsageRecordWire[]> {
  return client.paginate(`${API_ROOT}/Accounts/${query.accountSid}/Usage/Records.json`, USAGE_RECORDS_LIST, usageParameters(query), { maxRows: MAX_LISTED_CATEGORIES });
}

/** Today's total price: the cheapest authenticated usage call, used by `check`. */
export async function probeUsage(client: TwilioClient, accountSid: string, day: Day, includeSubaccounts: boolean): Promise<void> {
  await client.getPage(`${API_ROOT}/Accounts/${accountSid}/Usage/Records.json`, USAGE_RECORDS_LIST, {
    ...usageParameters({ accountSid, range: { from: day, to: day }, includeSubaccounts, category: TOTAL_PRICE_CATEGORY }),
    PageSize: '1',
  });
}
