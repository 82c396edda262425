import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { expect } from 'chai';

import type { TwilioList } from '../../../source-twilio-costs/twilio/wire';
import { clientOver } from './fake-client';

const ACCOUNT = 'AC00000000000000000000000000000001';
const DAILY = `/2010-04-01/Accounts/${ACCOUNT}/Usage/Records/Daily.json`;

interface Thing {
  n: number;
}
const THINGS: TwilioList<Thing> = {
  key: 'usage_records',
  item: {
    is: (value: unknown): value is Thing => typeof value === 'object' && value !== null && typeof (value as Thing).n === 'number',
    problem: (value, path) => (typeof value === 'object' && value !== null ? undefined : `${path ?? 'the value'} is not an object`),
  },
  identity: (thing) => String(thing.n),
};

/** A full garbage collection on demand (the flag is read when `gc` is first looked up in a new context). */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Every listing in flight holds the page it handed on until its next page comes: with 64 windows
 * of 4 listings each, that was hundreds of pages of raw records (1.7 GB at 63 accounts). A caller
 * that picks from each page (paginateInto's select) must leave nothing else holding the page.
 */
describe('usage paging: a page lives only until the caller has picked from it', () => {
  it("drops a page's items before the next page is fetched", async () => {
    const gc = exposedGc();
    let firstItems: WeakRef<Thing[]> | undefined;
    let collectedBeforeNextPage: boolean | undefined;
    const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (!url.searchParams.has('PageToken')) {
        return new Response(JSON.stringify({ usage_records: [{ n: 1 }, { n: 2 }], next_page_uri: `${DAILY}?PageSize=2&PageToken=PA1` }), { status: 200 });
      }
      // Out of the job that picked from the first page, so nothing but a real reference keeps it.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      collectedBeforeNextPage = firstItems !== undefined && firstItems.deref() === undefined;
      return new Response(JSON.stringify({ usage_records: [{ n: 3 }], next_page_uri: null }), { status: 200 });
    };
    const picked: number[] = [];
    const pages = clientOver(fakeFetch, ACCOUNT).paginateInto(DAILY, THINGS, { PageSize: '2' }, { maxRows: 10 }, (items) => {
      firstItems ??= new WeakRef(items);
      return items.reduce((sum, thing) => sum + thing.n, 0);
    });
    for await (const sum of pages) picked.push(sum);
    expect(picked).to.deep.equal([3, 3]);
    expect(collectedBeforeNextPage).to.equal(true);
  });
});
