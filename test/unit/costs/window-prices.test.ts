import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { placeWindow, reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { WindowPrices } from '../../../source-twilio-costs/costs/window-prices';
import { parseDecimal } from '../../../source-twilio-costs/money';
import { record } from './helpers';

const DAYS = ['2025-01-01', '2025-01-02', '2025-01-03'];

function pricesOf(recordsByDay: ReadonlyMap<string, readonly CostInputRecord[]>): WindowPrices {
  const prices = new WindowPrices(DAYS);
  for (const [day, records] of recordsByDay) for (const input of records) prices.add(input.category, day, input.price);
  return prices;
}

describe('costs/WindowPrices', () => {
  it('merges spellings and repeats as reconciliation merges records, and leaves out days without records', () => {
    const prices = new WindowPrices(DAYS);
    prices.add('Usage-RCS-Messages', '2025-01-03', parseDecimal('2'));
    prices.add('usage-rcs-messages', '2025-01-03', parseDecimal('2'));
    prices.add('sms', '2025-01-01', parseDecimal('1'));
    prices.add('sms', '2025-01-01', parseDecimal('0.5'));
    prices.add('sms', '2025-01-03', parseDecimal('4'));
    const merged = prices.merged();
    expect(merged.days).to.deep.equal(['2025-01-01', '2025-01-03']);
    expect(merged.prices.get('usage-rcs-messages')).to.deep.equal([undefined, parseDecimal('2')]);
    expect(merged.prices.get('sms')).to.deep.equal([parseDecimal('1.5'), parseDecimal('4')]);
  });

  it('refuses a price on a day that is not one of its days', () => {
    expect(() => new WindowPrices(DAYS).add('sms', '2025-01-04', 1n)).to.throw(RangeError);
  });
});

describe('costs/placeWindow', () => {
  const hierarchy = twilioHierarchy();
  const window = new Map<string, CostInputRecord[]>([
    ['2025-01-01', [record('totalprice', '10'), record('a2p-registration-fees', '10'), record('a2p-10dlc-registrationfees-brandregistration', '4'), record('a2p-10dlc-registrationfees-campaignvetting', '6')]],
    ['2025-01-02', [record('totalprice', '5'), record('a2p-registration-fees', '3.5'), record('a2p-10dlc-registrationfees-brandregistration', '1.25'), record('a2p-10dlc-registrationfees-campaignvetting', '2.25')]],
  ]);

  it('finds the days whose top level stays unexplained once placed', () => {
    expect([...placeWindow(pricesOf(window), hierarchy).unexplainedDays]).to.deep.equal(['2025-01-02']);
  });

  it('reconciles with a placement of the same records exactly as without one', () => {
    const placed = placeWindow(pricesOf(window), hierarchy);
    expect(reconcileWindow(window, hierarchy, placed)).to.deep.equal(reconcileWindow(window, hierarchy));
  });

  it('does not use a placement made from other records', () => {
    const placed = placeWindow(pricesOf(new Map([['2025-01-01', window.get('2025-01-01') ?? []]])), hierarchy);
    const reconciled = reconcileWindow(window, hierarchy, placed);
    expect(reconciled.days.size).to.equal(2);
    expect(reconciled).to.deep.equal(reconcileWindow(window, hierarchy));
  });
});
