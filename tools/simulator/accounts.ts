/** The Accounts resources: `/Accounts.json` (list) and `/Accounts/{Sid}.json` (fetch). */
import { type SimAccount } from './dataset';
import { isoDateToDay, toRfc2822 } from './dates';
import { ApiError } from './errors';
import { pageLinks, type PageTokens, parsePageRequest } from './paging';

const ACCOUNT_SUBRESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['available_phone_numbers', 'AvailablePhoneNumbers'],
  ['calls', 'Calls'],
  ['conferences', 'Conferences'],
  ['incoming_phone_numbers', 'IncomingPhoneNumbers'],
  ['notifications', 'Notifications'],
  ['outgoing_caller_ids', 'OutgoingCallerIds'],
  ['recordings', 'Recordings'],
  ['transcriptions', 'Transcriptions'],
  ['addresses', 'Addresses'],
  ['signing_keys', 'SigningKeys'],
  ['connect_apps', 'ConnectApps'],
  ['sip', 'SIP'],
  ['authorized_connect_apps', 'AuthorizedConnectApps'],
  ['usage', 'Usage'],
  ['keys', 'Keys'],
  ['applications', 'Applications'],
  ['short_codes', 'SMS/ShortCodes'],
  ['queues', 'Queues'],
  ['messages', 'Messages'],
  ['balance', 'Balance'],
];

const STATUSES: ReadonlySet<string> = new Set(['active', 'suspended', 'closed']);
// Accounts are created at some time of day; a fixed one keeps responses deterministic.
const CREATED_SECONDS_INTO_DAY = 20 * 3600 + 17 * 60 + 3;

/** An account as the API returns it: auth_token included, as the real API does. */
export function accountResource(account: SimAccount): Record<string, unknown> {
  const accountPath = `/2010-04-01/Accounts/${account.sid}`;
  return {
    auth_token: account.authToken,
    date_created: toRfc2822(isoDateToDay(account.dateCreated), CREATED_SECONDS_INTO_DAY),
    date_updated: toRfc2822(isoDateToDay(account.dateClosed ?? account.dateCreated), CREATED_SECONDS_INTO_DAY),
    friendly_name: account.friendlyName,
    owner_account_sid: account.ownerAccountSid,
    sid: account.sid,
    status: account.status,
    subresource_uris: Object.fromEntries(ACCOUNT_SUBRESOURCES.map(([key, name]) => [key, `${accountPath}/${name}.json`])),
    type: account.type,
    uri: `${accountPath}.json`,
  };
}

/** One page of `/Accounts.json` over the accounts the caller may see, filtered by Status and FriendlyName. */
export function renderAccountsPage(visible: readonly SimAccount[], path: string, query: URLSearchParams, tokens: PageTokens): string {
  const status = query.get('Status');
  if (status !== null && !STATUSES.has(status)) throw ApiError.badRequest('Invalid Status');
  const friendlyName = query.get('FriendlyName');
  const matching = visible.filter((account) => (status === null || account.status === status) && (friendlyName === null || account.friendlyName === friendlyName));
  const binding = [path, status ?? '', friendlyName ?? ''].join('|');
  const request = parsePageRequest(query, binding, tokens);
  const start = Math.min(request.offset, matching.length);
  const end = Math.min(matching.length, start + request.pageSize);
  const links = pageLinks(path, query, binding, tokens, request, end < matching.length);
  return JSON.stringify({
    first_page_uri: links.firstPageUri,
    end: Math.max(start, end - 1),
    previous_page_uri: links.previousPageUri,
    accounts: matching.slice(start, end).map(accountResource),
    uri: links.uri,
    page_size: request.pageSize,
    start,
    next_page_uri: links.nextPageUri,
    page: request.page,
  });
}
