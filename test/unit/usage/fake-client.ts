import { TwilioClient } from '../../../source-twilio-costs/twilio/client';
import { ConcurrencyLimiter } from '../../../source-twilio-costs/twilio/limiter';

/** A Twilio client whose requests go to an injected fetch (a fake Twilio), tried once each. */
export function clientOver(fakeFetch: typeof fetch, accountSid: string): TwilioClient {
  return new TwilioClient({
    baseUrl: new URL('https://api.twilio.test'),
    credentials: { username: accountSid, password: 'token' },
    limiter: new ConcurrencyLimiter(2),
    requestTimeoutMs: 1000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    fetch: fakeFetch,
  });
}

/** A day's price of one category, as the fake Twilio (fakeTwilio) holds it. */
export interface FakeRow {
  category: string;
  day: string;
  price: string;
}

/**
 * A small fake Twilio of one account's usage behind an injected fetch: the aggregate sums each
 * listed spelling over the asked days; a Daily listing sends the rows of the asked days (matching
 * the Category filter case-sensitively, as a strict reading of the API would) and any row dated
 * 2026-02-27, a row outside the asked days as Twilio sometimes sends. `urls` are the requests made.
 */
export function fakeTwilio(rows: readonly FakeRow[], listed: readonly string[], accountSid: string): { fetch: typeof fetch; urls: URL[] } {
  const urls: URL[] = [];
  const answer = (items: object[]): Response =>
    new Response(JSON.stringify({ usage_records: items, next_page_uri: null, page: 0, page_size: 1000, uri: '/x' }), { status: 200, headers: { 'content-type': 'application/json' } });
  const wire = (row: FakeRow, from: string, to: string): object => ({
    account_sid: accountSid,
    category: row.category,
    start_date: from,
    end_date: to,
    price: row.price,
    price_unit: 'usd',
    count: null,
    usage: row.price,
    usage_unit: 'usd',
  });
  const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    urls.push(url);
    const start = url.searchParams.get('StartDate') ?? '';
    const end = url.searchParams.get('EndDate') ?? '';
    const category = url.searchParams.get('Category');
    if (url.pathname.endsWith('/Usage/Records.json')) {
      // One row per spelling over the whole range: the sum of its days' prices (as a decimal string).
      return answer(
        listed.map((spelling) => {
          const units = rows.filter((row) => row.category === spelling && row.day >= start && row.day <= end).reduce((sum, row) => sum + BigInt(Math.round(Number(row.price) * 1e5)), 0n);
          return wire({ category: spelling, day: start, price: (Number(units) / 1e5).toString() }, start, end);
        }),
      );
    }
    const daily = rows.filter((row) => (category === null || row.category === category) && ((row.day >= start && row.day <= end) || row.day === '2026-02-27'));
    return answer(daily.map((row) => wire(row, row.day, row.day)));
  };
  return { fetch: fakeFetch, urls };
}
