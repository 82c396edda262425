import type { Day, DayRange } from '../dates';
import { MAX_PAGE_SIZE, type TwilioClient } from './client';
import { ACCOUNT_SHAPE, ACCOUNTS_LIST, USAGE_RECORDS_LIST, type AccountWire, type UsageRecordWire } from './wire';

export type { AccountWire, UsageRecordWire } from './wire';

const API_ROOT = '/2010-04-01';

/** The category whose price is the account's whole bill for the period. */
export const TOTAL_PRICE_CATEGORY = 'totalprice';

export function listAccounts(client: TwilioClient): AsyncGenerator<AccountWire[]> {
  return client.paginate(`${API_ROOT}/Accounts.json`, ACCOUNTS_LIST, { PageSize: String(MAX_PAGE_SIZE) });
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
  const first = dailyUsageRequest(query);
  return client.paginate(first.path, USAGE_RECORDS_LIST, first.parameters);
}

/**
 * The first request of a Daily listing, for a caller that pages it with client.paginate and a
 * budget of its own (the window reader keeps only the needed rows of each page).
 */
export function dailyUsageRequest(query: UsageQuery): { path: string; parameters: Record<string, string> } {
  return { path: `${API_ROOT}/Accounts/${query.accountSid}/Usage/Records/Daily.json`, parameters: usageParameters(query) };
}

/** One record per category over the whole range. */
export function rangeUsage(client: TwilioClient, query: UsageQuery): AsyncGenerator<UsageRecordWire[]> {
  return client.paginate(`${API_ROOT}/Accounts/${query.accountSid}/Usage/Records.json`, USAGE_RECORDS_LIST, usageParameters(query));
}

/** Today's total price: the cheapest authenticated usage call, used by `check`. */
export async function probeUsage(client: TwilioClient, accountSid: string, day: Day, includeSubaccounts: boolean): Promise<void> {
  await client.getPage(`${API_ROOT}/Accounts/${accountSid}/Usage/Records.json`, USAGE_RECORDS_LIST, {
    ...usageParameters({ accountSid, range: { from: day, to: day }, includeSubaccounts, category: TOTAL_PRICE_CATEGORY }),
    PageSize: '1',
  });
}
