/**
 * Deterministic fault injection: rules that make chosen requests fail the way Twilio, a proxy or the
 * network fail them. Whether a rule hits a request is drawn from the plan's seed and the request's
 * URL and attempt (the how-many-th time that exact URL arrives), never from arrival order, so the
 * same requests fail on every run however concurrent requests interleave. Only `fromRequest` and
 * `untilRequest` count arrivals, for faults that are about time ("the key is revoked mid-sync").
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

import { ApiError } from './errors';

/** An HTTP answer of the simulator, before it is written. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export type TwilioErrorStatus = 401 | 403 | 404 | 429 | 500 | 503;

export type Fault =
  /**
   * Twilio's JSON error for the status (429 → 20429, 401 → 20003 …). `echoRequest` puts the request
   * line and its Authorization header into the error's message, as a careless proxy might.
   */
  | { kind: 'twilio-error'; status: TwilioErrorStatus; retryAfterSeconds?: number; echoRequest?: boolean }
  /** A proxy's HTML error page instead of JSON. */
  | { kind: 'html-error-page'; status: number }
  /** The connection is dropped before any answer. */
  | { kind: 'connection-reset' }
  /** The real answer's headers (its full Content-Length), half its body, then the connection dropped. */
  | { kind: 'truncated-body' }
  /** The real answer, after `delayMs` more (longer than the client's request timeout, typically), unless the client hangs up first. */
  | { kind: 'slow'; delayMs: number }
  /** The real page, but its next_page_uri is its own uri: a client that follows it never ends. */
  | { kind: 'next-page-loop' }
  /** A page whose next_page_uri is always a new page (a fresh PageToken), empty, without end. */
  | { kind: 'endless-paging' }
  /** A 200 whose gzip body (about 1 KB a MiB) inflates to `decodedMiB` MiB of spaces. */
  | { kind: 'gzip-bomb'; decodedMiB: number }
  /** The real page, and copies of its first `rows` usage records that name `accountSid` instead: rows of another account than the one asked for. */
  | { kind: 'foreign-rows'; accountSid: string; rows: number }
  /** The real page, with the price of every usage record of `category` written as `price` (a decimal Twilio might one day send). */
  | { kind: 'rewrite-price'; category: string; price: string }
  /** A 302 to the same path and query on `origin`. */
  | { kind: 'redirect'; origin: string }
  /** The real page, with next_page_uri made absolute on `origin`. */
  | { kind: 'foreign-next-page'; origin: string };

export type FaultKind = Fault['kind'];

/** What a rule's `when` sees of a request. */
export interface FaultedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** 1 for the first time this exact URL (path and query) arrives, 2 for its first retry … */
  attempt: number;
  /** 1-based arrival number among all requests. */
  ordinal: number;
}

export interface FaultRule {
  fault: Fault;
  /** Narrows the requests the rule applies to (default: all). */
  when?: (request: FaultedRequest) => boolean;
  /** The share of those requests that fail, drawn per (URL, attempt) from the seed (default 1). */
  share?: number;
  /** Each URL fails at most this many times, then answers normally (default: no limit). */
  timesPerUrl?: number;
  /** Only requests whose arrival number is at least this (1-based). */
  fromRequest?: number;
  /** Only requests whose arrival number is at most this. */
  untilRequest?: number;
  /**
   * The requests the rule selects wait unanswered until this settles, then get the fault: for a
   * fault that must come after something the test watches for, however long that takes.
   */
  heldUntil?: Promise<unknown>;
}

export interface FaultPlan {
  seed: number;
  /** The first rule that selects a request decides its fault. */
  rules: readonly FaultRule[];
}

const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><title>Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>The upstream server did not answer in time. Please try again.</p></body></html>\n';

export class FaultInjector {
  private received = 0;
  private readonly attemptsByUrl = new Map<string, number>();
  /** By rule index and URL: how often that rule has hit that URL. */
  private readonly hitsByRuleAndUrl = new Map<string, number>();

  constructor(private readonly plan: FaultPlan) {}

  /** Counts a request's arrival and picks the rule that decides its fault, if any. */
  next(method: string, url: URL): FaultRule | undefined {
    this.received += 1;
    const urlKey = `${method} ${url.pathname}${url.search}`;
    const attempt = (this.attemptsByUrl.get(urlKey) ?? 0) + 1;
    this.attemptsByUrl.set(urlKey, attempt);
    const request: FaultedRequest = { method, path: url.pathname, query: url.searchParams, attempt, ordinal: this.received };
    for (const [index, rule] of this.plan.rules.entries()) {
      if (rule.fromRequest !== undefined && request.ordinal < rule.fromRequest) continue;
      if (rule.untilRequest !== undefined && request.ordinal > rule.untilRequest) continue;
      if (rule.when && !rule.when(request)) continue;
      const hitKey = `${index}|${urlKey}`;
      const hits = this.hitsByRuleAndUrl.get(hitKey) ?? 0;
      if (rule.timesPerUrl !== undefined && hits >= rule.timesPerUrl) continue;
      if (rule.share !== undefined && this.draw(index, urlKey, attempt) >= rule.share) continue;
      this.hitsByRuleAndUrl.set(hitKey, hits + 1);
      return rule;
    }
    return undefined;
  }

  /** Uniform in [0, 1), a function of the seed, the rule and the request only. */
  private draw(ruleIndex: number, urlKey: string, attempt: number): number {
    return createHash('sha256').update(`${this.plan.seed}|${ruleIndex}|${urlKey}|${attempt}`).digest().readUInt32BE(0) / 4_294_967_296;
  }
}

/** One request's exchange, as the server hands it to a fault. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Computes the answer the simulator would give without the fault. */
  answer(): Answer;
  /** Writes a whole answer and logs it. */
  send(answer: Answer): void;
  /** Logs an answer that was not written whole (a reset, a cut-off body). */
  log(status: number): void;
}

/** Answers a request with a fault instead of (or made from) the real answer. */
export async function serveFault(fault: Fault, exchange: Exchange): Promise<void> {
  switch (fault.kind) {
    case 'twilio-error': {
      const error = twilioError(fault.status, exchange.url.pathname);
      const message = fault.echoRequest
        ? `${error.message} while serving ${exchange.request.method ?? 'GET'} ${exchange.url.pathname}${exchange.url.search} (Authorization: ${exchange.request.headers.authorization ?? 'none'})`
        : error.message;
      const headers: Record<string, string> = {
        ...(fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) }),
        ...(fault.status === 401 ? { 'WWW-Authenticate': 'Basic realm="Twilio API"' } : {}),
      };
      exchange.send({ status: error.status, body: new ApiError(error.status, error.code, message).body(), headers });
      return;
    }
    case 'html-error-page':
      exchange.send({ status: fault.status, body: HTML_ERROR_PAGE, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
      return;
    case 'connection-reset':
      exchange.request.socket.destroy();
      exchange.log(0);
      return;
    case 'truncated-body': {
      const real = exchange.answer();
      const bytes = Buffer.from(real.body);
      exchange.response.writeHead(real.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(bytes.length), ...real.headers });
      // Cut inside the JSON, then drop the connection once that part is on the wire.
      exchange.response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => exchange.request.socket.destroy());
      exchange.log(real.status);
      return;
    }
    case 'slow': {
      // A client that gave up first has closed the connection: nothing to answer, nothing to wait for.
      const clientWaited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), fault.delayMs);
        exchange.response.once('close', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (clientWaited) exchange.send(exchange.answer());
      else exchange.log(0);
      return;
    }
    case 'next-page-loop':
      exchange.send(rewritePage(exchange.answer(), (page) => ({ ...page, next_page_uri: page.uri })));
      return;
    case 'endless-paging': {
      const query = new URLSearchParams(exchange.url.search);
      const page = Number(query.get('Page') ?? '0');
      query.set('Page', String(page + 1));
      query.set('PageToken', `PTendless${page + 1}`);
      const list = exchange.url.pathname.endsWith('/Accounts.json') ? 'accounts' : 'usage_records';
      const uri = `${exchange.url.pathname}${exchange.url.search}`;
      exchange.send({
        status: 200,
        body: JSON.stringify({
          [list]: [],
          page,
          page_size: Number(query.get('PageSize') ?? 50),
          start: 0,
          end: 0,
          uri,
          first_page_uri: uri,
          previous_page_uri: null,
          next_page_uri: `${exchange.url.pathname}?${query.toString()}`,
        }),
      });
      return;
    }
    case 'gzip-bomb': {
      exchange.response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' });
      // Gzip members may follow one another; a client inflates them as one body.
      const member = gzipSync(Buffer.alloc(1024 * 1024, ' '), { level: 9 });
      const write = (left: number): void => {
        if (left === 0 || exchange.response.destroyed) {
          exchange.response.end();
          return;
        }
        if (exchange.response.write(member)) write(left - 1);
        else exchange.response.once('drain', () => write(left - 1));
      };
      // A client that stops reading closes the connection: the rest is never sent.
      exchange.response.on('error', () => undefined);
      write(fault.decodedMiB);
      exchange.log(200);
      return;
    }
    case 'foreign-rows':
      exchange.send(
        rewritePage(exchange.answer(), (page) => {
          const records = page.usage_records as Array<Record<string, unknown>>;
          return { ...page, usage_records: [...records, ...records.slice(0, fault.rows).map((record) => ({ ...record, account_sid: fault.accountSid }))] };
        }),
      );
      return;
    case 'rewrite-price':
      exchange.send(
        rewritePage(exchange.answer(), (page) => ({
          ...page,
          usage_records: (page.usage_records as Array<Record<string, unknown>>).map((record) => (record.category === fault.category ? { ...record, price: fault.price } : record)),
        })),
      );
      return;
    case 'redirect':
      exchange.send({ status: 302, body: '', headers: { Location: `${fault.origin}${exchange.url.pathname}${exchange.url.search}` } });
      return;
    case 'foreign-next-page':
      exchange.send(rewritePage(exchange.answer(), (page) => (typeof page.next_page_uri === 'string' ? { ...page, next_page_uri: `${fault.origin}${page.next_page_uri}` } : page)));
      return;
  }
}

function twilioError(status: TwilioErrorStatus, path: string): ApiError {
  switch (status) {
    case 401:
      return ApiError.authenticate();
    case 403:
      return ApiError.forbidden();
    case 404:
      return ApiError.notFound(path);
    case 429:
      return ApiError.tooManyRequests();
    case 500:
      return ApiError.internal();
    case 503:
      return ApiError.serviceUnavailable();
  }
}

/** Edits the envelope of a successful list page; any other answer passes unchanged. */
function rewritePage(answer: Answer, edit: (page: Record<string, unknown>) => Record<string, unknown>): Answer {
  if (answer.status !== 200) return answer;
  const page = JSON.parse(answer.body) as Record<string, unknown>;
  return { ...answer, body: JSON.stringify(edit(page)) };
}
