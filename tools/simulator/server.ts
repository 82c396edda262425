/**
 * A local HTTP server that answers like Twilio's Accounts and Usage Records API (v2010), over a
 * seeded Dataset: HTTP Basic auth with Twilio's credential reach, Twilio's envelope and paging, its
 * error bodies, and its per-account concurrency limit (429 / 20429). On demand it also fails chosen
 * requests the ways Twilio, proxies and networks do (faults.ts).
 */
import { createHash } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { accountResource, renderAccountsPage } from './accounts';
import { type Dataset, type SimAccount, type SimApiKey } from './dataset';
import { ApiError } from './errors';
import { type Answer, type FaultKind, FaultInjector, type FaultPlan, serveFault } from './faults';
import { PageTokens } from './paging';
import { USAGE_RESOURCES, type UsageResource, UsageRecordRenderer } from './usage-records';

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

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { dataset } = options;
  const requests: RequestLogEntry[] = [];
  // Derived from the seed so that page URIs are the same on every run of the same dataset.
  const tokens = new PageTokens(createHash('sha256').update(`twilio-simulator-page-tokens:${dataset.seed}`).digest());
  const renderer = new UsageRecordRenderer();
  const injector = options.faults ? new FaultInjector(options.faults) : undefined;
  let inFlight = 0;
  let received = 0;

  const server = createServer((request, response) => {
    const credentials = parseBasicAuth(request.headers.authorization);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    received += 1;
    options.onRequest?.({ method: request.method ?? '', path: url.pathname, query: url.searchParams, ordinal: received });
    const log = (status: number, fault?: FaultKind): void => {
      requests.push({
        method: request.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status,
        user: credentials?.user ?? null,
        ...(fault ? { fault } : {}),
      });
    };
    const send = ({ status, body, headers }: Answer, fault?: FaultKind): void => {
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Twilio-Concurrent-Requests': String(inFlight), ...headers });
      response.end(body);
      log(status, fault);
    };
    if (options.concurrencyLimit !== undefined && inFlight >= options.concurrencyLimit) {
      const error = ApiError.tooManyRequests();
      send({ status: error.status, body: error.body(), headers: options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(options.retryAfterSeconds) } });
      return;
    }
    // Past the concurrency limit only, so that a fault is always served as planned.
    const faultRule = injector?.next(request.method ?? '', url);
    const fault = faultRule?.fault;
    inFlight++;
    response.once('close', () => inFlight--);
    void (async () => {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (faultRule?.heldUntil) await faultRule.heldUntil.catch(() => undefined);
      const real = (): Answer => answer(request, url, credentials);
      if (fault) await serveFault(fault, { request, response, url, answer: real, send: (answer) => send(answer, fault.kind), log: (status) => log(status, fault.kind) });
      else send(real());
    })();
  });

  function answer(request: IncomingMessage, url: URL, credentials: Credentials | null): Answer {
    try {
      if (request.method !== 'GET') throw ApiError.methodNotAllowed();
      return { status: 200, body: route(url, credentials) };
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

  function route(url: URL, credentials: Credentials | null): string {
    const path = url.pathname;
    if (ACCOUNTS_LIST_PATH.test(path)) {
      const principal = authenticate(dataset, credentials);
      return renderAccountsPage(listableAccounts(dataset, principal), path, url.searchParams, tokens);
    }
    const accountMatch = ACCOUNT_PATH.exec(path);
    if (accountMatch) {
      const principal = authenticate(dataset, credentials);
      const account = readableAccount(dataset, accountMatch[1] ?? '', path);
      if (!listableAccounts(dataset, principal).includes(account)) throw ApiError.authenticate();
      return JSON.stringify(accountResource(account));
    }
    const usageMatch = USAGE_PATH.exec(path);
    const resource = usageMatch ? usageResource(usageMatch[2]) : undefined;
    if (usageMatch && resource) {
      const principal = authenticate(dataset, credentials);
      const account = readableAccount(dataset, usageMatch[1] ?? '', path);
      if (!reachesUsage(dataset, principal, account)) throw ApiError.authenticate();
      if (account.usageAnswers === 404) throw ApiError.notFound(path);
      if (account.usageAnswers === 403) throw ApiError.forbidden();
      return renderer.renderPage({ dataset, account, resource, path, query: url.searchParams, tokens });
    }
    throw ApiError.notFound(path);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    dataset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

function parseBasicAuth(header: string | undefined): Credentials | null {
  const match = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function authenticate(dataset: Dataset, credentials: Credentials | null): Principal {
  if (credentials) {
    const account = dataset.account(credentials.user);
    // Closed or suspended accounts cannot authenticate.
    if (account && account.status === 'active' && account.authToken === credentials.password) return { kind: 'account', account };
    const key = dataset.apiKeys.find((candidate) => candidate.sid === credentials.user);
    if (key && key.secret === credentials.password) return { kind: 'key', key };
  }
  throw ApiError.authenticate();
}

/** An account the path names, if it exists and has not been deleted. */
function readableAccount(dataset: Dataset, sid: string, path: string): SimAccount {
  const account = dataset.account(sid);
  if (!account || !account.listed) throw ApiError.notFound(path);
  return account;
}

/** What /Accounts.json shows the caller: the authenticating account and its (listed) subaccounts. */
function listableAccounts(dataset: Dataset, principal: Principal): SimAccount[] {
  if (principal.kind === 'key') {
    // Standard keys have no access to Account resources at all.
    if (principal.key.kind === 'standard') throw ApiError.authenticate();
    return dataset.accounts.filter((account) => account.listed && (account.sid === principal.key.accountSid || account.ownerAccountSid === principal.key.accountSid));
  }
  const self = principal.account;
  if (self.sid !== dataset.mainAccountSid) return [self];
  return dataset.accounts.filter((account) => account.listed);
}

/**
 * Main credentials read any subaccount; subaccount credentials only themselves; API keys (of either
 * kind) only the account that owns them.
 */
function reachesUsage(dataset: Dataset, principal: Principal, account: SimAccount): boolean {
  if (principal.kind === 'key') return account.sid === principal.key.accountSid;
  const self = principal.account;
  return account.sid === self.sid || (self.sid === dataset.mainAccountSid && account.ownerAccountSid === self.sid);
}

function usageResource(name: string | undefined): UsageResource | undefined {
  if (name === undefined) return 'Records';
  return USAGE_RESOURCES.find((resource) => resource !== 'Records' && resource === name);
}
