/**
 * Twilio-style list paging: PageSize/Page/PageToken in, the envelope's page URIs out.
 *
 * The PageToken is opaque to clients but here it is an HMAC over the page number and the query's
 * effective filters, so a client that edits a token, or changes a filter between pages (dropping
 * IncludeSubaccounts=false, say), is told so with a 400 instead of silently reading another scope.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const TOKEN_PREFIX = 'PT';
const MAC_BYTES = 12;

export interface PageRequest {
  page: number;
  pageSize: number;
}

/** The envelope fields every list response carries, apart from the list itself. */
export interface PageLinks {
  firstPageUri: string;
  uri: string;
  nextPageUri: string | null;
  previousPageUri: string | null;
}

export class PageTokens {
  constructor(private readonly key: Buffer) {}

  issue(binding: string, page: number): string {
    const payload = `${page}.${this.mac(binding, page).toString('base64url')}`;
    return TOKEN_PREFIX + Buffer.from(payload).toString('base64url');
  }

  /** The page a token was issued for, or null when it was not issued for this query. */
  verify(binding: string, token: string): number | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]+)$/.exec(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString());
    if (!match) return null;
    const page = Number(match[1]);
    const presented = Buffer.from(match[2] ?? '', 'base64url');
    const expected = this.mac(binding, page);
    return presented.length === expected.length && timingSafeEqual(presented, expected) ? page : null;
  }

  private mac(binding: string, page: number): Buffer {
    return createHmac('sha256', this.key).update(`${binding}\n${page}`).digest().subarray(0, MAC_BYTES);
  }
}

/**
 * Reads PageSize, Page and PageToken. `binding` names the query's effective filters; a token is only
 * valid for the query it was issued for.
 */
export function parsePageRequest(query: URLSearchParams, binding: string, tokens: PageTokens): PageRequest {
  const pageSizeText = query.get('PageSize');
  const pageSize = pageSizeText === null ? DEFAULT_PAGE_SIZE : Number(pageSizeText);
  if (pageSizeText !== null && (!/^\d+$/.test(pageSizeText) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
    throw ApiError.badRequest(`Invalid PageSize: must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const pageText = query.get('Page');
  if (pageText !== null && !/^\d{1,15}$/.test(pageText)) throw ApiError.badRequest('Invalid Page');
  const requestedPage = pageText === null ? null : Number(pageText);
  const token = query.get('PageToken');
  if (token === null) {
    // Page is "simply for client state": only the server's token can move past the first page.
    if (requestedPage !== null && requestedPage > 0) throw ApiError.badRequest('Invalid PageToken: Page > 0 needs the PageToken of next_page_uri');
    return { page: 0, pageSize };
  }
  const tokenPage = tokens.verify(`${binding}|${pageSize}`, token);
  if (tokenPage === null || (requestedPage !== null && requestedPage !== tokenPage)) throw ApiError.badRequest('Invalid PageToken');
  return { page: tokenPage, pageSize };
}

/**
 * The page URIs: relative, with every original query parameter kept in its order (PageSize added when
 * absent), then Page and, past the first page, PageToken.
 */
export function pageLinks(path: string, query: URLSearchParams, binding: string, tokens: PageTokens, request: PageRequest, hasNextPage: boolean): PageLinks {
  const kept = new URLSearchParams();
  for (const [name, value] of query) if (name !== 'Page' && name !== 'PageToken') kept.append(name, value);
  if (!kept.has('PageSize')) kept.append('PageSize', String(request.pageSize));
  const pageUri = (page: number, withToken: boolean): string => {
    const params = new URLSearchParams(kept);
    params.append('Page', String(page));
    if (withToken) params.append('PageToken', tokens.issue(`${binding}|${request.pageSize}`, page));
    return `${path}?${params.toString()}`;
  };
  return {
    firstPageUri: pageUri(0, false),
    uri: pageUri(request.page, query.has('PageToken')),
    nextPageUri: hasNextPage ? pageUri(request.page + 1, true) : null,
    previousPageUri: request.page > 0 ? pageUri(request.page - 1, true) : null,
  };
}
