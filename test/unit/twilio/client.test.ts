import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';

import { expect } from 'chai';

import { TwilioClient } from '../../../source-twilio-costs/twilio/client';
import { TwilioApiError, TwilioListingChangedError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from '../../../source-twilio-costs/twilio/errors';
import { ConcurrencyLimiter } from '../../../source-twilio-costs/twilio/limiter';
import type { TwilioList } from '../../../source-twilio-costs/twilio/wire';

/** A list of numbers under `things`: the client pages any list it is given the shape of. */
const THINGS: TwilioList<number> = {
  key: 'things',
  item: { is: (value): value is number => typeof value === 'number', problem: (value, path) => (typeof value === 'number' ? undefined : `${path} is not a number`) },
  identity: String,
};

type Handler = (request: IncomingMessage, response: ServerResponse, hit: number) => void;

/** A loopback server answering each request with the next scripted handler (the last repeats). */
async function scriptedServer(handlers: Handler[]): Promise<{ server: Server; url: URL; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    hits.push(request);
    const handler = handlers[Math.min(hits.length - 1, handlers.length - 1)] as Handler;
    handler(request, response, hits.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), hits };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

function client(url: URL, overrides: Partial<ConstructorParameters<typeof TwilioClient>[0]> = {}) {
  const sleeps: number[] = [];
  const instance = new TwilioClient({
    baseUrl: url,
    credentials: { username: 'SKkey', password: 'the-secret' },
    limiter: new ConcurrencyLimiter(2),
    // Far above what a loaded machine needs to answer on loopback: no answer here is slow by accident.
    requestTimeoutMs: 30_000,
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 2000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...overrides,
  });
  return { instance, sleeps };
}

describe('twilio client', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sends Basic auth and follows next_page_uri verbatim', async () => {
    const page = (items: number[], next: string | null): Handler => json(200, { things: items, next_page_uri: next });
    const scripted = await scriptedServer([page([1, 2], '/2010-04-01/T.json?Page=1&PageToken=PA1&IncludeSubaccounts=false'), page([3], null)]);
    server = scripted.server;
    const pages: number[][] = [];
    for await (const items of client(scripted.url).instance.paginate('/2010-04-01/T.json', THINGS, { IncludeSubaccounts: 'false' }, { maxRows: 10 })) pages.push(items);
    expect(pages).to.deep.equal([[1, 2], [3]]);
    expect(scripted.hits.map((hit) => hit.url)).to.deep.equal(['/2010-04-01/T.json?IncludeSubaccounts=false', '/2010-04-01/T.json?Page=1&PageToken=PA1&IncludeSubaccounts=false']);
    expect(scripted.hits[0]?.headers.authorization).to.equal(`Basic ${Buffer.from('SKkey:the-secret').toString('base64')}`);
  });

  it('retries 429 honouring Retry-After, and 5xx with backoff', async () => {
    const scripted = await scriptedServer([json(429, { code: 20429 }, { 'Retry-After': '1' }), json(503, {}), json(200, { ok: true })]);
    server = scripted.server;
    const { instance, sleeps } = client(scripted.url);
    expect(await instance.get('/x.json')).to.deep.equal({ ok: true });
    expect(sleeps).to.deep.equal([1000, 20]);
  });

  it('retries a 200 whose body is not JSON, and a response slower than the timeout', async () => {
    const html: Handler = (_q, response) => response.end('<html>Bad gateway</html>');
    // Never answers: the timeout, however long, is what ends the request.
    const silent: Handler = () => undefined;
    const scripted = await scriptedServer([html, silent, json(200, { ok: 1 })]);
    server = scripted.server;
    // Long enough that the immediate answers cannot time out on a loaded machine.
    expect(await client(scripted.url, { requestTimeoutMs: 2000 }).instance.get('/x.json')).to.deep.equal({ ok: 1 });
    expect(scripted.hits).to.have.length(3);
  });

  it('halves PageSize when a large page keeps failing with 500', async () => {
    const scripted = await scriptedServer([json(500, { code: 20500 }), json(500, { code: 20500 }), json(200, { ok: 1 })]);
    server = scripted.server;
    await client(scripted.url).instance.get('/x.json', { PageSize: '1000' });
    expect(scripted.hits.map((hit) => new URL(hit.url ?? '', 'http://h').searchParams.get('PageSize'))).to.deep.equal(['1000', '1000', '500']);
  });

  /**
   * A listing of `rows` served as Twilio pages it: a token names an offset in pages of one size and
   * is refused (400 / 20001) with another; `failing` says which requests answer 500 instead.
   */
  const listingHandler =
    (rows: (pageSize: number) => number[], failing: (pageSize: number, offset: number) => boolean): Handler =>
    (request, response) => {
      const url = new URL(request.url ?? '', 'http://h');
      const pageSize = Number(url.searchParams.get('PageSize'));
      const token = url.searchParams.get('PageToken');
      const [offset, tokenSize] = token === null ? [0, pageSize] : token.split('.').map(Number);
      if (tokenSize !== pageSize) return json(400, { code: 20001, message: 'Invalid PageToken' })(request, response, 0);
      if (failing(pageSize, offset ?? 0)) return json(500, { code: 20500 })(request, response, 0);
      const all = rows(pageSize);
      const end = (offset ?? 0) + pageSize;
      json(200, { things: all.slice(offset, end), next_page_uri: end < all.length ? `/l.json?PageSize=${pageSize}&Page=1&PageToken=${end}.${pageSize}` : null })(request, response, 0);
    };

  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, index) => from + index);

  it('restarts a listing from its first page at a smaller PageSize when a later page keeps failing, handing each item on once', async () => {
    const scripted = await scriptedServer([
      listingHandler(
        () => range(1, 220),
        (pageSize, offset) => pageSize === 100 && offset > 0,
      ),
    ]);
    server = scripted.server;
    const items: number[] = [];
    for await (const page of client(scripted.url).instance.paginate('/l.json', THINGS, { PageSize: '100' }, { maxRows: 300 })) items.push(...page);
    expect(items).to.deep.equal(range(1, 220));
    const asked = scripted.hits.map((hit) => new URL(hit.url ?? '', 'http://h').searchParams);
    // The first page at 100, its next page failing twice, then the listing again from its first page at 50.
    expect(asked.map((query) => [query.get('PageSize'), query.get('PageToken')])).to.deep.equal([
      ['100', null],
      ['100', '100.100'],
      ['100', '100.100'],
      ['50', null],
      ['50', '50.50'],
      ['50', '100.50'],
      ['50', '150.50'],
      ['50', '200.50'],
    ]);
  });

  it('refuses to match a restarted listing that begins with other rows than those handed on', async () => {
    // Read again at the smaller size, the listing starts with another row: 1 is gone, 0 came first.
    const scripted = await scriptedServer([
      listingHandler(
        (pageSize) => (pageSize === 100 ? range(1, 150) : [0, ...range(2, 150)]),
        (pageSize, offset) => pageSize === 100 && offset > 0,
      ),
    ]);
    server = scripted.server;
    const items: number[] = [];
    const error = await (async () => {
      for await (const page of client(scripted.url).instance.paginate('/l.json', THINGS, { PageSize: '100' }, { maxRows: 300 })) items.push(...page);
    })().catch((e: unknown) => e);
    expect(error)
      .to.be.instanceOf(TwilioListingChangedError)
      .with.property('message')
      .that.matches(/\/l\.json listed other rows first when read again from its first page at PageSize=50/);
    expect(items).to.deep.equal(range(1, 100));
  });

  it('gives up after the retry budget with the status and Twilio code, never the secret', async () => {
    const scripted = await scriptedServer([json(503, { code: 20503, message: 'down' })]);
    server = scripted.server;
    const error = await client(scripted.url)
      .instance.get('/2010-04-01/Accounts/AC1/Usage.json')
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TwilioRetriesExhaustedError);
    expect((error as Error).message).to.match(/GET \/2010-04-01\/Accounts\/AC1\/Usage\.json answered HTTP 503 \(Twilio error 20503\)/);
    expect((error as Error).message).not.to.include('the-secret');
    expect(scripted.hits).to.have.length(4);
  });

  it('fails at once on 401 and 404 with a typed error', async () => {
    const scripted = await scriptedServer([json(401, { code: 20003, message: 'Authenticate' })]);
    server = scripted.server;
    const error = await client(scripted.url)
      .instance.get('/y.json')
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TwilioApiError);
    expect(error).to.include({ status: 401, code: 20003 });
    expect(scripted.hits).to.have.length(1);
  });

  it('detects a next_page_uri that loops back', async () => {
    const scripted = await scriptedServer([json(200, { things: [1], next_page_uri: '/loop.json?Page=1' })]);
    server = scripted.server;
    const run = async () => {
      for await (const _page of client(scripted.url).instance.paginate('/loop.json', THINGS, {}, { maxRows: 1000 })) void _page;
    };
    const error = await run().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TwilioPaginationLoopError);
    expect(scripted.hits).to.have.length(2);
  });

  it('stops a listing that names fresh next pages past what its rows can fill', async () => {
    // Every page empty, every next page new: no page repeats, so only a count can stop it.
    const endless: Handler = (request, response, hit) => json(200, { things: [], next_page_uri: `/e.json?PageSize=50&Page=${hit}&PageToken=PT${hit}` })(request, response, hit);
    const scripted = await scriptedServer([endless]);
    server = scripted.server;
    const error = await (async () => {
      for await (const _page of client(scripted.url).instance.paginate('/e.json', THINGS, { PageSize: '50' }, { maxRows: 100 })) void _page;
    })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TwilioPagingLimitError).with.property('message', '/e.json named a next page after 5 pages, more than a listing of at most 100 rows takes');
    // 100 rows fill two pages of 50; twice that, and one more, are read before it stops.
    expect(scripted.hits).to.have.length(5);
  });

  it('reads a body no larger than the cap, and retries one that inflates past it', async () => {
    const body = JSON.stringify({ filler: ' '.repeat(10_000) });
    const gzipped: Handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      response.end(gzipSync(Buffer.from(body)));
    };
    const scripted = await scriptedServer([gzipped, json(200, { ok: 1 }), gzipped]);
    server = scripted.server;
    // The gzip body is a few dozen bytes on the wire; decoded, it is past the cap.
    expect(await client(scripted.url, { maxResponseBytes: 8 * 1024 }).instance.get('/b.json')).to.deep.equal({ ok: 1 });
    expect(scripted.hits).to.have.length(2);
    expect(await client(scripted.url, { maxResponseBytes: body.length }).instance.get('/b.json')).to.deep.equal(JSON.parse(body));
    expect(scripted.hits).to.have.length(3);
  });

  it('asks for a compressed body and reads gzip and deflate ones', async () => {
    const body = { things: [1, 2, 3], next_page_uri: null };
    const encoded =
      (encoding: string, bytes: Buffer): Handler =>
      (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': encoding });
        response.end(bytes);
      };
    const scripted = await scriptedServer([encoded('gzip', gzipSync(JSON.stringify(body))), encoded('deflate', deflateSync(JSON.stringify(body)))]);
    server = scripted.server;
    const { instance } = client(scripted.url);
    expect(await instance.get('/g.json')).to.deep.equal(body);
    expect(await instance.get('/d.json')).to.deep.equal(body);
    expect(scripted.hits.map((hit) => hit.headers['accept-encoding'])).to.deep.equal(['gzip, deflate', 'gzip, deflate']);
  });

  it('retries a body cut off mid-way, plain or gzip, and one that stalls past the timeout', async () => {
    const text = JSON.stringify({ filler: 'x'.repeat(100_000) });
    const cutOff =
      (headers: Record<string, string>, bytes: Buffer): Handler =>
      (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), ...headers });
        response.write(bytes.subarray(0, bytes.length / 2), () => response.destroy());
      };
    // Sends half and never the rest: only the timeout ends the body.
    const stalled: Handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write(text.slice(0, 1000));
    };
    const scripted = await scriptedServer([cutOff({}, Buffer.from(text)), cutOff({ 'Content-Encoding': 'gzip' }, gzipSync(text)), stalled, json(200, { ok: 1 })]);
    server = scripted.server;
    const failures: string[] = [];
    const { instance } = client(scripted.url, { requestTimeoutMs: 2000, onRetry: (event) => failures.push(event.reason) });
    expect(await instance.get('/c.json')).to.deep.equal({ ok: 1 });
    expect(scripted.hits).to.have.length(4);
    expect(failures).to.deep.equal([
      'GET /c.json failed: the response body was cut off (connection error ECONNRESET)',
      'GET /c.json failed: the response body was cut off (connection error ECONNRESET)',
      'GET /c.json failed: the response body was cut off (no answer within 2000 ms)',
    ]);
  });

  it('names the cap when every answer is past it', async () => {
    const huge: Handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`[${'0,'.repeat(1024 * 1024)}0]`);
    };
    const scripted = await scriptedServer([huge]);
    server = scripted.server;
    const error = await client(scripted.url, { maxResponseBytes: 1024 * 1024 })
      .instance.get('/h.json')
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TwilioRetriesExhaustedError);
    expect((error as TwilioRetriesExhaustedError).last).to.be.instanceOf(TwilioNetworkError);
    expect((error as Error).message).to.equal("gave up after 4 attempts; last: GET /h.json failed: the answer is larger than 1 MiB decoded, this source's cap on one answer");
  });

  it('does not follow redirects, and refuses a next page on another origin', async () => {
    const redirect: Handler = (_q, response) => {
      response.writeHead(302, { Location: 'http://127.0.0.2:1/steal' });
      response.end();
    };
    const scripted = await scriptedServer([redirect, json(200, { things: [], next_page_uri: 'http://evil.example/x.json' })]);
    server = scripted.server;
    const first = await client(scripted.url)
      .instance.get('/r.json')
      .catch((e: unknown) => e);
    expect(first).to.be.instanceOf(TwilioApiError).with.property('status', 302);
    const run = async () => {
      for await (const _page of client(scripted.url).instance.paginate('/p.json', THINGS, {}, { maxRows: 10 })) void _page;
    };
    expect(await run().catch((e: unknown) => e))
      .to.be.instanceOf(TwilioApiError)
      .with.property('message')
      .that.matches(/another origin/);
  });
});

describe('concurrency limiter (AIMD)', () => {
  it('never runs more than the limit, halves on rate limits and creeps back', async () => {
    const limiter = new ConcurrencyLimiter(4);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active -= 1;
        }),
      ),
    );
    expect(peak).to.equal(4);
    limiter.onRateLimited();
    expect(limiter.limit).to.equal(2);
    limiter.onRateLimited();
    limiter.onRateLimited();
    limiter.onRateLimited();
    expect(limiter.limit).to.equal(1);
    for (let i = 0; i < 20; i += 1) limiter.onSuccess();
    expect(limiter.limit).to.equal(4);
  });
});
