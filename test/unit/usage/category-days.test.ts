import { expect } from 'chai';
import fc from 'fast-check';

import { addDays } from '../../../source-twilio-costs/dates';
import { CategoryDays } from '../../../source-twilio-costs/usage/category-days';

const BASE = '2026-03-01';

describe('usage/category-days: which categories were non-zero on which days', () => {
  it('holds each category on exactly the days added, from its base on', () => {
    const days = new CategoryDays(BASE);
    days.add('sms', '2026-03-01');
    days.add('sms', '2026-03-04');
    days.add('calls', '2026-03-02');
    days.add('mms', '2026-02-28');
    expect([...days.categories()]).to.deep.equal(['sms', 'calls']);
    expect(days.daysOf('sms')).to.deep.equal(['2026-03-01', '2026-03-04']);
    expect(days.has('sms', '2026-03-04')).to.equal(true);
    expect(days.has('sms', '2026-03-03')).to.equal(false);
    expect(days.has('sms', '2026-02-28')).to.equal(false);
    expect(days.has('mms', '2026-02-28')).to.equal(false);
    expect(days.has('voice', '2026-03-01')).to.equal(false);
  });

  it('adds a run of days at once, clipped at the base', () => {
    const days = new CategoryDays(BASE);
    days.addRange('sms', '2026-02-27', '2026-03-03');
    days.addRange('calls', '2026-03-05', '2026-03-04');
    expect(days.daysOf('sms')).to.deep.equal(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(days.size).to.equal(1);
  });

  it('rebases without losing or inventing a day, and merges across bases', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('sms', 'calls', 'mms'), fc.integer({ min: 0, max: 800 })), { maxLength: 40 }), fc.integer({ min: -30, max: 900 }), (added, shift) => {
        const days = new CategoryDays(BASE);
        for (const [category, offset] of added) days.add(category, addDays(BASE, offset));
        const cut = addDays(BASE, shift);
        const since = days.since(cut);
        const merged = new CategoryDays(addDays(BASE, -10));
        merged.addAll(since);
        for (const category of ['sms', 'calls', 'mms']) {
          const expected = days.daysOf(category).filter((day) => day >= cut);
          expect(since.daysOf(category)).to.deep.equal(expected);
          expect(merged.daysOf(category)).to.deep.equal(expected);
        }
      }),
    );
  });

  it('adds from another only the days outside the ranges given', () => {
    const from = new CategoryDays(BASE);
    from.addRange('sms', '2026-03-01', '2026-03-05');
    from.add('calls', '2026-03-03');
    const kept = new CategoryDays(BASE);
    kept.addAllOutside(from, [{ from: '2026-03-03', to: '2026-03-03' }]);
    expect(kept.daysOf('sms')).to.deep.equal(['2026-03-01', '2026-03-02', '2026-03-04', '2026-03-05']);
    expect([...kept.categories()], 'a category with no day left is not added').to.deep.equal(['sms']);
  });

  it('adds outside ranges what adding day by day outside them adds, whatever the bases', () => {
    const CATEGORIES = ['sms', 'calls', 'mms'];
    const offsets = (max: number) => fc.array(fc.tuple(fc.constantFrom(...CATEGORIES), fc.integer({ min: 0, max })), { maxLength: 30 });
    const range = fc.tuple(fc.integer({ min: -40, max: 400 }), fc.integer({ min: -5, max: 60 })).map(([start, length]) => ({ from: addDays(BASE, start), to: addDays(BASE, start + length) }));
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), offsets(300), fc.integer({ min: -60, max: 60 }), offsets(300), fc.array(range, { maxLength: 5 }), (otherShift, otherDays, ownShift, ownDays, ranges) => {
        const other = new CategoryDays(addDays(BASE, otherShift));
        for (const [category, offset] of otherDays) other.add(category, addDays(other.base, offset));
        const fill = (days: CategoryDays): CategoryDays => {
          for (const [category, offset] of ownDays) days.add(category, addDays(days.base, offset));
          return days;
        };
        const byMask = fill(new CategoryDays(addDays(BASE, ownShift)));
        const dayByDay = fill(new CategoryDays(addDays(BASE, ownShift)));
        byMask.addAllOutside(other, ranges);
        for (const category of other.categories()) {
          for (const day of other.daysOf(category)) if (!ranges.some((read) => read.from <= day && day <= read.to)) dayByDay.add(category, day);
        }
        expect([...byMask.categories()].sort()).to.deep.equal([...dayByDay.categories()].sort());
        for (const category of CATEGORIES) expect(byMask.daysOf(category), category).to.deep.equal(dayByDay.daysOf(category));
      }),
    );
  });

  it('names the categories with a day in a range, and only those', () => {
    const days = new CategoryDays(BASE);
    days.add('sms', '2026-03-02');
    days.add('calls', '2026-03-05');
    days.add('mms', '2026-03-09');
    expect([...days.categoriesWithin({ from: '2026-03-02', to: '2026-03-05' })]).to.deep.equal(['sms', 'calls']);
    expect([...days.categoriesWithin({ from: '2026-02-01', to: '2026-03-01' })]).to.deep.equal([]);
    expect([...days.categoriesWithin({ from: '2026-03-06', to: '2026-04-30' })]).to.deep.equal(['mms']);
  });
});
