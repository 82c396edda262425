import type { Day, DayRange } from '../dates';
import { MAX_PAGE_SIZE, type TwilioClient } from './client';

/** A usage record as Twilio sends it: numbers are decimal strings, and anything may be null. */
export interface UsageRecordWire {
  account_sid?: string | null;
  category?: string | null;
  description?: string | null;
  start_date?: string | null;
  end_date?: string | null;
  count?: string | null;
  count_unit?: string | null;
  usage?: string | null;
  usage_unit?: string | null;
  price?: string | number | null;
  price_unit?: string | null;
  as_of?: string | null;
  api_version?: string | null;
  uri?: string | null;
}

/** An account as Twilio sends it. `auth_token` is in there: it must never leave this process. */
export interface AccountWire {
  sid?: string;
  friendly_name?: string | null;
  status?: string | null;
  type?: string | null;
  owner_account_sid?: string | null;
  date_created?: string | null;
  date_updated?: string | null;
  uri?: string | null;
  auth_token?: string | null;
}

const API_ROOT = '/2010-04-01';

/** The category whose price is the account's whole bill for the period. */
export const TOTAL_PRICE_CATEGORY = 'totalprice';

export function listAccounts(client: TwilioClient): AsyncGenerator<AccountWire[]> {
  return client.paginate<AccountWire>(`${API_ROOT}/Accounts.json`, 'accounts', { PageSize: String(MAX_PAGE_SIZE) });
}

export async function fetchAccount(client: TwilioClient, accountSid: string): Promise<AccountWire> {
  return (await client.get(`${API_ROOT}/Accounts/${accountSid}.json`)) as AccountWire;
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
  return client.paginate<UsageRecordWire>(first.path, 'usage_records', first.parameters);
}

/**
 * The first request of a Daily listing, for a caller that pages itself with client.getPage: a
 * generator that yields a page holds it until asked for the next one, and a caller that keeps
 * only a few rows of each page need not keep the rest meanwhile.
 */
export function dailyUsageRequest(query: UsageQuery): { path: string; parameters: Record<string, string> } {
  return { path: `${API_ROOT}/Accounts/${query.accountSid}/Usage/Records/Daily.json`, parameters: usageParameters(query) };
}

/** One record per category over the whole range. */
export function rangeUsage(client: TwilioClient, query: UsageQuery): AsyncGenerator<UsageRecordWire[]> {
  return client.paginate<UsageRecordWire>(`${API_ROOT}/Accounts/${query.accountSid}/Usage/Records.json`, 'usage_records', usageParameters(query));
}

/** Today's total price: the cheapest authenticated usage call, used by `check`. */
export async function probeUsage(client: TwilioClient, accountSid: string, day: Day, includeSubaccounts: boolean): Promise<void> {
  await client.getPage(`${API_ROOT}/Accounts/${accountSid}/Usage/Records.json`, 'usage_records', {
    ...usageParameters({ accountSid, range: { from: day, to: day }, includeSubaccounts, category: TOTAL_PRICE_CATEGORY }),
    PageSize: '1',
  });
}
