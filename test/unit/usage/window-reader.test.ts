import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { DailyUsage } from '../../../source-twilio-costs/usage/daily-usage';
import { UsageWindowReader, type WindowRead } from '../../../source-twilio-costs/usage/window-reader';
import { clientOver } from './fake-client';

/**
 * The window reader against a small fake Twilio behind an injected fetch. The fake matches the
 * Category filter case-sensitively, as a strict reading of the API would, and can send what real
 * Twilio sometimes sends: one category in two spellings, rows dated outside the asked days,
 * decimals longer than 9 places or in exponent notation, and a credit reversed inside the window.
 */
interface FakeRow {
  category: string;
  day: string;
  price: string;
}

const ACCOUNT = 'AC00000000000000000000000000000001';
const WINDOW = { from: '2026-03-01', to: '2026-03-03' };

function fakeTwilio(rows: readonly FakeRow[], listed: readonly string[]): { fetch: typeof fetch; urls: URL[] } {
  const urls: URL[] = [];
  const answer = (items: object[]): Response =>
    new Response(JSON.stringify({ usage_records: items, next_page_uri: null, page: 0, page_size: 1000, uri: '/x' }), { status: 200, headers: { 'content-type': 'application/json' } });
  const wire = (row: FakeRow, from: string, to: string): object => ({
    account_sid: ACCOUNT,
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

async function readAll(rows: readonly FakeRow[], listed: readonly string[], plan: 'dense' | 'sparse'): Promise<{ steps: WindowRead[]; records: DailyUsage[]; urls: URL[] }> {
  const fake = fakeTwilio(rows, listed);
  const client = clientOver(fake.fetch, ACCOUNT);
  const reader = new UsageWindowReader({ client, forcedPlan: plan, hierarchy: twilioHierarchy() });
  const steps: WindowRead[] = [];
  for await (const step of reader.read({ id: ACCOUNT, accountSid: ACCOUNT, includeSubaccounts: false, skippable: false }, WINDOW, new Set(), { use: 'chunks', keepFor: undefined })) steps.push(step);
  const records = steps.flatMap((step) => (step.kind === 'rows' ? step.records : []));
  return { steps, records, urls: fake.urls };
}

const rowsOf = (records: readonly DailyUsage[]): string[] => records.map((record) => `${record.startDate} ${record.category} ${record.price}`).sort();

describe('usage/UsageWindowReader against a fake Twilio', () => {
  const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
  const total = (day: string, price: string): FakeRow => ({ category: 'totalprice', day, price });

  it('asks for every spelling of a category Twilio lists twice, and keeps both', async () => {
    const rows = [
      ...days.map((day) => total(day, '3')),
      ...days.map((day) => ({ category: 'Usage-RCS-Messages', day, price: '1' })),
      ...days.map((day) => ({ category: 'usage-rcs-messages', day, price: '1' })),
      ...days.map((day) => ({ category: 'sms', day, price: '1' })),
    ];
    const { records, urls } = await readAll(rows, ['totalprice', 'Usage-RCS-Messages', 'usage-rcs-messages', 'sms'], 'sparse');
    const asked = urls.map((url) => url.searchParams.get('Category')).filter((category) => category !== null);
    expect(asked).to.include.members(['Usage-RCS-Messages', 'usage-rcs-messages']);
    expect(records.filter((record) => record.categoryKey === 'usage-rcs-messages')).to.have.length(6);
  });

  it('keeps prices with more than 9 places or in exponent notation exactly, as plain decimals', async () => {
    const rows = [...days.map((day) => total(day, '1.0000000000123')), ...days.map((day) => ({ category: 'sms', day, price: day === '2026-03-02' ? '1e-7' : '1.0000000000123' }))];
    const { records } = await readAll(rows, ['totalprice', 'sms'], 'sparse');
    expect(records.filter((record) => record.category === 'sms').map((record) => record.price)).to.deep.equal(['1.0000000000123', '0.0000001', '1.0000000000123']);
  });

  it('warns with a count of the rows dated outside the window instead of dropping them silently', async () => {
    const rows = [...days.map((day) => total(day, '1')), ...days.map((day) => ({ category: 'sms', day, price: '1' })), { category: 'sms', day: '2026-02-27', price: '9' }];
    const { steps, records } = await readAll(rows, ['totalprice', 'sms'], 'sparse');
    expect(records.some((record) => record.startDate === '2026-02-27')).to.equal(false);
    expect(steps.filter((step) => step.kind === 'warning').map((step) => (step.kind === 'warning' ? step.message : ''))).to.deep.equal([
      `Twilio sent 1 usage record dated outside 2026-03-01..2026-03-03 for ${ACCOUNT}; they were left out.`,
    ]);
  });

  it('finds a credit reversed inside the window by reading its unexplained days again, and both plans emit the same rows', async () => {
    const credit = [
      { category: 'min-spend-adjustments', day: '2026-03-01', price: '-2.5' },
      { category: 'min-spend-adjustments', day: '2026-03-02', price: '2.5' },
    ];
    const sms = days.map((day, index) => ({ category: 'sms', day, price: `${index + 1}.25` }));
    const totals = days.map((day, index) => total(day, ['-1.25', '4.75', '3.25'][index] ?? '0'));
    const rows = [...totals, ...sms, ...credit];
    const listed = ['totalprice', 'sms', 'min-spend-adjustments'];
    const sparse = await readAll(rows, listed, 'sparse');
    const dense = await readAll(rows, listed, 'dense');
    expect(sparse.records.filter((record) => record.categoryKey === 'min-spend-adjustments').map((record) => `${record.startDate} ${record.price}`)).to.deep.equal(['2026-03-01 -2.5', '2026-03-02 2.5']);
    expect(
      sparse.urls.filter((url) => url.pathname.endsWith('Daily.json') && url.searchParams.get('Category') === null),
      'dense re-reads',
    ).to.have.length.greaterThan(0);
    expect(rowsOf(sparse.records)).to.deep.equal(rowsOf(dense.records));
  });
});
