/**
 * A local HTTP server that answers like Twilio's Accounts and Usage Records API (v2010), over a
 * seeded Dataset: HTTP Basic auth with Twilio's credential reach, Twilio's envelope and paging, its
 * error bodies, and its per-account concurrency limit (429 / 20429). On demand it also fails chosen
 * requests the ways Twilio, proxies and networks do (faults.ts).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { accountResource, renderAccountsPage } from './accounts';
import { type Dataset, type SimAccount, type SimApiKey } from './dataset';
import { ApiError } from './errors';
import { type Answer, FaultInjector, type FaultKind, type FaultPlan, type FaultRule, serveFault } from './faults';
import { PageTokens } from './paging';
import { USAGE_RESOURCES, UsageRecordRenderer, type UsageResource } from './usage-records';

export interface SimulatorOptions {
  dataset: Dataset;
  /** 0 (the default) = an ephemeral port. */
  port?: number;
  /** Delay before every response (except an immediate 429). */
  latencyMs?: number;
  /** In-flight requests above this get 429 / 20429 at once. */
  concurrencyLimit?: number;
  /** When set, a 429 carries Retry-After with this many seconds. */
  retryAfterSeconds?: number;
  /** Seeded fault injection: which requests fail, and how (see faults.ts). */
  faults?: FaultPlan;
  /** Told of every request as it arrives, before any answer: lets a test act while it is in flight. */
  onRequest?: (request: ArrivingRequest) => void;
}

export interface ArrivingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** 1-based arrival number. */
  ordinal: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The Basic auth username, never the password. */
  user: string | null;
  /** The fault injected into this answer, if any; status 0 = no answer at all. */
  fault?: FaultKind;
}

export interface RunningSimulator {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** Every request answered so far, in the order the answers were sent. */
  requests: RequestLogEntry[];
  dataset: Dataset;
  close(): Promise<void>;
}

const ACCOUNTS_LIST_PATH = /^\/2010-04-01\/Accounts\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;
const USAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Usage\/Records(?:\/([A-Za-z]+))?\.json$/;

/** Who the credentials name: an account with its auth token, or an API key with its secret. */
type Principal = { kind: 'account'; account: SimAccount } | { kind: 'key'; key: SimApiKey };

interface Credentials {
  user: string;
  password: string;
}

/** One request as it is being answered: what the answer depends on and where it goes. */
interface Call {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  credentials: Credentials | null;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new TwilioSimulator(options, server);
}

/**
 * The simulator's state (the dataset, the request log, the requests in flight, the fault plan) and
 * how one request is answered: admitted or refused at the concurrency limit, delayed, faulted or
 * routed to the resource that renders it.
 */
class TwilioSimulator implements RunningSimulator {
  readonly baseUrl: string;
  readonly dataset: Dataset;
  readonly requests: RequestLogEntry[] = [];
  private readonly options: SimulatorOptions;
  private readonly server: Server;
  private readonly tokens: PageTokens;
  private readonly renderer = new UsageRecordRenderer();
  private readonly injector: FaultInjector | undefined;
  private inFlight = 0;
  private received = 0;

  /** Takes over a server that already listens on 127.0.0.1. */
  constructor(options: SimulatorOptions, server: Server) {
    this.options = options;
    this.dataset = options.dataset;
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Derived from the seed so that page URIs are the same on every run of the same dataset.
    this.tokens = new PageTokens(createHash('sha256').update(`twilio-simulator-page-tokens:${this.dataset.seed}`).digest());
    this.injector = options.faults ? new FaultInjector(options.faults) : undefined;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.receive(request, response));
  }

  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive connections would otherwise hold close() open until they time out.
      this.server.closeAllConnections();
    });
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const call: Call = { request, response, url: new URL(request.url ?? '/', 'http://127.0.0.1'), credentials: parseBasicAuth(request.headers.authorization) };
    this.received += 1;
    this.options.onRequest?.({ method: request.method ?? '', path: call.url.pathname, query: call.url.searchParams, ordinal: this.received });
    if (this.options.concurrencyLimit !== undefined && this.inFlight >= this.options.concurrencyLimit) {
      const error = ApiError.tooManyRequests();
      this.send(call, { status: error.status, body: error.body(), headers: this.options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(this.options.retryAfterSeconds) } });
      return;
    }
    // Past the concurrency limit only, so that a fault is always served as planned.
    const faultRule = this.injector?.next(request.method ?? '', call.url);
    this.inFlight++;
    response.once('close', () => this.inFlight--);
    void this.serve(call, faultRule);
  }

  private async serve(call: Call, faultRule: FaultRule | undefined): Promise<void> {
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    if (faultRule?.heldUntil) await faultRule.heldUntil.catch(() => undefined);
    const fault = faultRule?.fault;
    if (!fault) {
      this.send(call, this.answer(call));
      return;
    }
    await serveFault(fault, {
      request: call.request,
      response: call.response,
      url: call.url,
      answer: () => this.answer(call),
      send: (answer) => this.send(call, answer, fault.kind),
      log: (status) => this.log(call, status, fault.kind),
    });
  }

  private send(call: Call, { status, body, headers }: Answer, fault?: FaultKind): void {
    call.response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Twilio-Concurrent-Requests': String(this.inFlight), ...headers });
    call.response.end(body);
    this.log(call, status, fault);
  }

  private log(call: Call, status: number, fault?: FaultKind): void {
    this.requests.push({
      method: call.request.method ?? '',
      path: call.url.pathname,
      query: Object.fromEntries(call.url.searchParams),
      status,
      user: call.credentials?.user ?? null,
      ...(fault ? { fault } : {}),
    });
  }

  /** The answer without any fault: the resource, or Twilio's error for why it cannot be had. */
  private answer(call: Call): Answer {
    try {
      if (call.request.method !== 'GET') throw ApiError.methodNotAllowed();
      return { status: 200, body: this.route(call.url, call.credentials) };
    } catch (error) {
      const apiError = error instanceof ApiError ? error : ApiError.internal();
      if (!(error instanceof ApiError)) console.error('twilio simulator: internal error', error);
      return {
        status: apiError.status,
        body: apiError.body(),
        ...(apiError.status === 401 ? { headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' } } : {}),
      };
    }
  }

  private route(url: URL, credentials: Credentials | null): string {
    const path = url.pathname;
    if (ACCOUNTS_LIST_PATH.test(path)) {
      const principal = this.authenticate(credentials);
      return renderAccountsPage(this.listableAccounts(principal), path, url.searchParams, this.tokens);
    }
    const accountMatch = ACCOUNT_PATH.exec(path);
    if (accountMatch) {
      const principal = this.authenticate(credentials);
      const account = this.readableAccount(accountMatch[1] ?? '', path);
      if (!this.listableAccounts(principal).includes(account)) throw ApiError.authenticate();
      return JSON.stringify(accountResource(account));
    }
    const usageMatch = USAGE_PATH.exec(path);
    const resource = usageMatch ? usageResource(usageMatch[2]) : undefined;
    if (usageMatch && resource) {
      const principal = this.authenticate(credentials);
      const account = this.readableAccount(usageMatch[1] ?? '', path);
      if (!this.reachesUsage(principal, account)) throw ApiError.authenticate();
      if (account.usageAnswers === 404) throw ApiError.notFound(path);
      if (account.usageAnswers === 403) throw ApiError.forbidden();
      return this.renderer.renderPage({ dataset: this.dataset, account, resource, path, query: url.searchParams, tokens: this.tokens });
    }
    throw ApiError.notFound(path);
  }

  private authenticate(credentials: Credentials | null): Principal {
    if (credentials) {
      const account = this.dataset.account(credentials.user);
      // Closed or suspended accounts cannot authenticate.
      if (account && account.status === 'active' && account.authToken === credentials.password) return { kind: 'account', account };
      const key = this.dataset.apiKeys.find((candidate) => candidate.sid === credentials.user);
      if (key && key.secret === credentials.password) return { kind: 'key', key };
    }
    throw ApiError.authenticate();
  }

  /** An account the path names, if it exists and has not been deleted. */
  private readableAccount(sid: string, path: string): SimAccount {
    const account = this.dataset.account(sid);
    if (!account || !account.listed) throw ApiError.notFound(path);
    return account;
  }

  /** What /Accounts.json shows the caller: the authenticating account and its (listed) subaccounts. */
  private listableAccounts(principal: Principal): SimAccount[] {
    if (principal.kind === 'key') {
      // Standard keys have no access to Account resources at all.
      if (principal.key.kind === 'standard') throw ApiError.authenticate();
      return this.dataset.accounts.filter((account) => account.listed && (account.sid === principal.key.accountSid || account.ownerAccountSid === principal.key.accountSid));
    }
    const self = principal.account;
    if (self.sid !== this.dataset.mainAccountSid) return [self];
    return this.dataset.accounts.filter((account) => account.listed);
  }

  /**
   * Main credentials read any subaccount; subaccount credentials only themselves; API keys (of either
   * kind) only the account that owns them.
   */
  private reachesUsage(principal: Principal, account: SimAccount): boolean {
    if (principal.kind === 'key') return account.sid === principal.key.accountSid;
    const self = principal.account;
    return account.sid === self.sid || (self.sid === this.dataset.mainAccountSid && account.ownerAccountSid === self.sid);
  }
}

function parseBasicAuth(header: string | undefined): Credentials | null {
  const match = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function usageResource(name: string | undefined): UsageResource | undefined {
  if (name === undefined) return 'Records';
  return USAGE_RESOURCES.find((resource) => resource !== 'Records' && resource === name);
}
