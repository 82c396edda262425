import { expect } from 'chai';

import { denseRequestsFor, plannedRequests, planWindow, sparseRequestsFor, splitRange } from '../../../source-twilio-costs/usage/fetch-plan';
import { syncWindows } from '../../../source-twilio-costs/usage/sync-windows';

/** Twilio lists about 645 categories a day. */
const LISTED = 645;

describe('planning: choosing a window’s fetch plan by request count', () => {
  it('a short incremental window with a few dozen active categories is read densely', () => {
    const plan = planWindow({ range: { from: '2026-11-21', to: '2026-11-24' }, listedCategories: LISTED, neededCategories: 40 }, { maxChunkDays: 1000 });
    // 4 days × 645 rows = 2,580 rows: 3 pages, against one page for each of 40 categories.
    expect([plan.denseRequests, plan.sparseRequests]).to.deep.equal([3, 40]);
    expect(plan.kind).to.equal('dense');
    expect(plannedRequests(plan)).to.equal(3);
  });

  it('a year with the same categories is read sparsely: one page per category', () => {
    const plan = planWindow({ range: { from: '2025-01-01', to: '2025-12-31' }, listedCategories: LISTED, neededCategories: 40 }, { maxChunkDays: 1000 });
    expect(plan.kind).to.equal('sparse');
    expect(plan.sparseRequests).to.equal(40);
    // One listing per month: 31 × 645 rows are 20 pages, 28 × 645 are 19, 30 × 645 are 20.
    expect(plan.denseRequests).to.equal(7 * 20 + 19 + 4 * 20);
    expect(plannedRequests(plan)).to.equal(40);
  });

  it('the choice flips where the counts cross, and a tie goes to sparse (fewer rows moved)', () => {
    const range = { from: '2026-10-01', to: '2026-10-31' };
    const dense = denseRequestsFor(range, LISTED);
    expect(dense).to.equal(20);
    expect(planWindow({ range, listedCategories: LISTED, neededCategories: dense + 1 }, { maxChunkDays: 1000 }).kind).to.equal('dense');
    expect(planWindow({ range, listedCategories: LISTED, neededCategories: dense }, { maxChunkDays: 1000 }).kind).to.equal('sparse');
  });

  it('an idle window needs nothing beyond its aggregate, whatever plan is forced', () => {
    for (const force of [undefined, 'dense', 'sparse'] as const) {
      const plan = planWindow({ range: { from: '2025-01-01', to: '2026-12-31' }, listedCategories: LISTED, neededCategories: 0 }, { maxChunkDays: 1000, ...(force ? { force } : {}) });
      expect(plan.kind).to.equal('idle');
      expect(plannedRequests(plan)).to.equal(0);
      expect(plan.chunks).to.deep.equal([{ from: '2025-01-01', to: '2026-12-31' }]);
    }
  });

  it('a forced plan is used even when it costs more, and its cost is reported', () => {
    const plan = planWindow({ range: { from: '2025-01-01', to: '2025-12-31' }, listedCategories: LISTED, neededCategories: 40 }, { maxChunkDays: 1000, force: 'dense' });
    expect(plan.kind).to.equal('dense');
    expect(plannedRequests(plan)).to.equal(plan.denseRequests);
  });

  it('chunks cover the window in order; a sparse listing never spans more than a page of days', () => {
    const range = { from: '2024-01-01', to: '2026-12-31' };
    const held = planWindow({ range, listedCategories: LISTED, neededCategories: 100 }, { maxChunkDays: 400 });
    expect(held.chunks.map((chunk) => chunk.from)).to.deep.equal(['2024-01-01', '2025-02-04', '2026-03-11']);
    expect(held.chunks.at(-1)?.to).to.equal('2026-12-31');
    expect(held.sparseRequests).to.equal(300);
    const streamed = planWindow({ range, listedCategories: LISTED, neededCategories: 100 }, { maxChunkDays: 5000 });
    expect(streamed.chunks).to.have.length(2);
    expect(sparseRequestsFor(range, 1)).to.equal(2);
  });

  it('splitRange refuses a part length below one day', () => {
    expect(() => splitRange({ from: '2026-01-01', to: '2026-01-02' }, 0)).to.throw(RangeError);
    expect(splitRange({ from: '2026-01-01', to: '2026-01-05' }, 2)).to.deep.equal([
      { from: '2026-01-01', to: '2026-01-02' },
      { from: '2026-01-03', to: '2026-01-04' },
      { from: '2026-01-05', to: '2026-01-05' },
    ]);
  });
});

describe('planning: sync windows on a shared grid', () => {
  it('a backfill from the anchor is cut into blocks of 24 calendar months', () => {
    expect(syncWindows('2023-03-01', '2026-11-25', '2023-03-15')).to.deep.equal([
      { from: '2023-03-01', to: '2025-02-28' },
      { from: '2025-03-01', to: '2026-11-25' },
    ]);
  });

  it('an account created mid-block, or a cursor, starts a shorter first window on the same grid', () => {
    expect(syncWindows('2024-07-19', '2026-11-25', '2023-03-01')).to.deep.equal([
      { from: '2024-07-19', to: '2025-02-28' },
      { from: '2025-03-01', to: '2026-11-25' },
    ]);
  });

  it('an incremental re-read inside one block is one window; across a block boundary, two', () => {
    expect(syncWindows('2026-11-22', '2026-11-25', '2025-03-01')).to.deep.equal([{ from: '2026-11-22', to: '2026-11-25' }]);
    expect(syncWindows('2027-02-26', '2027-03-02', '2025-03-01')).to.deep.equal([
      { from: '2027-02-26', to: '2027-02-28' },
      { from: '2027-03-01', to: '2027-03-02' },
    ]);
  });

  it('an empty range has no windows', () => {
    expect(syncWindows('2026-11-26', '2026-11-25', '2026-01-01')).to.deep.equal([]);
  });
});
