import { expect } from 'chai';

import type { TwilioClient } from '../../../source-twilio-costs/twilio/client';
import { TwilioPaginationLoopError } from '../../../source-twilio-costs/twilio/errors';
import type { TwilioList } from '../../../source-twilio-costs/twilio/wire';
import { UsageWindowReader } from '../../../source-twilio-costs/usage/window-reader';
import { clientOver } from './fake-client';

/** A list of plain numbers under `usage_records`: enough to follow pages, checked like any list. */
const NUMBERS_LIST: TwilioList<number> = {
  key: 'usage_records',
  item: { is: (value: unknown): value is number => typeof value === 'number', problem: (value, path) => (typeof value === 'number' ? undefined : `${path ?? 'the value'} is not a number`) },
  identity: String,
};

/**
 * The one paginator (TwilioClient.paginate) behind an injected fetch: what every listing, the
 * window reader's included, relies on to follow next_page_uri, stop a loop and bound the pages in
 * hand.
 */
const ACCOUNT = 'AC00000000000000000000000000000001';
const DAILY = `/2010-04-01/Accounts/${ACCOUNT}/Usage/Records/Daily.json`;

/** Answers each path (query included) with its scripted page; records every URL asked. */
function scriptedTwilio(pages: Record<string, { items: unknown[]; next: string | null }>): { client: TwilioClient; asked: string[] } {
  const asked: string[] = [];
  const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const key = `${url.pathname}${url.search}`;
    asked.push(key);
    const page = pages[key] ?? pages[url.pathname];
    if (page === undefined) return new Response('{"code":20404}', { status: 404 });
    return new Response(JSON.stringify({ usage_records: page.items, next_page_uri: page.next, uri: key }), { status: 200 });
  };
  const client = clientOver(fakeFetch, ACCOUNT);
  return { client, asked };
}

const row = (category: string, day: string): object => ({ account_sid: ACCOUNT, category, start_date: day, end_date: day, price: '1', price_unit: 'usd' });

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page);
  return items;
}

describe('usage paging: one paginator for every listing', () => {
  it('follows next_page_uri verbatim until it is null', async () => {
    const { client, asked } = scriptedTwilio({
      [`${DAILY}?PageSize=2`]: { items: [1, 2], next: `${DAILY}?PageSize=2&Page=1&PageToken=PA1` },
      [`${DAILY}?PageSize=2&Page=1&PageToken=PA1`]: { items: [3], next: null },
    });
    expect(await collect(client.paginate(DAILY, NUMBERS_LIST, { PageSize: '2' }, { maxRows: 10 }))).to.deep.equal([1, 2, 3]);
    expect(asked).to.deep.equal([`${DAILY}?PageSize=2`, `${DAILY}?PageSize=2&Page=1&PageToken=PA1`]);
  });

  it('stops at the first next_page_uri that names a page already read', async () => {
    const { client, asked } = scriptedTwilio({
      [`${DAILY}?PageSize=2`]: { items: [1], next: `${DAILY}?PageSize=2&Page=1` },
      [`${DAILY}?PageSize=2&Page=1`]: { items: [2], next: `${DAILY}?PageSize=2` },
    });
    let error: unknown;
    try {
      await collect(client.paginate(DAILY, NUMBERS_LIST, { PageSize: '2' }, { maxRows: 10 }));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TwilioPaginationLoopError);
    expect((error as TwilioPaginationLoopError).path).to.equal(DAILY);
    expect(asked).to.have.length(2);
  });

  it('runs beforePage before each request and its release once the caller is back for the next page, or stops', async () => {
    const { client } = scriptedTwilio({
      [`${DAILY}?PageSize=1`]: { items: [1], next: `${DAILY}?PageSize=1&Page=1` },
      [`${DAILY}?PageSize=1&Page=1`]: { items: [2], next: `${DAILY}?PageSize=1&Page=2` },
      [`${DAILY}?PageSize=1&Page=2`]: { items: [3], next: null },
    });
    const events: string[] = [];
    let held = 0;
    const beforePage = async (): Promise<() => void> => {
      held += 1;
      events.push(`acquire (${held} held)`);
      return () => {
        held -= 1;
        events.push(`release (${held} held)`);
      };
    };
    for await (const page of client.paginate(DAILY, NUMBERS_LIST, { PageSize: '1' }, { maxRows: 10, beforePage })) {
      events.push(`page ${page.join()}`);
      if (page[0] === 2) break;
    }
    expect(events).to.deep.equal(['acquire (1 held)', 'page 1', 'release (0 held)', 'acquire (1 held)', 'page 2', 'release (0 held)']);
  });

  it('the window reader pages through it: a listing that loops fails the read with the loop error', async () => {
    const range = { from: '2026-03-01', to: '2026-03-01' };
    const { client } = scriptedTwilio({
      [`/2010-04-01/Accounts/${ACCOUNT}/Usage/Records.json`]: { items: [row('totalprice', '2026-03-01'), row('sms', '2026-03-01')], next: null },
      [DAILY]: { items: [row('sms', '2026-03-01')], next: `${DAILY}?Page=0` },
    });
    const reader = new UsageWindowReader({ client, forcedPlan: 'dense' });
    const scope = { id: ACCOUNT, accountSid: ACCOUNT, includeSubaccounts: false, skippable: false };
    let error: unknown;
    try {
      for await (const step of reader.read(scope, range, new Set(), { use: 'rows', keepFor: undefined })) void step;
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TwilioPaginationLoopError);
  });
});
