import { expect } from 'chai';

import { addDays, eachDay } from '../../../source-twilio-costs/dates';
import { parseDecimal } from '../../../source-twilio-costs/money';
import type { ProductAmount } from '../../../source-twilio-costs/report/queries';
import { findSpikes } from '../../../source-twilio-costs/report/spikes';

const FILE_FROM = '2026-08-01';
const PERIOD = { from: '2026-09-01', to: '2026-09-30' };

/** A product's spend on every day from the file's first to the period's last, with exceptions. */
function series(product: string, everyDay: string, exceptions: Record<string, string> = {}): ProductAmount[] {
  return eachDay({ from: FILE_FROM, to: PERIOD.to }).map((day) => ({ at: day, product, spend: parseDecimal(exceptions[day] ?? everyDay) }));
}

describe('report: spikes', () => {
  it('flags a day more than 3× the median of its 14 days before and above the floor, with the usual level and the month before', () => {
    const { spikes, floor } = findSpikes([...series('Messaging', '20', { '2026-09-20': '400' }), ...series('Voice', '80')], FILE_FROM, PERIOD);
    // A typical day is 100 (20 + 80): the floor is 10 % of it.
    expect(floor).to.equal(parseDecimal('10'));
    expect(spikes).to.deep.equal([{ product: 'Messaging', day: '2026-09-20', spend: parseDecimal('400'), usual: parseDecimal('20'), monthBefore: parseDecimal('20') }]);
  });

  it('does not flag 3× exactly, nor a jump smaller than the floor', () => {
    const threeTimes = series('Messaging', '20', { '2026-09-20': '60' });
    const small = series('Lookup', '0.1', { '2026-09-20': '5' });
    expect(findSpikes([...threeTimes, ...small, ...series('Voice', '80')], FILE_FROM, PERIOD).spikes).to.deep.equal([]);
  });

  it('takes the median, so one earlier outlier in the 14 days does not hide a spike', () => {
    const { spikes } = findSpikes(series('Messaging', '20', { '2026-09-15': '900', '2026-09-20': '400' }), FILE_FROM, PERIOD);
    expect(spikes.map(({ day }) => day)).to.deep.equal(['2026-09-20', '2026-09-15']);
  });

  it('counts days without spend as zero: a product that starts spending rises from nothing', () => {
    const { spikes } = findSpikes([...series('Voice', '100'), { at: '2026-09-10', product: 'Video', spend: parseDecimal('50') }], FILE_FROM, PERIOD);
    expect(spikes).to.deep.equal([{ product: 'Video', day: '2026-09-10', spend: parseDecimal('50'), usual: 0n, monthBefore: 0n }]);
  });

  it('does not flag a monthly charge that recurs on the same day as the month before', () => {
    const monthly = [
      { at: '2026-08-01', product: 'Phone Numbers', spend: parseDecimal('90') },
      { at: '2026-09-01', product: 'Phone Numbers', spend: parseDecimal('95') },
    ];
    expect(findSpikes([...series('Voice', '100'), ...monthly], FILE_FROM, PERIOD).spikes).to.deep.equal([]);
    // Three times last month's charge is a spike again.
    const tripled = [monthly[0] as ProductAmount, { at: '2026-09-01', product: 'Phone Numbers', spend: parseDecimal('300') }];
    expect(findSpikes([...series('Voice', '100'), ...tripled], FILE_FROM, PERIOD).spikes.map(({ day }) => day)).to.deep.equal(['2026-09-01']);
  });

  it('judges only days whose 14 days before are all in the file, and says which', () => {
    const fileFrom = '2026-09-01';
    const daily = series('Messaging', '20', { '2026-09-05': '400', '2026-09-20': '400' }).filter(({ at }) => at >= fileFrom);
    const search = findSpikes(daily, fileFrom, PERIOD);
    expect(search.judged).to.deep.equal({ from: addDays(fileFrom, 14), to: PERIOD.to });
    expect(search.spikes.map(({ day }) => day)).to.deep.equal(['2026-09-20']);
    expect(findSpikes(daily, '2026-09-25', PERIOD).judged).to.equal(undefined);
  });

  it('keeps the floor at 1 for an idle account and rounds a computed floor up to whole cents', () => {
    expect(findSpikes(series('Voice', '0'), FILE_FROM, PERIOD).floor).to.equal(parseDecimal('1'));
    expect(findSpikes(series('Voice', '123.45678'), FILE_FROM, PERIOD).floor).to.equal(parseDecimal('12.35'));
  });

  it('does not call a credit that shrinks a spike: a product of credits has a usual level of zero', () => {
    const credits = series('Account', '-25', { '2026-09-20': '0' });
    expect(findSpikes([...series('Voice', '100'), ...credits], FILE_FROM, PERIOD).spikes).to.deep.equal([]);
  });

  it('lists the most recent spikes first, exactly', () => {
    const daily = [...series('Messaging', '0.00001', { '2026-09-12': '1000.00001' }), ...series('Voice', '0.00002', { '2026-09-25': '2000.00002' })];
    const { spikes } = findSpikes(daily, FILE_FROM, PERIOD);
    expect(spikes.map(({ day, product, spend }) => [day, product, spend])).to.deep.equal([
      ['2026-09-25', 'Voice', parseDecimal('2000.00002')],
      ['2026-09-12', 'Messaging', parseDecimal('1000.00001')],
    ]);
  });
});
