import { expect } from 'chai';
import fc from 'fast-check';

import { TwilioClient } from '../../../source-twilio-costs/twilio/client';
import { asTwilioConnectorError } from '../../../source-twilio-costs/twilio/error-policy';
import { TwilioApiError } from '../../../source-twilio-costs/twilio/errors';
import { ConcurrencyLimiter } from '../../../source-twilio-costs/twilio/limiter';
import { dailyUsage, fetchAccount, listAccounts, type UsageQuery } from '../../../source-twilio-costs/twilio/resources';
import { withoutSubresourceUris } from '../../../source-twilio-costs/twilio/wire';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const DAILY_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Usage/Records/Daily.json`;
const QUERY: UsageQuery = { accountSid: ACCOUNT_SID, range: { from: '2025-01-01', to: '2025-01-02' }, includeSubaccounts: false };
const RECORD = { account_sid: ACCOUNT_SID, category: 'sms', start_date: '2025-01-01', end_date: '2025-01-01', price: '-0.0079', price_unit: 'usd', usage: '1' };

/** A client whose fetch answers every request 200 with `body` as JSON, counting the requests. */
function clientAnswering(body: unknown): { client: TwilioClient; requests: () => number } {
  let requests = 0;
  const fakeFetch: typeof fetch = async () => {
    requests += 1;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  const client = new TwilioClient({
    baseUrl: new URL('https://api.twilio.test'),
    credentials: { username: 'SKkey', password: 'the-secret' },
    limiter: new ConcurrencyLimiter(1),
    requestTimeoutMs: 1000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    fetch: fakeFetch,
    sleep: async () => undefined,
  });
  return { client, requests: () => requests };
}

async function usagePages(body: unknown): Promise<unknown[][]> {
  const pages: unknown[][] = [];
  for await (const page of dailyUsage(clientAnswering(body).client, QUERY)) pages.push(page);
  return pages;
}

async function failure(run: () => Promise<unknown>): Promise<TwilioApiError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).to.be.instanceOf(TwilioApiError);
  return error as TwilioApiError;
}

describe('twilio payloads, checked at the boundary', () => {
  it('passes a well-formed page on, extra fields and absent ones included, its links to subresources left out', async () => {
    const record = { ...RECORD, subresource_uris: { all: '/x' }, count: null };
    expect(await usagePages({ usage_records: [record], next_page_uri: null, page: 0 })).to.deep.equal([[{ ...record, subresource_uris: null }]]);
    expect(await usagePages({ usage_records: [{}] })).to.deep.equal([[{}]]);
  });

  it('takes a price as a decimal string or as a number', async () => {
    expect(await usagePages({ usage_records: [{ ...RECORD, price: 0.5 }], next_page_uri: null })).to.deep.equal([[{ ...RECORD, price: 0.5 }]]);
  });

  const malformedPages: Array<[string, unknown, RegExp]> = [
    ['usage_records not an array', { usage_records: { 0: RECORD }, next_page_uri: null }, /: the response has no "usage_records" list$/],
    ['a body that is a list, not a page', [RECORD], /: the response has no "usage_records" list$/],
    ['a record that is not an object', { usage_records: [RECORD, 'sms'], next_page_uri: null }, /: usage_records\[1\] is a string, not an object$/],
    ['a record that is an array', { usage_records: [[RECORD]], next_page_uri: null }, /: usage_records\[0\] is an array, not an object$/],
    ['a record field of the wrong type', { usage_records: [RECORD, { ...RECORD, category: 42 }], next_page_uri: null }, /: usage_records\[1\]\.category is a number, not a string or null$/],
    ['a price that is a boolean', { usage_records: [{ ...RECORD, price: true }], next_page_uri: null }, /: usage_records\[0\]\.price is a boolean, not a string, a number or null$/],
    ['next_page_uri a number', { usage_records: [RECORD], next_page_uri: 2 }, /: next_page_uri is a number, not a string or null$/],
    ['next_page_uri an object', { usage_records: [RECORD], next_page_uri: { uri: '/x' } }, /: next_page_uri is an object, not a string or null$/],
  ];
  for (const [what, body, message] of malformedPages) {
    it(`fails a page with ${what} as a typed error naming the field, without retrying`, async () => {
      const { client, requests } = clientAnswering(body);
      const error = await failure(async () => {
        for await (const page of dailyUsage(client, QUERY)) void page;
      });
      expect(error).to.include({ method: 'GET', path: DAILY_PATH, status: 200 });
      expect(error.message).to.match(message);
      expect(requests(), 'a malformed answer is not retried').to.equal(1);
    });
  }

  it('names the field, never its value: an answer may carry what it should not', async () => {
    const error = await failure(async () => {
      for await (const page of dailyUsage(clientAnswering({ usage_records: [{ ...RECORD, usage: { token: 'the-secret' } }] }).client, QUERY)) void page;
    });
    expect(error.message).to.match(/usage_records\[0\]\.usage is an object, not a string or null$/);
    expect(error.message).to.not.include('the-secret');
  });

  it('reaches the platform as a system_error', async () => {
    const error = await failure(async () => {
      for await (const page of dailyUsage(clientAnswering({ usage_records: [null] }).client, QUERY)) void page;
    });
    expect(asTwilioConnectorError(error, { host: 'api.twilio.com' })).to.include({ failureType: 'system_error' });
  });

  it('checks accounts the same way, in a list and alone', async () => {
    const listed = await failure(async () => {
      for await (const page of listAccounts(clientAnswering({ accounts: [{ sid: ACCOUNT_SID, status: 1 }], next_page_uri: null }).client)) void page;
    });
    expect(listed.message).to.match(/: accounts\[0\]\.status is a number, not a string or null$/);
    const alone = await failure(() => fetchAccount(clientAnswering({ sid: null }).client, ACCOUNT_SID));
    expect(alone.message).to.match(/Accounts\/AC0{32}\.json answered HTTP 200: sid is null, not a string$/);
    const notAnObject = await failure(() => fetchAccount(clientAnswering('AC1').client, ACCOUNT_SID));
    expect(notAnObject.message).to.match(/: the response is a string, not an object$/);
    expect(await fetchAccount(clientAnswering({ sid: ACCOUNT_SID, friendly_name: null }).client, ACCOUNT_SID)).to.deep.equal({ sid: ACCOUNT_SID, friendly_name: null });
  });
});

describe('subresource_uris left out of a response before it is parsed', () => {
  it('writes null for an object of plain strings under the key, whatever the spacing, and nothing else', () => {
    const cases: Array<[string, string]> = [
      ['{"subresource_uris":{"all":"/a","daily":"/d"},"n":1}', '{"subresource_uris":null,"n":1}'],
      ['[{"subresource_uris" :\n\t{ "a" : "/x" ,"b":"y" } }, {"subresource_uris":{}}]', '[{"subresource_uris" :\n\tnull }, {"subresource_uris":null}]'],
      // The key inside a string value, or ending an escaped key: text, not a key.
      ['{"note":"\\"subresource_uris\\":{\\"a\\":\\"b\\"}"}', '{"note":"\\"subresource_uris\\":{\\"a\\":\\"b\\"}"}'],
      ['{"x\\"subresource_uris":{"a":"b"}}', '{"x\\"subresource_uris":{"a":"b"}}'],
      // A string value that reads "subresource_uris", followed by another member.
      ['{"k":"subresource_uris","subresource_uris":{"a":"b"}}', '{"k":"subresource_uris","subresource_uris":null}'],
      // A brace inside one of its strings does not end the object.
      ['{"subresource_uris":{"a":"}","b":"{"},"d":"e"}', '{"subresource_uris":null,"d":"e"}'],
      // Values kept: an escape, a nested object, a number; the name as a value in a list.
      ['{"subresource_uris":{"a":"\\u0041"}}', '{"subresource_uris":{"a":"\\u0041"}}'],
      ['{"subresource_uris":{"a":{"b":"c"}}}', '{"subresource_uris":{"a":{"b":"c"}}}'],
      ['{"subresource_uris":{"a":1},"b":["subresource_uris"]}', '{"subresource_uris":{"a":1},"b":["subresource_uris"]}'],
      // Cut off: left as it was, so it stays unparseable.
      ['{"subresource_uris":{"a":"b"', '{"subresource_uris":{"a":"b"'],
    ];
    for (const [text, expected] of cases) expect(withoutSubresourceUris(text), text).to.equal(expected);
  });

  /** What parsing the rewritten text must give: the same value with each object of plain strings under the key as null. */
  const withoutPlainSubresources = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutPlainSubresources);
    if (value === null || typeof value !== 'object') return value;
    const isPlain = (text: string): boolean => JSON.stringify(text) === `"${text}"`;
    const plainStrings = (member: unknown): boolean =>
      member !== null && typeof member === 'object' && !Array.isArray(member) && Object.entries(member).every(([key, item]) => isPlain(key) && typeof item === 'string' && isPlain(item));
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, key === 'subresource_uris' && plainStrings(member) ? null : withoutPlainSubresources(member)]));
  };
  const hostileString = fc.oneof(fc.string(), fc.constantFrom('subresource_uris', '"subresource_uris":{"a":"b"}', '}', '{', '\\', '"'));
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null)),
      fc.array(tie('tree'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(hostileString, fc.constant('subresource_uris')), tie('tree'), { maxKeys: 4 }),
      fc.record({ subresource_uris: fc.oneof(fc.dictionary(hostileString, hostileString, { maxKeys: 4 }), tie('tree')), rest: tie('tree') }),
    ),
  }));

  it('changes nothing but those objects, in any JSON text', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom(undefined, 1, '\t', '\n  '), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(JSON.parse(withoutSubresourceUris(text))).to.deep.equal(withoutPlainSubresources(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves text that is not JSON unparseable', () => {
    const piece = fc.constantFrom('{', '}', '[', ']', ':', ',', ' ', '"', '\\', '"subresource_uris"', '"a"', '{"a":"b"}', 'null', '1', '\u00a0', '"\u0001"');
    // Around the value, valid text: whether the whole parses is up to the value's own text.
    const rest = fc.constantFrom('', ',"a":1', ',"b":[{"subresource_uris":{"c":"d"}}]');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), rest, (inside, after) => {
        const text = `{"subresource_uris":{${inside.join('')}}${after}}`;
        const parses = (json: string): boolean => {
          try {
            JSON.parse(json);
            return true;
          } catch {
            return false;
          }
        };
        expect(parses(withoutSubresourceUris(text)), text).to.equal(parses(text));
      }),
      { numRuns: 3000 },
    );
  });
});
