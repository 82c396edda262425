import { expect } from 'chai';
import { firstDayToRead, ScopeProgress, WindowSummary, windowTailFrom } from '../../../source-twilio-costs/usage/cursors';

/** Cursor maths: which days a sync reads, and where the cursor lands as windows finish. */
describe('usage/cursors: which days to read and where the cursor goes', () => {
  describe('firstDayToRead', () => {
    it('starts at the start date without a cursor', () => {
      expect(firstDayToRead(undefined, 3, '2026-01-01', undefined)).to.equal('2026-01-01');
    });

    it('re-reads lookback_days up to and including the cursor day', () => {
      expect(firstDayToRead({ start_date: '2026-03-10' }, 3, '2026-01-01', undefined)).to.equal('2026-03-08');
      expect(firstDayToRead({ start_date: '2026-03-10' }, 0, '2026-01-01', undefined)).to.equal('2026-03-11');
    });

    it('never reads before the start date nor before the scope existed', () => {
      expect(firstDayToRead({ start_date: '2026-01-02' }, 5, '2026-01-01', undefined)).to.equal('2026-01-01');
      expect(firstDayToRead(undefined, 3, '2026-01-01', '2026-02-15')).to.equal('2026-02-15');
      expect(firstDayToRead({ start_date: '2026-03-10' }, 3, '2026-01-01', '2026-03-09')).to.equal('2026-03-09');
    });
  });

  it('a window tail starts where a cursor at its end, or at the last complete day, re-reads', () => {
    expect(windowTailFrom({ from: '2026-03-01', to: '2026-03-31' }, '2026-04-10', 3)).to.equal('2026-03-29');
    expect(windowTailFrom({ from: '2026-03-01', to: '2026-03-31' }, '2026-03-15', 3)).to.equal('2026-03-13');
  });

  describe('ScopeProgress', () => {
    const windows = [
      { from: '2026-01-01', to: '2026-01-31' },
      { from: '2026-02-01', to: '2026-02-28' },
      { from: '2026-03-01', to: '2026-03-31' },
    ];
    const summaryOf = (index: number, byDay: Record<string, string[]>): WindowSummary => {
      const range = windows[index] as { from: string; to: string };
      const summary = new WindowSummary(range, windowTailFrom(range, '2026-12-31', 3));
      summary.add(new Map(Object.entries(byDay).map(([day, categories]) => [day, new Set(categories)])));
      return summary;
    };

    it('keeps the input cursor until the first window finishes', () => {
      const progress = new ScopeProgress(windows, { start_date: '2026-01-05', recent_categories: ['sms'] });
      expect(progress.cursor('2026-12-31', 3)).to.deep.equal({ start_date: '2026-01-05', recent_categories: ['sms'] });
    });

    it('advances over the finished prefix only: a later window finishing first does not move it', () => {
      const progress = new ScopeProgress(windows, undefined);
      progress.finish(1, summaryOf(1, {}));
      expect(progress.cursor('2026-12-31', 3)).to.equal(undefined);
      progress.finish(0, summaryOf(0, {}));
      expect(progress.cursor('2026-12-31', 3)).to.deep.equal({ start_date: '2026-02-28' });
    });

    it('never moves past the last complete day, nor backwards', () => {
      const capped = new ScopeProgress(windows, undefined);
      capped.finish(0, summaryOf(0, {}));
      expect(capped.cursor('2026-01-20', 3)).to.deep.equal({ start_date: '2026-01-20' });
      const ahead = new ScopeProgress(windows, { start_date: '2026-02-10' });
      ahead.finish(0, summaryOf(0, {}));
      expect(ahead.cursor('2026-12-31', 3)).to.deep.equal({ start_date: '2026-02-10' });
    });

    it('remembers the categories emitted non-zero on the days the next sync re-reads, and the input ones while windows are unread', () => {
      const progress = new ScopeProgress(windows, { start_date: '2025-12-31', recent_categories: ['voice'] });
      progress.finish(0, summaryOf(0, { '2026-01-02': ['calls'], '2026-01-30': ['sms'] }));
      expect(progress.cursor('2026-12-31', 3)).to.deep.equal({ start_date: '2026-01-31', recent_categories: ['sms', 'voice'] });
      progress.finish(1, summaryOf(1, { '2026-02-27': ['mms'] }));
      progress.finish(2, summaryOf(2, {}));
      expect(progress.cursor('2026-12-31', 3)).to.deep.equal({ start_date: '2026-03-31' });
    });
  });
});
