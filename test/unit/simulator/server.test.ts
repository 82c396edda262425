import { expect } from 'chai';

import { type Nanos } from '../../../tools/simulator/amounts';
import {
  type Dataset,
  generateDataset,
  SAMPLE_CLOSED_SUBACCOUNT_SID,
  SAMPLE_MAIN_ACCOUNT_SID,
  SAMPLE_MAIN_API_KEY,
  SAMPLE_MAIN_AUTH_TOKEN,
  SAMPLE_STANDARD_API_KEY,
  SAMPLE_SUBACCOUNT_AUTH_TOKENS,
  SAMPLE_SUBACCOUNT_SIDS,
  sampleDataset,
} from '../../../tools/simulator/dataset';
import { dayToIsoDate, isoDateToDay } from '../../../tools/simulator/dates';
import { type RunningSimulator, startSimulator } from '../../../tools/simulator/server';
import { exact } from '../../helpers/simulator-truth';
import { type Credentials, type EnvelopeJson, get, type UsagePageJson, usagePath, type UsageRecordJson, walkUsagePages } from './sim-client';

const MAIN: Credentials = { user: SAMPLE_MAIN_ACCOUNT_SID, password: SAMPLE_MAIN_AUTH_TOKEN };
const STANDARD_KEY: Credentials = { user: SAMPLE_STANDARD_API_KEY.sid, password: SAMPLE_STANDARD_API_KEY.secret };
const MAIN_KEY: Credentials = { user: SAMPLE_MAIN_API_KEY.sid, password: SAMPLE_MAIN_API_KEY.secret };
const [SUPPORT_SID, MARKETING_SID] = SAMPLE_SUBACCOUNT_SIDS;
const SUPPORT: Credentials = { user: SUPPORT_SID, password: SAMPLE_SUBACCOUNT_AUTH_TOKENS[0] };

const RECORD_KEYS = ['category', 'description', 'account_sid', 'start_date', 'end_date', 'count', 'count_unit', 'usage', 'usage_unit', 'price', 'price_unit', 'as_of', 'api_version', 'uri', 'subresource_uris'];
const ENVELOPE_KEYS = ['end', 'first_page_uri', 'next_page_uri', 'page', 'page_size', 'previous_page_uri', 'start', 'uri'];
const SUBRESOURCE_KEYS = ['all_time', 'today', 'yesterday', 'this_month', 'last_month', 'daily', 'monthly', 'yearly'];
const CATEGORY_COUNT = 645;

interface ErrorJson {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

interface AccountJson {
  sid: string;
  auth_token: string;
  owner_account_sid: string;
  status: string;
  date_created: string;
  [field: string]: unknown;
}

interface AccountsPageJson extends EnvelopeJson {
  accounts: AccountJson[];
}

/** Σ of the accounts' reported usage of one day, per category. */
function summedPrices(dataset: Dataset, sids: readonly string[], date: string): Map<string, Nanos> {
  const sums = new Map<string, Nanos>();
  for (const sid of sids) for (const [category, usage] of dataset.usage(sid, date)) sums.set(category, (sums.get(category) ?? 0n) + usage.price);
  return sums;
}

function queryOf(uri: string): URLSearchParams {
  return new URL(uri, 'http://simulator').searchParams;
}

function expectError(answer: { status: number; body: unknown }, status: number, code: number): void {
  expect(answer.status).to.equal(status);
  const body = answer.body as ErrorJson;
  expect(Object.keys(body).sort()).to.deep.equal(['code', 'message', 'more_info', 'status']);
  expect(body.code).to.equal(code);
  expect(body.status).to.equal(status);
  expect(body.more_info).to.equal(`https://www.twilio.com/docs/errors/${code}`);
}

describe('simulator server', () => {
  let simulator: RunningSimulator;

  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
  });

  after(async () => {
    await simulator.close();
  });

  describe('usage record shapes', () => {
    it('answers Daily with Twilio’s envelope and records', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-15', IncludeSubaccounts: 'false', PageSize: '20' });
      const { status, body, headers } = await get<UsagePageJson>(simulator, path, MAIN);
      expect(status).to.equal(200);
      expect(headers.get('content-type')).to.match(/^application\/json/);
      expect(
        Object.keys(body)
          .filter((key) => key !== 'usage_records')
          .sort(),
      ).to.deep.equal(ENVELOPE_KEYS);
      expect(body).to.include({ page: 0, page_size: 20, start: 0, end: 19, previous_page_uri: null });
      expect(body.first_page_uri).to.equal(`${path}&Page=0`);
      expect(body.uri).to.equal(`${path}&Page=0`);
      expect(body.usage_records).to.have.length(20);
      for (const record of body.usage_records) {
        expect(Object.keys(record)).to.deep.equal(RECORD_KEYS);
        expect(record.account_sid).to.equal(SAMPLE_MAIN_ACCOUNT_SID);
        expect(record.start_date).to.equal('2026-01-14');
        expect(record.end_date).to.equal('2026-01-14');
        expect(record.price).to.match(/^(0|-?\d+\.\d{5})$/);
        expect(record.price_unit).to.equal('usd');
        expect(record.api_version).to.equal('2010-04-01');
        expect(record.as_of).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
        expect(record.uri).to.equal(`/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Usage/Records/Daily.json?Category=${record.category}&StartDate=2026-01-14&EndDate=2026-01-14`);
        expect(Object.keys(record.subresource_uris)).to.deep.equal(SUBRESOURCE_KEYS);
        expect(record.subresource_uris.daily).to.equal(`/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Usage/Records/Daily.json?Category=${record.category}`);
      }
    });

    it('writes totalprice with a null count, an empty count unit and usage equal to price', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'totalprice' });
      const { body } = await get<UsagePageJson>(simulator, path, MAIN);
      const [total] = body.usage_records;
      expect(total).to.include({ category: 'totalprice', description: 'Total Price', count: null, count_unit: '', usage_unit: 'usd' });
      expect(total?.usage).to.equal(total?.price);
      expect(total?.price).to.match(/^\d+\.\d{5}$/);
    });

    it('lists every category every day, zero rows included, ordered by date then category', async () => {
      const dataset = simulator.dataset;
      const path = usagePath(SUPPORT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-15', IncludeSubaccounts: 'false', PageSize: '1000' });
      const records = (await walkUsagePages(simulator, path, MAIN)).flatMap((page) => page.usage_records);
      expect(records).to.have.length(2 * CATEGORY_COUNT);
      expect(records.map((record) => `${record.start_date} ${record.category}`)).to.deep.equal(['2026-01-14', '2026-01-15'].flatMap((date) => dataset.categories().map((category) => `${date} ${category}`)));
      const zeros = records.filter((record) => record.price === '0');
      expect(zeros.length).to.be.greaterThan(2 * (CATEGORY_COUNT - 60));
      const zero = zeros.find((record) => record.category === 'pfax');
      expect(zero).to.include({ count: '0', usage: '0', price: '0', price_unit: 'usd' });
      for (const record of records) {
        const expected = dataset.usage(SUPPORT_SID, record.start_date).get(record.category);
        expect(exact(record.price), `${record.start_date} ${record.category}`).to.equal(expected?.price ?? 0n);
        if (expected?.count != null) expect(record.count).to.equal(String(expected.count / 1_000_000_000n));
      }
    });

    it('lists zero rows for days outside the dataset, totalprice with a null count', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2020-01-01', EndDate: '2020-01-01', PageSize: '1000' });
      const { body } = await get<UsagePageJson>(simulator, path, MAIN);
      expect(body.usage_records).to.have.length(CATEGORY_COUNT);
      expect(body.usage_records.every((record) => record.price === '0' && record.usage === '0')).to.equal(true);
      expect(body.usage_records.find((record) => record.category === 'totalprice')?.count).to.equal(null);
    });
  });

  describe('paging', () => {
    it('visits every row exactly once through next_page_uri, keeping every query parameter', async () => {
      const params = { StartDate: '2026-02-27', EndDate: '2026-03-02', IncludeSubaccounts: 'false', PageSize: '300' };
      const pages = await walkUsagePages(simulator, usagePath(SUPPORT_SID, 'Daily', params), SUPPORT);
      const rows = 4 * CATEGORY_COUNT;
      expect(pages).to.have.length(Math.ceil(rows / 300));
      const seen = new Set<string>();
      pages.forEach((page, index) => {
        expect(page.page).to.equal(index);
        expect(page.start).to.equal(index * 300);
        expect(page.end).to.equal(page.start + page.usage_records.length - 1);
        for (const record of page.usage_records) seen.add(`${record.start_date} ${record.category}`);
        if (page.next_page_uri === null) {
          expect(index).to.equal(pages.length - 1);
          return;
        }
        expect(page.next_page_uri.startsWith(`/2010-04-01/Accounts/${SUPPORT_SID}/Usage/Records/Daily.json?`)).to.equal(true);
        const next = queryOf(page.next_page_uri);
        for (const [name, value] of Object.entries(params)) expect(next.get(name), name).to.equal(value);
        expect(next.get('Page')).to.equal(String(index + 1));
        expect(next.get('PageToken')).to.be.a('string').and.not.equal('');
        if (index > 0) expect(queryOf(page.previous_page_uri ?? '').get('Page')).to.equal(String(index - 1));
      });
      expect(seen.size).to.equal(rows);
    });

    it('keeps a Category filter and any other parameter, and adds PageSize when absent', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { Category: 'SMS', StartDate: '2026-01-01', EndDate: '2026-03-31', Foo: 'bar' });
      const pages = await walkUsagePages(simulator, path, MAIN);
      expect(pages).to.have.length(2); // 90 rows at the default 50 per page
      expect(pages[0]?.page_size).to.equal(50);
      const next = queryOf(pages[0]?.next_page_uri ?? '');
      expect([...next.keys()]).to.deep.equal(['Category', 'StartDate', 'EndDate', 'Foo', 'PageSize', 'Page', 'PageToken']);
      expect(next.get('Category')).to.equal('SMS');
      expect(pages.flatMap((page) => page.usage_records).map((record) => record.category)).to.deep.equal(new Array<string>(90).fill('sms'));
    });

    it('gives the same page URIs for the same dataset on another server', async () => {
      const other = await startSimulator({ dataset: sampleDataset() });
      try {
        const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-01', EndDate: '2026-01-03', PageSize: '100' });
        const [mine, theirs] = await Promise.all([get<UsagePageJson>(simulator, path, MAIN), get<UsagePageJson>(other, path, MAIN)]);
        expect(theirs.body.next_page_uri).to.equal(mine.body.next_page_uri);
        expect(theirs.body.usage_records.map((record) => record.price)).to.deep.equal(mine.body.usage_records.map((record) => record.price));
      } finally {
        await other.close();
      }
    });

    it('rejects a tampered PageToken, a token reused with other filters or another PageSize, and Page without a token', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-01', EndDate: '2026-01-03', IncludeSubaccounts: 'false', PageSize: '100' });
      const next = (await get<UsagePageJson>(simulator, path, MAIN)).body.next_page_uri ?? '';
      expect((await get(simulator, next, MAIN)).status).to.equal(200);
      const token = queryOf(next).get('PageToken') ?? '';
      const tampered = next.replace(encodeURIComponent(token), encodeURIComponent(`${token.slice(0, -2)}xy`));
      expectError(await get(simulator, tampered, MAIN), 400, 20001);
      expectError(await get(simulator, next.replace('IncludeSubaccounts=false', 'IncludeSubaccounts=true'), MAIN), 400, 20001);
      // A token names a position in pages of its own size, as Twilio's do.
      expectError(await get(simulator, next.replace('PageSize=100', 'PageSize=50'), MAIN), 400, 20001);
      expectError(await get(simulator, next.replace('Page=1', 'Page=2'), MAIN), 400, 20001);
      expectError(await get(simulator, `${path}&Page=1`, MAIN), 400, 20001);
    });
  });

  describe('scopes', () => {
    it('sums the main account and every subaccount, the closed one included, by default', async function () {
      this.timeout(120_000);
      const dataset = simulator.dataset;
      const everyAccount = dataset.accounts.map((account) => account.sid);
      expect(everyAccount).to.include(SAMPLE_CLOSED_SUBACCOUNT_SID);
      // The whole sample year, without IncludeSubaccounts: Twilio's default is true.
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: dataset.startDate, EndDate: dataset.endDate, PageSize: '1000' });
      let rows = 0;
      let currentDate = '';
      let expected = new Map<string, Nanos>();
      // Collected rather than asserted row by row: a quarter of a million chai assertions is slow.
      const mismatches: string[] = [];
      for (const page of await walkUsagePages(simulator, path, MAIN)) {
        for (const record of page.usage_records) {
          if (record.start_date !== currentDate) {
            currentDate = record.start_date;
            expected = summedPrices(dataset, everyAccount, currentDate);
          }
          const expectedPrice = expected.get(record.category) ?? 0n;
          if (record.account_sid !== SAMPLE_MAIN_ACCOUNT_SID || exact(record.price) !== expectedPrice) {
            mismatches.push(`${record.start_date} ${record.category} ${record.account_sid}: ${record.price}, expected ${expectedPrice}`);
          }
          rows++;
        }
      }
      expect(mismatches.slice(0, 10)).to.deep.equal([]);
      const days = isoDateToDay(dataset.endDate) - isoDateToDay(dataset.startDate) + 1;
      expect(rows).to.equal(days * CATEGORY_COUNT);
    });

    it('reads one account alone with IncludeSubaccounts=false', async () => {
      const dataset = simulator.dataset;
      const date = '2026-03-10';
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: date, EndDate: date, IncludeSubaccounts: 'false', PageSize: '1000' });
      const { body } = await get<UsagePageJson>(simulator, path, MAIN);
      const total = body.usage_records.find((record) => record.category === 'totalprice');
      expect(exact(total?.price ?? '')).to.equal(dataset.usage(SAMPLE_MAIN_ACCOUNT_SID, date).get('totalprice')?.price);
      const withSubaccounts =
        summedPrices(
          dataset,
          dataset.accounts.map((account) => account.sid),
          date,
        ).get('totalprice') ?? 0n;
      expect(exact(total?.price ?? '') < withSubaccounts, 'main alone costs less than main with subaccounts').to.equal(true);
      const explicit = await get<UsagePageJson>(simulator, usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: date, EndDate: date, IncludeSubaccounts: 'true', Category: 'totalprice' }), MAIN);
      expect(exact(explicit.body.usage_records[0]?.price ?? '')).to.equal(withSubaccounts);
    });

    it('aggregates Records.json over the range, one row per category', async () => {
      const dataset = simulator.dataset;
      const params = { StartDate: '2026-01-01', EndDate: '2026-01-31', IncludeSubaccounts: 'false', PageSize: '1000' };
      const records = (await walkUsagePages(simulator, usagePath(MARKETING_SID, 'Records', params), MAIN)).flatMap((page) => page.usage_records);
      expect(records).to.have.length(CATEGORY_COUNT);
      // The marketing subaccount was created on 2026-02-17: nothing in January.
      expect(records.every((record) => record.price === '0')).to.equal(true);

      const march = (await walkUsagePages(simulator, usagePath(MARKETING_SID, 'Records', { ...params, StartDate: '2026-03-01', EndDate: '2026-03-31' }), MAIN)).flatMap((page) => page.usage_records);
      let expectedTotal = 0n;
      for (let day = isoDateToDay('2026-03-01'); day <= isoDateToDay('2026-03-31'); day++) {
        expectedTotal += dataset.usage(MARKETING_SID, dayToIsoDate(day)).get('totalprice')?.price ?? 0n;
      }
      const total = march.find((record) => record.category === 'totalprice');
      expect(total).to.include({ start_date: '2026-03-01', end_date: '2026-03-31' });
      expect(exact(total?.price ?? '')).to.equal(expectedTotal);
      expect(total?.uri).to.equal(`/2010-04-01/Accounts/${MARKETING_SID}/Usage/Records.json?Category=totalprice&StartDate=2026-03-01&EndDate=2026-03-31`);
    });

    it('splits Monthly by calendar month, clipped to the range', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Monthly', { StartDate: '2026-01-15', EndDate: '2026-03-10', Category: 'totalprice' });
      const { body } = await get<UsagePageJson>(simulator, path, MAIN);
      expect(body.usage_records.map((record) => [record.start_date, record.end_date])).to.deep.equal([
        ['2026-01-15', '2026-01-31'],
        ['2026-02-01', '2026-02-28'],
        ['2026-03-01', '2026-03-10'],
      ]);
    });

    it('matches Category case-insensitively and answers the dataset’s spelling', async () => {
      const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'usage-rcs-messages' });
      const { body } = await get<UsagePageJson>(simulator, path, MAIN);
      expect(body.usage_records.map((record) => record.category)).to.deep.equal(['Usage-RCS-Messages']);
      const unknown = await get<UsagePageJson>(simulator, usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { Category: 'no-such-thing', StartDate: '2026-01-14', EndDate: '2026-01-14' }), MAIN);
      expect(unknown.body.usage_records).to.deep.equal([]);
      expect(unknown.body.next_page_uri).to.equal(null);
    });
  });

  describe('parameter errors', () => {
    const daily = (params: Record<string, string>): string => usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', params);

    it('answers 404 / 20404 when EndDate is before StartDate', async () => {
      expectError(await get(simulator, daily({ StartDate: '2026-02-02', EndDate: '2026-02-01' }), MAIN), 404, 20404);
    });

    it('answers 400 / 20001 "Invalid StartDate" or "Invalid EndDate" for dates that are not dates', async () => {
      const start = await get<ErrorJson>(simulator, daily({ StartDate: '2026-02-30', EndDate: '2026-03-01' }), MAIN);
      expectError(start, 400, 20001);
      expect(start.body.message).to.equal('Invalid StartDate');
      const end = await get<ErrorJson>(simulator, daily({ StartDate: '2026-02-01', EndDate: 'yesterday' }), MAIN);
      expectError(end, 400, 20001);
      expect(end.body.message).to.equal('Invalid EndDate');
    });

    it('accepts PageSize up to 1000 and answers 400 above it', async () => {
      expect((await get(simulator, daily({ StartDate: '2026-02-01', EndDate: '2026-02-01', PageSize: '1000' }), MAIN)).status).to.equal(200);
      expectError(await get(simulator, daily({ StartDate: '2026-02-01', EndDate: '2026-02-01', PageSize: '1001' }), MAIN), 400, 20001);
      expectError(await get(simulator, daily({ StartDate: '2026-02-01', EndDate: '2026-02-01', PageSize: '0' }), MAIN), 400, 20001);
    });

    it('answers 404 / 20404 for an unknown path and 405 for other methods', async () => {
      expectError(await get(simulator, `/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Calls.json`, MAIN), 404, 20404);
      expectError(await get(simulator, `/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Usage/Records/Hourly.json`, MAIN), 404, 20404);
      const response = await fetch(`${simulator.baseUrl}${daily({})}`, { method: 'POST' });
      expect(response.status).to.equal(405);
    });
  });

  describe('authentication and reach', () => {
    const mainUsage = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'totalprice' });
    const supportUsage = usagePath(SUPPORT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'totalprice' });

    it('answers 401 with Twilio’s exact body without or with wrong credentials', async () => {
      for (const credentials of [undefined, { ...MAIN, password: 'wrong' }, { ...STANDARD_KEY, password: 'wrong' }]) {
        const answer = await get<ErrorJson>(simulator, mainUsage, credentials);
        expect(answer.status).to.equal(401);
        expect(answer.body).to.deep.equal({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
      }
    });

    it('lets a standard API key read the main account’s usage and nothing else', async () => {
      expect((await get(simulator, mainUsage, STANDARD_KEY)).status).to.equal(200);
      expectError(await get(simulator, '/2010-04-01/Accounts.json', STANDARD_KEY), 401, 20003);
      expectError(await get(simulator, `/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}.json`, STANDARD_KEY), 401, 20003);
      expectError(await get(simulator, supportUsage, STANDARD_KEY), 401, 20003);
    });

    it('lets a main API key list accounts but still not read subaccount usage', async () => {
      const list = await get<AccountsPageJson>(simulator, '/2010-04-01/Accounts.json', MAIN_KEY);
      expect(list.status).to.equal(200);
      expect(list.body.accounts.map((account) => account.sid)).to.deep.equal([SAMPLE_MAIN_ACCOUNT_SID, SUPPORT_SID, MARKETING_SID]);
      expect((await get(simulator, mainUsage, MAIN_KEY)).status).to.equal(200);
      expectError(await get(simulator, supportUsage, MAIN_KEY), 401, 20003);
    });

    it('lets a subaccount token read only that subaccount', async () => {
      expect((await get(simulator, supportUsage, SUPPORT)).status).to.equal(200);
      expectError(await get(simulator, mainUsage, SUPPORT), 401, 20003);
      expectError(await get(simulator, usagePath(MARKETING_SID, 'Daily', {}), SUPPORT), 401, 20003);
      const list = await get<AccountsPageJson>(simulator, '/2010-04-01/Accounts.json', SUPPORT);
      expect(list.body.accounts.map((account) => account.sid)).to.deep.equal([SUPPORT_SID]);
    });

    it('lets the main token read every listed subaccount, and answers 404 for deleted or unknown ones', async () => {
      expect((await get(simulator, supportUsage, MAIN)).status).to.equal(200);
      expectError(await get(simulator, usagePath(SAMPLE_CLOSED_SUBACCOUNT_SID, 'Daily', {}), MAIN), 404, 20404);
      expectError(await get(simulator, `/2010-04-01/Accounts/${SAMPLE_CLOSED_SUBACCOUNT_SID}.json`, MAIN), 404, 20404);
      expectError(await get(simulator, usagePath(`AC${'f'.repeat(32)}`, 'Daily', {}), MAIN), 404, 20404);
    });

    it('logs every request with the username, never the password', async () => {
      const before = simulator.requests.length;
      await get(simulator, mainUsage, STANDARD_KEY);
      await get(simulator, mainUsage);
      const [withKey, anonymous] = simulator.requests.slice(before);
      expect(withKey).to.deep.include({ method: 'GET', path: `/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Usage/Records/Daily.json`, status: 200, user: SAMPLE_STANDARD_API_KEY.sid });
      expect(withKey?.query).to.deep.equal({ StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'totalprice' });
      expect(anonymous).to.include({ status: 401, user: null });
      const log = JSON.stringify(simulator.requests);
      for (const secret of [SAMPLE_MAIN_AUTH_TOKEN, SAMPLE_STANDARD_API_KEY.secret, SAMPLE_MAIN_API_KEY.secret, ...SAMPLE_SUBACCOUNT_AUTH_TOKENS]) expect(log).not.to.include(secret);
    });
  });

  describe('accounts', () => {
    it('lists the main account and its listed subaccounts with Twilio’s fields', async () => {
      const { status, body } = await get<AccountsPageJson>(simulator, '/2010-04-01/Accounts.json', MAIN);
      expect(status).to.equal(200);
      expect(
        Object.keys(body)
          .filter((key) => key !== 'accounts')
          .sort(),
      ).to.deep.equal(ENVELOPE_KEYS);
      expect(body.accounts.map((account) => account.sid)).to.deep.equal([SAMPLE_MAIN_ACCOUNT_SID, SUPPORT_SID, MARKETING_SID]);
      const [main, support] = body.accounts;
      expect(Object.keys(main ?? {})).to.deep.equal(['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri']);
      expect(main).to.include({ auth_token: SAMPLE_MAIN_AUTH_TOKEN, owner_account_sid: SAMPLE_MAIN_ACCOUNT_SID, status: 'active', type: 'Full' });
      expect(main?.date_created).to.match(/^Thu, 14 Mar 2019 \d{2}:\d{2}:\d{2} \+0000$/);
      expect(support).to.include({ owner_account_sid: SAMPLE_MAIN_ACCOUNT_SID, auth_token: SAMPLE_SUBACCOUNT_AUTH_TOKENS[0] });
      expect((main?.subresource_uris as Record<string, string>).usage).to.equal(`/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}/Usage.json`);
    });

    it('filters by Status and FriendlyName and pages like every list', async () => {
      const closed = await get<AccountsPageJson>(simulator, '/2010-04-01/Accounts.json?Status=closed', MAIN);
      expect(closed.body.accounts).to.deep.equal([]);
      const named = await get<AccountsPageJson>(simulator, `/2010-04-01/Accounts.json?FriendlyName=${encodeURIComponent('Alice Telecom Support')}`, MAIN);
      expect(named.body.accounts.map((account) => account.sid)).to.deep.equal([SUPPORT_SID]);
      const first = await get<AccountsPageJson>(simulator, '/2010-04-01/Accounts.json?Status=active&PageSize=2', MAIN);
      expect(first.body.accounts).to.have.length(2);
      const second = await get<AccountsPageJson>(simulator, first.body.next_page_uri ?? '', MAIN);
      expect(second.body.accounts.map((account) => account.sid)).to.deep.equal([MARKETING_SID]);
      expect(second.body.next_page_uri).to.equal(null);
      expectError(await get(simulator, '/2010-04-01/Accounts.json?Status=deleted', MAIN), 400, 20001);
    });

    it('fetches one account', async () => {
      const { status, body } = await get<AccountJson>(simulator, `/2010-04-01/Accounts/${MARKETING_SID}.json`, MAIN);
      expect(status).to.equal(200);
      expect(body).to.include({ sid: MARKETING_SID, owner_account_sid: SAMPLE_MAIN_ACCOUNT_SID });
      expectError(await get(simulator, `/2010-04-01/Accounts/${SAMPLE_MAIN_ACCOUNT_SID}.json`, SUPPORT), 401, 20003);
    });
  });

  describe('restatements', () => {
    it('serves a restated leaf with its rollups and totalprice moved by the same amount', async () => {
      const dataset = sampleDataset();
      const restated = await startSimulator({ dataset });
      try {
        const date = '2026-01-20';
        const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: date, EndDate: date, IncludeSubaccounts: 'false', PageSize: '1000' });
        const priceOf = (records: UsageRecordJson[], category: string): Nanos => exact(records.find((record) => record.category === category)?.price ?? '0');
        const before = (await get<UsagePageJson>(restated, path, MAIN)).body.usage_records;
        const leaf = dataset.usage(SAMPLE_MAIN_ACCOUNT_SID, date).get('sms-outbound-tollfree');
        expect(leaf).not.to.equal(undefined);
        dataset.restate(SAMPLE_MAIN_ACCOUNT_SID, date, 'sms-outbound-tollfree', { count: leaf?.count ?? null, usage: leaf?.usage ?? 0n, price: (leaf?.price ?? 0n) + 500_000_000n });
        const after = (await get<UsagePageJson>(restated, path, MAIN)).body.usage_records;
        for (const category of ['sms-outbound-tollfree', 'sms-outbound', 'sms', 'totalprice']) {
          expect(priceOf(after, category), category).to.equal(priceOf(before, category) + 500_000_000n);
        }
        expect(priceOf(after, 'sms-inbound')).to.equal(priceOf(before, 'sms-inbound'));
      } finally {
        await restated.close();
      }
    });
  });

  describe('subaccounts whose usage endpoints fail', () => {
    it('answers the configured 404 or 403 on their usage and nothing else', async () => {
      const dataset = generateDataset({ seed: 3, startDate: '2026-01-01', endDate: '2026-01-31', subaccounts: 3, subaccountUsageAnswers: [404, 403] });
      const failing = await startSimulator({ dataset });
      try {
        const main: Credentials = { user: dataset.mainAccountSid, password: dataset.accounts[0]?.authToken ?? '' };
        const [notFound, forbidden, healthy] = dataset.accounts.slice(1).map((account) => account.sid);
        expectError(await get(failing, usagePath(notFound ?? '', 'Daily', {}), main), 404, 20404);
        expectError(await get(failing, usagePath(forbidden ?? '', 'Records', {}), main), 403, 20403);
        expect((await get(failing, usagePath(healthy ?? '', 'Daily', { StartDate: '2026-01-01', EndDate: '2026-01-01' }), main)).status).to.equal(200);
        expect((await get(failing, `/2010-04-01/Accounts/${notFound}.json`, main)).status).to.equal(200);
      } finally {
        await failing.close();
      }
    });
  });

  describe('load behaviour', () => {
    it('answers 429 / 20429 at once to a request beyond the concurrency limit, with Retry-After', async () => {
      // Two requests held in flight far longer than a loaded machine needs to answer a third.
      let arrived = 0;
      let bothArrived = (): void => undefined;
      const inFlight = new Promise<void>((resolve) => (bothArrived = resolve));
      const onRequest = (): void => {
        arrived += 1;
        if (arrived === 2) bothArrived();
      };
      const limited = await startSimulator({ dataset: simulator.dataset, concurrencyLimit: 2, latencyMs: 1500, retryAfterSeconds: 2, onRequest });
      try {
        const path = usagePath(SAMPLE_MAIN_ACCOUNT_SID, 'Daily', { StartDate: '2026-01-14', EndDate: '2026-01-14', Category: 'totalprice' });
        const first = [get(limited, path, MAIN), get(limited, path, MAIN)];
        let firstAnswered = false;
        void Promise.all(first).then(() => (firstAnswered = true));
        await inFlight;
        const third = await get<ErrorJson>(limited, path, MAIN);
        // "At once": before the requests in flight are answered, not within some milliseconds.
        expect(firstAnswered, 'the third was answered after the two in flight').to.equal(false);
        expect(third.status).to.equal(429);
        expect(third.body).to.deep.equal({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
        expect(third.headers.get('retry-after')).to.equal('2');
        expect((await Promise.all(first)).map((answer) => answer.status)).to.deep.equal([200, 200]);
        // Once the others finished, there is room again.
        expect((await get(limited, path, MAIN)).status).to.equal(200);
      } finally {
        await limited.close();
      }
    });

    it('delays every response by latencyMs', async () => {
      const slow = await startSimulator({ dataset: simulator.dataset, latencyMs: 150 });
      try {
        const started = Date.now();
        await get(slow, '/2010-04-01/Accounts.json', MAIN);
        expect(Date.now() - started).to.be.at.least(145);
      } finally {
        await slow.close();
      }
    });
  });
});
