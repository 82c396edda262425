import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { DailyUsage } from '../../../source-twilio-costs/usage/daily-usage';
import { UsageWindowReader, type WindowRead } from '../../../source-twilio-costs/usage/window-reader';
import { clientOver, type FakeRow, fakeTwilio } from './fake-client';

/**
 * The window reader against a small fake Twilio behind an injected fetch (fakeTwilio), which can
 * send what real Twilio sometimes sends: one category in two spellings, rows dated outside the asked
 * days, decimals longer than 9 places or in exponent notation, and a credit reversed inside the window.
 */
const ACCOUNT = 'AC00000000000000000000000000000001';
const WINDOW = { from: '2026-03-01', to: '2026-03-03' };

async function readAll(rows: readonly FakeRow[], listed: readonly string[], plan: 'dense' | 'sparse'): Promise<{ steps: WindowRead[]; records: DailyUsage[]; urls: URL[] }> {
  const fake = fakeTwilio(rows, listed, ACCOUNT);
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
