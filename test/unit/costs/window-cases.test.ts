import { expect } from 'chai';
import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { formatDecimal, parseDecimal } from '../../../source-twilio-costs/money';
import { parentsOf, pricesOf, record } from './helpers';

/**
 * The structures issue 10 found misread, each over three days with non-round prices: the exact
 * leaves and parents must come out, with no residual row and no rollup beside its children.
 */
type Day = Record<string, string>;

/** Exact sums of decimal strings: test data must not add floats either. */
const add = (...prices: string[]): string => formatDecimal(prices.reduce((sum, price) => sum + parseDecimal(price), 0n));

function windowOf(days: readonly Day[]): Map<string, CostInputRecord[]> {
  return new Map(days.map((prices, index) => [`2025-05-0${index + 1}`, Object.entries(prices).map(([category, price]) => record(category, price))]));
}

function reconcileLast(days: readonly Day[]) {
  const window = reconcileWindow(windowOf(days), twilioHierarchy());
  const last = window.days.get(`2025-05-0${days.length}`);
  if (!last) throw new Error('no last day');
  return { window, last };
}

describe('costs/reconcileWindow on real structures', () => {
  it('places a Lookup v2 package under lookups and a failed-message fee at the top on the same days', () => {
    // lookups has only line-status-lookups (curated); failed-message-processing-fee has no name
    // parent and sits at the top: two families on the same days.
    const day = (lookups: string, fee: string, inbound: string, outbound: string): Day => {
      const sms = add(inbound, outbound);
      return { totalprice: add(lookups, fee, sms), lookups, 'line-status-lookups': lookups, 'failed-message-processing-fee': fee, sms, 'sms-inbound': inbound, 'sms-outbound': outbound };
    };
    const { last, window } = reconcileLast([day('1.23456', '0.01', '4.5', '7.25'), day('0.5', '0.02', '3.75', '9.00001'), day('2.71828', '0.005', '1.5', '6.125')]);
    expect(pricesOf(last.rows)).to.deep.equal({ 'failed-message-processing-fee': '0.005', 'line-status-lookups': '2.71828', 'sms-inbound': '1.5', 'sms-outbound': '6.125' });
    expect(parentsOf(last.rows)).to.include({ 'line-status-lookups': 'lookups', 'failed-message-processing-fee': null });
    expect(window.notes.filter((note) => note.level === 'warn')).to.deep.equal([]);
  });

  it('lets a marketplace add-ons rollup adopt its add-ons instead of showing it beside them', () => {
    const day = (a: string, b: string, other: string): Day => {
      const addons = add(a, b);
      const marketplace = add(addons, other);
      return {
        totalprice: marketplace,
        marketplace,
        'marketplace-messaging-addons': addons,
        'marketplace-ibm-watson-message-insights': a,
        'marketplace-nomorobo-spam-score': b,
        'marketplace-twilio-carrier-information-lookup': other,
      };
    };
    const { last } = reconcileLast([day('0.0123', '0.456', '1.1'), day('0.0456', '0.789', '0.3'), day('0.0789', '0.123', '2.25')]);
    expect(pricesOf(last.rows)).to.deep.equal({ 'marketplace-ibm-watson-message-insights': '0.0789', 'marketplace-nomorobo-spam-score': '0.123', 'marketplace-twilio-carrier-information-lookup': '2.25' });
    expect(parentsOf(last.rows)).to.include({ 'marketplace-ibm-watson-message-insights': 'marketplace-messaging-addons', 'marketplace-nomorobo-spam-score': 'marketplace-messaging-addons' });
  });

  it('lets pstnconnectivity-inbound adopt its minutesinbound breakdown', () => {
    const day = (local: string, mobile: string, tollfree: string, outbound: string): Day => {
      const inbound = add(local, mobile, tollfree);
      const pstn = add(inbound, outbound);
      return {
        totalprice: pstn,
        programmablevoiceconnectivity: pstn,
        pstnconnectivity: pstn,
        'pstnconnectivity-inbound': inbound,
        'pstnconnectivity-outbound': outbound,
        'pstnconnectivity-minutesinboundlocal': local,
        'pstnconnectivity-minutesinboundmobile': mobile,
        'pstnconnectivity-minutesinboundtollfree': tollfree,
      };
    };
    const { last } = reconcileLast([day('1.5', '0.25', '0.125', '3'), day('2.5', '0.75', '0.0625', '1'), day('0.5', '1.25', '0.375', '2')]);
    expect(pricesOf(last.rows)).to.deep.equal({
      'pstnconnectivity-minutesinboundlocal': '0.5',
      'pstnconnectivity-minutesinboundmobile': '1.25',
      'pstnconnectivity-minutesinboundtollfree': '0.375',
      'pstnconnectivity-outbound': '2',
    });
    expect(parentsOf(last.rows)).to.include({ 'pstnconnectivity-minutesinboundlocal': 'pstnconnectivity-inbound' });
  });

  it('moves the SMS and MMS carrier fees out of sms and mms on the same days', () => {
    const day = (smsIn: string, smsFee: string, mmsOut: string, mmsFee: string): Day => {
      return { totalprice: add(smsIn, smsFee, mmsOut, mmsFee), sms: smsIn, 'sms-inbound': smsIn, 'sms-messages-carrierfees': smsFee, mms: mmsOut, 'mms-outbound': mmsOut, 'mms-messages-carrierfees': mmsFee };
    };
    const { last, window } = reconcileLast([day('3.3', '0.0311', '1.2', '0.0101'), day('2.2', '0.0213', '4.4', '0.0303'), day('1.1', '0.0123', '2.6', '0.0202')]);
    expect(pricesOf(last.rows)).to.deep.equal({ 'mms-messages-carrierfees': '0.0202', 'mms-outbound': '2.6', 'sms-inbound': '1.1', 'sms-messages-carrierfees': '0.0123' });
    expect(parentsOf(last.rows)).to.include({ 'mms-messages-carrierfees': null, 'sms-messages-carrierfees': null });
    expect(window.placements.filter((placement) => placement.placement === 'numbers').map((placement) => placement.category)).to.deep.equal(['mms-messages-carrierfees', 'sms-messages-carrierfees']);
  });
});
