import { createHash, type Hash } from 'node:crypto';

import { isJsonObject } from '../protocol/json';
import { isRetried } from './error-policy';
import { TwilioApiError, TwilioListingChangedError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from './errors';
import { type HttpAnswer, type HttpGet, httpGet } from './http-get';
import type { ConcurrencyLimiter } from './limiter';
import { jsonTypeOf, type TwilioList, type WireShape, withoutSubresourceUris } from './wire';

export interface TwilioCredentials {
  /** An Account SID (with its Auth Token) or an API key SID (with its secret). */
  username: string;
  password: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server's Retry-After, so one answer cannot stall the sync for hours. */
  maxRetryAfterMs: number;
}

export interface TwilioClientOptions {
  baseUrl: URL;
  credentials: TwilioCredentials;
  limiter: ConcurrencyLimiter;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  /** How requests are sent: node:http unless a test passes a fetch of its own. */
  fetch?: HttpGet;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told about every retry, for logs and progress. */
  onRetry?: (event: { path: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Told about every request sent, for progress. */
  onRequest?: (path: string) => void;
  /** The most bytes of one answer's body, decoded (MAX_RESPONSE_BYTES unless a test says less). */
  maxResponseBytes?: number;
}

/** How a caller pages a listing (TwilioClient.paginate). */
export interface PagingOptions {
  /**
   * The most rows the listing can hold (a window's days × its categories, say). A listing that
   * names a next page long past it is paging without end, and fails rather than run forever.
   */
  maxRows: number;
  /**
   * Runs before each request and returns what to run once the caller comes back for the next page
   * (or stops): how a caller bounds the pages it has in hand.
   */
  beforePage?: () => Promise<() => void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const MAX_PAGE_SIZE = 1000;
const MIN_PAGE_SIZE = 50;
/** What Twilio pages by when a URL names no PageSize. */
const TWILIO_DEFAULT_PAGE_SIZE = 50;
/**
 * The most bytes of one answer, decoded (a gzip body is counted as it inflates). A Twilio page of
 * 1000 usage records is about 1 MB; an answer 32 times that is not a page, and reading it whole
 * (a gzip bomb inflates 2 MB into 2 GiB) would exhaust memory.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Pages a listing may take beyond what its rows fill, as a share of those: Twilio's pages are not always full. */
const PAGING_MARGIN = 2;

/** A page of a Twilio list: the items under `listKey` and the relative next page URI. */
export interface TwilioPage<T> {
  items: T[];
  nextPageUri: string | null;
}

/** The items of a listing handed on so far: how many, and a hash of their identities in order. */
interface HandedOn {
  count: number;
  identities: Hash;
}

/** A pass that starts a listing again: the items handed on before that it still has to pass, and a hash of those it has passed. */
interface Skipping {
  remaining: number;
  identities: Hash;
}

/** A page as a caller selected it from its items (undefined: none to hand on), and the next page. */
interface SelectedPage<R> {
  selected: R | undefined;
  nextPageUri: string | null;
}

/** Items' identities as hashed, one line each: a page's at once, the same digest as item by item. */
function identitiesOf<T>(list: TwilioList<T>, items: readonly T[]): string {
  let text = '';
  for (const item of items) text += `${list.identity(item)}\n`;
  return text;
}

type Outcome = { kind: 'ok'; body: unknown } | { kind: 'retry'; error: TwilioApiError | TwilioNetworkError; retryAfterMs?: number; rateLimited: boolean };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A later page of a listing kept failing with 5xx at its PageSize. Its PageToken names a position
 * counted in pages of that size, so it cannot be asked for smaller: the listing starts again from
 * its first page at `pageSize`.
 */
class PageSizeFallback extends Error {
  constructor(readonly pageSize: number) {
    super(`the listing restarts at PageSize=${pageSize}`);
    this.name = 'PageSizeFallback';
  }
}

/**
 * Twilio's REST API over HTTP: Basic auth, a timeout on every request, retries with jittered
 * exponential backoff (honouring Retry-After) on 429, 5xx and network failures, all under one
 * shared concurrency limiter. Redirects are never followed, so credentials go to one origin only.
 */
export class TwilioClient {
  private readonly authorization: string;
  private readonly fetchFn: HttpGet;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: TwilioClientOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.authorization = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
    this.fetchFn = options.fetch ?? httpGet;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** The Authorization header value, so the output layer can redact it if it ever shows up. */
  get authorizationHeader(): string {
    return this.authorization;
  }

  /** GETs a path (with query) or a relative URI from Twilio, retrying what is worth retrying. */
  async get(pathOrUri: string, query: Record<string, string> = {}): Promise<unknown> {
    return this.getWithRetries(this.resolve(pathOrUri, query), false);
  }

  /**
   * GETs a URL until it answers or retries run out. A page that keeps failing with 5xx is asked
   * for with a smaller PageSize: the first page of a listing in place, a later one (`inListing`)
   * by PageSizeFallback, for the paginator to start the listing again.
   */
  private async getWithRetries(initialUrl: URL, inListing: boolean): Promise<unknown> {
    let url = initialUrl;
    let serverErrors = 0;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.options.limiter.run(
        () => this.attempt(url),
        (result) => (result.kind === 'ok' ? 'ok' : result.rateLimited ? 'rate_limited' : 'neutral'),
      );
      if (outcome.kind === 'ok') return outcome.body;
      if (outcome.retryAfterMs !== undefined) this.options.limiter.holdOff(outcome.retryAfterMs);
      if (attempt >= this.options.retry.maxAttempts) throw new TwilioRetriesExhaustedError(attempt, outcome.error);
      let restartAt: number | undefined;
      if (outcome.error instanceof TwilioApiError && outcome.error.status >= 500) {
        serverErrors += 1;
        // Twilio is known to fail large usage pages with 500 while smaller ones work.
        const smaller = serverErrors >= 2 ? smallerPageSize(url) : undefined;
        if (smaller !== undefined && !url.searchParams.has('PageToken')) url = withPageSize(url, smaller);
        else if (smaller !== undefined && inListing) restartAt = smaller;
      }
      const delayMs = outcome.retryAfterMs ?? this.backoffDelay(attempt);
      this.options.onRetry?.({ path: url.pathname, attempt, delayMs, reason: outcome.error.message });
      await this.sleep(delayMs);
      if (restartAt !== undefined) throw new PageSizeFallback(restartAt);
    }
  }

  /** A resource (not a list), checked to have the shape it should. */
  async getResource<T>(pathOrUri: string, shape: WireShape<T>, query: Record<string, string> = {}): Promise<T> {
    const body = await this.get(pathOrUri, query);
    if (!shape.is(body)) throw this.malformed(pathOrUri, query, shape.problem(body));
    return body;
  }

  /** One page of a list resource, every item checked to have the list's item shape. */
  async getPage<T>(pathOrUri: string, list: TwilioList<T>, query: Record<string, string> = {}): Promise<TwilioPage<T>> {
    return this.checkedPage(pathOrUri, list, query, false);
  }

  private async checkedPage<T>(pathOrUri: string, list: TwilioList<T>, query: Record<string, string>, inListing: boolean): Promise<TwilioPage<T>> {
    const body = await this.getWithRetries(this.resolve(pathOrUri, query), inListing);
    const listed = isJsonObject(body) ? body[list.key] : undefined;
    if (!isJsonObject(body) || !Array.isArray(listed)) throw this.malformed(pathOrUri, query, `the response has no "${list.key}" list`);
    const items: T[] = [];
    for (const [index, item] of listed.entries()) {
      if (!list.item.is(item)) throw this.malformed(pathOrUri, query, list.item.problem(item, `${list.key}[${index}]`));
      items.push(item);
    }
    const next = body.next_page_uri;
    // Absent is taken as null, the last page: a list without paging has no next page to name.
    if (next !== undefined && next !== null && typeof next !== 'string') throw this.malformed(pathOrUri, query, `next_page_uri is ${jsonTypeOf(next)}, not a string or null`);
    return { items, nextPageUri: typeof next === 'string' && next !== '' ? next : null };
  }

  /** A 200 whose JSON is not what the resource should be: a change at Twilio, not worth a retry. */
  private malformed(pathOrUri: string, query: Record<string, string>, problem: string | undefined): TwilioApiError {
    return new TwilioApiError('GET', this.resolve(pathOrUri, query).pathname, 200, undefined, problem);
  }

  /**
   * Every page of a list, following next_page_uri verbatim until it is null, refusing one that
   * points back at a page already read, and stopping a listing that names more pages than its
   * `maxRows` can fill (with a margin), each with a fresh token: neither would ever end.
   *
   * A later page that keeps failing with 5xx restarts the listing from its first page at a smaller
   * PageSize (its token is good for one page size only). Each item is handed on once: the rows
   * already handed on are skipped, after checking by their identities that the listing still
   * begins with them (else TwilioListingChangedError, rather than a row lost or repeated).
   */
  paginate<T>(path: string, list: TwilioList<T>, query: Record<string, string>, paging: PagingOptions): AsyncGenerator<T[]> {
    return this.paginateInto(path, list, query, paging, (items) => items);
  }

  /**
   * paginate, each page handed on as `select` makes it of its items. The items (and the response's
   * object graph) live only until `select` returns: a caller that keeps little of a page (the
   * window reader keeps its needed rows) never holds the page while the next one is fetched, which
   * a generator holding the items across its yield would do for every listing in flight.
   */
  async *paginateInto<T, R>(path: string, list: TwilioList<T>, query: Record<string, string>, paging: PagingOptions, select: (items: T[]) => R): AsyncGenerator<R> {
    let pageQuery = query;
    const handedOn: HandedOn = { count: 0, identities: createHash('sha256') };
    for (;;) {
      const pass = this.listingPass(path, list, pageQuery, handedOn, paging, select);
      try {
        yield* pass;
        return;
      } catch (error) {
        if (!(error instanceof PageSizeFallback)) throw error;
        pageQuery = { ...query, PageSize: String(error.pageSize) };
      }
    }
  }

  /**
   * One pass over a listing from its first page: its items past those `handedOn` already holds
   * (which must be the listing's first ones), each added to it as it is handed on.
   */
  private async *listingPass<T, R>(path: string, list: TwilioList<T>, query: Record<string, string>, handedOn: HandedOn, paging: PagingOptions, select: (items: T[]) => R): AsyncGenerator<R> {
    const seen = new Set<string>();
    const skipping: Skipping = { remaining: handedOn.count, identities: createHash('sha256') };
    let uri: string | null = path;
    let pageQuery = query;
    while (uri !== null) {
      const url = this.resolve(uri, pageQuery);
      const key = url.toString();
      if (seen.has(key)) throw new TwilioPaginationLoopError(url.pathname);
      seen.add(key);
      // Pages only get smaller (a retry halves them), so the page asked for now bounds them all.
      const pageSize = Number(url.searchParams.get('PageSize') ?? TWILIO_DEFAULT_PAGE_SIZE) || TWILIO_DEFAULT_PAGE_SIZE;
      const maxPages = Math.ceil((PAGING_MARGIN * paging.maxRows) / pageSize) + 1;
      if (seen.size > maxPages) throw new TwilioPagingLimitError(url.pathname, seen.size - 1, paging.maxRows);
      const afterPage = await paging.beforePage?.();
      try {
        const page: SelectedPage<R> = await this.selectedPage(uri, list, pageQuery, { path, query }, handedOn, skipping, select);
        uri = page.nextPageUri;
        pageQuery = {};
        if (page.selected !== undefined) yield page.selected;
      } finally {
        afterPage?.();
      }
    }
  }

  /**
   * A page of a listing pass, as `select` makes it of the items not handed on yet (undefined when
   * there are none), and its next page. The items go out of reach when this returns.
   */
  private async selectedPage<T, R>(
    uri: string,
    list: TwilioList<T>,
    pageQuery: Record<string, string>,
    listing: { path: string; query: Record<string, string> },
    handedOn: HandedOn,
    skipping: Skipping,
    select: (items: T[]) => R,
  ): Promise<SelectedPage<R>> {
    const page = await this.checkedPage(uri, list, pageQuery, true);
    const skipped = page.items.slice(0, skipping.remaining);
    const items = skipped.length === 0 ? page.items : page.items.slice(skipped.length);
    if (skipping.remaining > 0) {
      skipping.identities.update(identitiesOf(list, skipped));
      skipping.remaining -= skipped.length;
      // Past the rows handed on (or at the end, short of them), they must have been the same rows.
      const changed = skipping.remaining === 0 ? skipping.identities.digest('hex') !== handedOn.identities.copy().digest('hex') : page.nextPageUri === null;
      if (changed) throw new TwilioListingChangedError(this.resolve(listing.path, listing.query).pathname, Number(listing.query.PageSize));
    }
    handedOn.identities.update(identitiesOf(list, items));
    handedOn.count += items.length;
    return { selected: items.length > 0 ? select(items) : undefined, nextPageUri: page.nextPageUri };
  }

  /**
   * An API path or URI as a URL under the base URL. Paths, Twilio's next_page_uri included, are
   * put under the base URL's path prefix: Twilio names its pages without a proxy's prefix.
   */
  private resolve(pathOrUri: string, query: Record<string, string>): URL {
    const prefix = this.options.baseUrl.pathname.replace(/\/+$/, '');
    const url = new URL(pathOrUri.startsWith('/') ? `${prefix}${pathOrUri}` : pathOrUri, this.options.baseUrl);
    if (url.origin !== this.options.baseUrl.origin) {
      // A next_page_uri that names another host would receive our credentials: refuse it.
      throw new TwilioApiError('GET', url.pathname, 0, undefined, `refusing to send credentials to another origin (${url.host})`);
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  private async attempt(url: URL): Promise<Outcome> {
    const path = url.pathname;
    this.options.onRequest?.(url.pathname);
    let response: HttpAnswer;
    const signal = AbortSignal.timeout(this.options.requestTimeoutMs);
    try {
      response = await this.fetchFn(url, { method: 'GET', headers: { Authorization: this.authorization, Accept: 'application/json' }, redirect: 'manual', signal });
    } catch (error) {
      return { kind: 'retry', error: new TwilioNetworkError('GET', path, describeFetchFailure(error, this.options.requestTimeoutMs)), rateLimited: false };
    }
    let text: string | undefined;
    try {
      text = await readBodyUpTo(response, this.maxResponseBytes);
    } catch (error) {
      // node:http ends a body the timeout aborted as a reset connection: name the timeout.
      const cause = signal.aborted ? (signal.reason as unknown) : error;
      return { kind: 'retry', error: new TwilioNetworkError('GET', path, `the response body was cut off (${describeFetchFailure(cause, this.options.requestTimeoutMs)})`), rateLimited: false };
    }
    if (text === undefined) {
      // Worth another try: a proxy's or a broken server's answer, not a page.
      return { kind: 'retry', error: new TwilioNetworkError('GET', path, `the answer is larger than ${describeBytes(this.maxResponseBytes)} decoded, this source's cap on one answer`), rateLimited: false };
    }
    const body = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) {
        // A 200 whose body is not JSON (a proxy's HTML page, a truncated body) is worth another try.
        return { kind: 'retry', error: new TwilioNetworkError('GET', path, 'the response body is not JSON'), rateLimited: false };
      }
      return { kind: 'ok', body };
    }
    const code = isJsonObject(body) && typeof body.code === 'number' ? body.code : undefined;
    const error = new TwilioApiError('GET', path, response.status, code);
    if (isRetried(error)) {
      return { kind: 'retry', error, retryAfterMs: this.retryAfter(response), rateLimited: response.status === 429 };
    }
    throw error;
  }

  private retryAfter(response: HttpAnswer): number | undefined {
    const header = response.headers.get('retry-after');
    if (!header) return undefined;
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    if (!Number.isFinite(ms) || ms < 0) return undefined;
    return Math.min(ms, this.options.retry.maxRetryAfterMs);
  }

  /** Full jitter: uniformly random up to the capped exponential step. */
  private backoffDelay(attempt: number): number {
    const cap = Math.min(this.options.retry.maxDelayMs, this.options.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * cap);
  }
}

/** Half the URL's PageSize (not below MIN_PAGE_SIZE), or undefined when it cannot get smaller. */
function smallerPageSize(url: URL): number | undefined {
  const current = Number(url.searchParams.get('PageSize') ?? MAX_PAGE_SIZE);
  if (!Number.isFinite(current) || current <= MIN_PAGE_SIZE) return undefined;
  return Math.max(MIN_PAGE_SIZE, Math.floor(current / 2));
}

function withPageSize(url: URL, pageSize: number): URL {
  const resized = new URL(url);
  resized.searchParams.set('PageSize', String(pageSize));
  return resized;
}

/**
 * A response's body as text, read as a stream and counted as it is decoded; undefined (the rest
 * left unread, the connection dropped) once it passes `maxBytes`.
 */
async function readBodyUpTo(response: HttpAnswer, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  // Leaving the loop early cancels the body, so the rest is never read.
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes).toString('utf8');
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(withoutSubresourceUris(text));
  } catch {
    return undefined;
  }
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code ? `connection error ${code}` : 'connection error';
}
