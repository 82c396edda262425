import { expect } from 'chai';

import { eachDay } from '../../../source-twilio-costs/dates';
import { CategoryDays } from '../../../source-twilio-costs/usage/category-days';
import { firstDayToRead, inputRecentDays, ScopeProgress, WindowSummary } from '../../../source-twilio-costs/usage/cursors';

function daysOf(recent: CategoryDays): Record<string, string[]> {
  const days: Record<string, string[]> = {};
  for (const category of recent.categories()) days[category] = recent.daysOf(category);
  return days;
}

/** Cursor maths: which days a sync reads, and where the cursor lands as windows finish. */
describe('usage/cursors: which days to read and where the cursor goes', () => {
  describe('firstDayToRead', () => {
    it('starts at the start date without a cursor', () => {
      expect(firstDayToRead(undefined, 3, '2026-01-01', undefined)).to.equal('2026-01-01');
    });

    it('re-reads lookback_days up to and including the cursor day', () => {
      expect(firstDayToRead({ startDate: '2026-03-10' }, 3, '2026-01-01', undefined)).to.equal('2026-03-08');
      expect(firstDayToRead({ startDate: '2026-03-10' }, 0, '2026-01-01', undefined)).to.equal('2026-03-11');
    });

    it('never reads before the start date nor before the scope existed', () => {
      expect(firstDayToRead({ startDate: '2026-01-02' }, 5, '2026-01-01', undefined)).to.equal('2026-01-01');
      expect(firstDayToRead(undefined, 3, '2026-01-01', '2026-02-15')).to.equal('2026-02-15');
      expect(firstDayToRead({ startDate: '2026-03-10' }, 3, '2026-01-01', '2026-03-09')).to.equal('2026-03-09');
    });
  });

  describe('inputRecentDays', () => {
    it('takes the days a cursor kept', () => {
      const recent = new CategoryDays('2026-03-08');
      recent.add('sms', '2026-03-09');
      expect(daysOf(inputRecentDays({ startDate: '2026-03-10', recent }, '2026-03-08', '2026-03-31'))).to.deep.equal({ sms: ['2026-03-09'] });
    });

    it("counts an older state's recent categories on every day this read covers", () => {
      const days = daysOf(inputRecentDays({ startDate: '2026-03-10', recentOnEveryDay: ['sms'] }, '2026-03-08', '2026-03-11'));
      expect(days).to.deep.equal({ sms: ['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11'] });
    });

    it('is empty without a cursor or recent categories', () => {
      expect(inputRecentDays(undefined, '2026-03-08', '2026-03-11').size).to.equal(0);
      expect(inputRecentDays({ startDate: '2026-03-10' }, '2026-03-08', '2026-03-11').size).to.equal(0);
    });
  });

  describe('ScopeProgress', () => {
    const windows = [
      { from: '2026-01-01', to: '2026-01-31' },
      { from: '2026-02-01', to: '2026-02-28' },
      { from: '2026-03-01', to: '2026-03-31' },
    ];
    const summaryOf = (index: number, byDay: Record<string, string[]>): WindowSummary => {
      const summary = new WindowSummary(windows[index] as { from: string; to: string });
      summary.add(new Map(Object.entries(byDay).map(([day, categories]) => [day, new Set(categories)])));
      return summary;
    };
    const cursorOf = (progress: ScopeProgress, lastComplete: string): { startDate: string; recent?: Record<string, string[]> } | undefined => {
      const cursor = progress.cursor(lastComplete, 3);
      return cursor && { startDate: cursor.startDate, ...(cursor.recent ? { recent: daysOf(cursor.recent) } : {}) };
    };
    const none = new CategoryDays('2026-01-01');

    it('keeps the input cursor until the first window finishes', () => {
      const input = { startDate: '2026-01-05', recentOnEveryDay: ['sms'] };
      const progress = new ScopeProgress(windows, input, inputRecentDays(input, '2026-01-03', '2026-03-31'));
      expect(progress.cursor('2026-12-31', 3)).to.equal(input);
    });

    it('advances over the finished prefix only: a later window finishing first does not move it', () => {
      const progress = new ScopeProgress(windows, undefined, none);
      progress.finish(1, summaryOf(1, {}));
      expect(progress.cursor('2026-12-31', 3)).to.equal(undefined);
      progress.finish(0, summaryOf(0, {}));
      expect(cursorOf(progress, '2026-12-31')).to.deep.equal({ startDate: '2026-02-28' });
    });

    it('never moves past the last complete day, nor backwards', () => {
      const capped = new ScopeProgress(windows, undefined, none);
      capped.finish(0, summaryOf(0, {}));
      expect(cursorOf(capped, '2026-01-20')).to.deep.equal({ startDate: '2026-01-20' });
      const ahead = new ScopeProgress(windows, { startDate: '2026-02-10' }, none);
      ahead.finish(0, summaryOf(0, {}));
      expect(cursorOf(ahead, '2026-12-31')).to.deep.equal({ startDate: '2026-02-10' });
    });

    it('remembers each category on the days it was emitted non-zero among those the next sync re-reads', () => {
      const progress = new ScopeProgress(windows, undefined, none);
      progress.finish(0, summaryOf(0, { '2026-01-02': ['calls'], '2026-01-29': ['sms'], '2026-01-31': ['sms', 'mms'] }));
      expect(cursorOf(progress, '2026-12-31')).to.deep.equal({ startDate: '2026-01-31', recent: { sms: ['2026-01-29', '2026-01-31'], mms: ['2026-01-31'] } });
    });

    it('keeps every day of a window finished beyond the prefix, which the next sync re-reads whole', () => {
      const progress = new ScopeProgress(windows, undefined, none);
      progress.finish(0, summaryOf(0, { '2026-01-31': ['sms'] }));
      progress.finish(2, summaryOf(2, { '2026-03-02': ['calls'], '2026-03-20': ['calls'] }));
      expect(cursorOf(progress, '2026-12-31')).to.deep.equal({ startDate: '2026-01-31', recent: { sms: ['2026-01-31'], calls: ['2026-03-02', '2026-03-20'] } });
    });

    it("keeps the input's days that no finished window has read yet, and forgets them once every window is read", () => {
      const input = { startDate: '2025-12-31', recentOnEveryDay: ['voice'] };
      const progress = new ScopeProgress(windows, input, inputRecentDays(input, '2025-12-29', '2026-03-31'));
      progress.finish(0, summaryOf(0, { '2026-01-02': ['calls'], '2026-01-30': ['sms'] }));
      expect(cursorOf(progress, '2026-12-31')?.recent?.voice).to.deep.equal(eachDay({ from: '2026-02-01', to: '2026-03-31' }));
      expect(cursorOf(progress, '2026-12-31')?.recent?.sms).to.deep.equal(['2026-01-30']);
      progress.finish(1, summaryOf(1, { '2026-02-27': ['mms'] }));
      progress.finish(2, summaryOf(2, {}));
      expect(cursorOf(progress, '2026-12-31')).to.deep.equal({ startDate: '2026-03-31' });
    });
  });
});
