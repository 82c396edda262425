/**
 * Twilio-style list paging: PageSize/Page/PageToken in, the envelope's page URIs out.
 *
 * The PageToken is opaque to clients but here it is an HMAC over a position in the listing (the
 * page number it was issued as, the row it starts at and the page size it counts in) and the
 * query's effective filters. Like Twilio's, it names a position for one page size: sent with
 * another PageSize (a client retrying a page that fails when large), it is refused with 400 / 20001,
 * as Twilio refuses it. A client that edits a token, or changes a filter between pages (dropping
 * IncludeSubaccounts=false, say), is told so with a 400 instead of silently reading another scope.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { ApiError } from './errors';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const TOKEN_PREFIX = 'PT';
const MAC_BYTES = 12;

export interface PageRequest {
  /** The page number, as the client counts pages (Page); only client state. */
  page: number;
  pageSize: number;
  /** The first row of the page. */
  offset: number;
}

/** Where a page token points, in pages of one size. */
interface PagePosition {
  page: number;
  offset: number;
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

  issue(binding: string, position: PagePosition): string {
    const payload = `${position.page}.${position.offset}.${position.pageSize}.${this.mac(binding, position).toString('base64url')}`;
    return TOKEN_PREFIX + Buffer.from(payload).toString('base64url');
  }

  /** The position a token was issued for, or null when it was not issued for this query. */
  verify(binding: string, token: string): PagePosition | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const match = /^(\d{1,15})\.(\d{1,15})\.(\d{1,4})\.([A-Za-z0-9_-]+)$/.exec(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString());
    if (!match) return null;
    const position = { page: Number(match[1]), offset: Number(match[2]), pageSize: Number(match[3]) };
    const presented = Buffer.from(match[4] ?? '', 'base64url');
    const expected = this.mac(binding, position);
    return presented.length === expected.length && timingSafeEqual(presented, expected) ? position : null;
  }

  private mac(binding: string, position: PagePosition): Buffer {
    return createHmac('sha256', this.key).update(`${binding}\n${position.page}\n${position.offset}\n${position.pageSize}`).digest().subarray(0, MAC_BYTES);
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
    return { page: 0, pageSize, offset: 0 };
  }
  const position = tokens.verify(binding, token);
  if (position === null || (requestedPage !== null && requestedPage !== position.page)) throw ApiError.badRequest('Invalid PageToken');
  // The token counts rows in pages of its own size: with another, its position means nothing.
  if (position.pageSize !== pageSize) throw ApiError.badRequest(`Invalid PageToken: it was issued for PageSize=${position.pageSize}, not ${pageSize}`);
  return { page: position.page, pageSize, offset: position.offset };
}

/**
 * The page URIs: relative, with every original query parameter kept in its order (PageSize added when
 * absent), then Page and, past the first page, PageToken.
 */
export function pageLinks(path: string, query: URLSearchParams, binding: string, tokens: PageTokens, request: PageRequest, hasNextPage: boolean): PageLinks {
  const kept = new URLSearchParams();
  for (const [name, value] of query) if (name !== 'Page' && name !== 'PageToken') kept.append(name, value);
  if (!kept.has('PageSize')) kept.append('PageSize', String(request.pageSize));
  const pageUri = (position: Omit<PagePosition, 'pageSize'>, withToken: boolean): string => {
    const params = new URLSearchParams(kept);
    params.append('Page', String(position.page));
    if (withToken) params.append('PageToken', tokens.issue(binding, { ...position, pageSize: request.pageSize }));
    return `${path}?${params.toString()}`;
  };
  return {
    firstPageUri: pageUri({ page: 0, offset: 0 }, false),
    uri: pageUri({ page: request.page, offset: request.offset }, query.has('PageToken')),
    nextPageUri: hasNextPage ? pageUri({ page: request.page + 1, offset: request.offset + request.pageSize }, true) : null,
    previousPageUri: request.offset > 0 ? pageUri({ page: Math.max(0, request.page - 1), offset: Math.max(0, request.offset - request.pageSize) }, true) : null,
  };
}
