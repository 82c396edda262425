import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { formatDecimal, parseDecimal } from '../../../source-twilio-costs/money';
import { parentsOf, pricesOf, record, totalOf } from './helpers';
import { buildWorld, expectedDay, type Hiding, hierarchyOf, type Identifiability, identifiability, recordsOf, tieReported } from './hidden-worlds';

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

  it("keeps pv's children under pv on two days where only emptying pv would fit better (pv has cost of its own one day), and still moves the SMS carrier fee out", () => {
    // The bundled sample's main account on 2026-10-01..02, its pv and sms families: on the first day
    // pv holds 4.664 of its own (a plan that reports only pv) beside its children; the top level
    // holds 1.02 and 3.47 that no category reports. Moving all of pv's children to the top level
    // makes pv fit (it then checks nothing) while the top level is off by more, so a year of days
    // never does it; two days must not either.
    const sms = (inbound: Day, outbound: Day): Day => ({
      sms: add(...Object.values(inbound), ...Object.values(outbound)),
      'sms-inbound': add(...Object.values(inbound)),
      'sms-outbound': add(...Object.values(outbound)),
      ...inbound,
      ...outbound,
    });
    const first: Day = {
      pv: '15.20867',
      'group-rooms': '1.428',
      'group-rooms-participant-minutes': '1.428',
      'video-recordings': '9.086',
      'group-rooms-recorded-minutes': '0.876',
      'pv-composition-minutes': '8.21',
      turnmegabytes: '0.03067',
      'turnmegabytes-useast': '0.03067',
      ...sms({ 'sms-inbound-longcode': '7.3075', 'sms-inbound-shortcode': '2.9862' }, { 'sms-outbound-longcode': '19.4656', 'sms-outbound-shortcode': '3.7931', 'sms-outbound-tollfree': '0.9006' }),
      'sms-messages-carrierfees': '5.073',
    };
    const second: Day = {
      pv: '5.9271',
      'group-rooms': '4.48',
      'group-rooms-participant-minutes': '4.136',
      'group-rooms-data-track': '0.344',
      'video-recordings': '1.3',
      'pv-composition-minutes': '1.3',
      turnmegabytes: '0.1471',
      'turnmegabytes-useast': '0.1471',
      ...sms(
        { 'sms-inbound-longcode': '7.6788', 'sms-inbound-shortcode': '0.4977' },
        { 'sms-outbound-longcode': '17.6249', 'sms-outbound-shortcode': '2.5481', 'sms-outbound-tollfree': '5.0402', 'sms-outbound-rcs-fallback': '0.6715' },
      ),
      'sms-messages-carrierfees': '6.576',
    };
    const withTotal = (day: Day, uncategorised: string): Day => ({ ...day, totalprice: add(day.pv ?? '0', day.sms ?? '0', day['sms-messages-carrierfees'] ?? '0', uncategorised) });
    const window = reconcileWindow(windowOf([withTotal(first, '1.02'), withTotal(second, '3.47')]), twilioHierarchy());
    const rows = window.days.get('2025-05-01')?.rows ?? [];
    expect(pricesOf(rows)).to.deep.equal({
      'group-rooms-participant-minutes': '1.428',
      'group-rooms-recorded-minutes': '0.876',
      'pv-composition-minutes': '8.21',
      'pv:unattributed': '4.664',
      'sms-inbound-longcode': '7.3075',
      'sms-inbound-shortcode': '2.9862',
      'sms-messages-carrierfees': '5.073',
      'sms-outbound-longcode': '19.4656',
      'sms-outbound-shortcode': '3.7931',
      'sms-outbound-tollfree': '0.9006',
      'turnmegabytes-useast': '0.03067',
      unattributed: '1.02',
    });
    expect(parentsOf(rows)).to.include({ 'group-rooms-participant-minutes': 'group-rooms', 'pv-composition-minutes': 'video-recordings', 'turnmegabytes-useast': 'turnmegabytes', 'sms-messages-carrierfees': null });
    expect(window.placements.filter((placement) => placement.placement === 'numbers').map((placement) => `${placement.category} under ${placement.parentCategory}`)).to.deep.equal(['sms-messages-carrierfees under null']);
    // The fee's move is proven by sms, which sums exactly without it beside its priced children on both days.
    expect(window.notes.filter((note) => note.message.includes('sms-messages-carrierfees'))).to.deep.equal([
      { level: 'info', message: 'placed sms-messages-carrierfees from sms to the top level: the numbers of every day fit only that way' },
    ]);
    expect(window.notes.find((note) => note.message.startsWith('did not place'))?.message).to.equal(
      'did not place group-rooms, turnmegabytes, video-recordings from pv to the top level: that would leave a rollup with no priced child to check it, which the rest of the numbers do not support (where they would go fits no better with them, or the rollup would be counted twice); the residual rows carry the differences',
    );
    expect(window.notes.filter((note) => note.level === 'warn').map((note) => note.message)).to.deep.equal(['pv:unattributed carries 4.664 that no category explains, on 1 day(s)']);
  });

  it('says when the placement search was cut short, and keeps every total exact', () => {
    // Sixty new categories named under sms that never add up to it: the exact search has sets of up
    // to four of sixty to try (487,635), more than its bound.
    const day = (index: number): Day => {
      const fees = Object.fromEntries(Array.from({ length: 60 }, (_, fee) => [`sms-new-fee-${String(fee).padStart(2, '0')}`, `0.${String(1000 + 37 * fee + 11 * index).padStart(5, '0')}`]));
      const sms = add(...Object.values(fees), '0.00001');
      return { totalprice: sms, sms, ...fees };
    };
    const days = [day(1), day(2), day(3)];
    const { last, window } = reconcileLast(days);
    const cut = window.notes.filter((note) => note.message.startsWith('the placement search was cut short'));
    expect(cut.map((note) => note.level)).to.deep.equal(['info']);
    expect(cut[0]?.message).to.include('stopped after 300000 sets');
    days.forEach((prices, index) => {
      const reconciled = window.days.get(`2025-05-0${index + 1}`);
      if (!reconciled) throw new Error(`no day ${index + 1}`);
      expect(totalOf(reconciled), `day ${index + 1}`).to.equal(prices.totalprice);
    });
    expect(pricesOf(last.rows)).to.include({ 'sms:unattributed': '0.00001' });
  });
});

/**
 * Made-up windows (hidden-worlds.ts) the property test once caught the solver misreading, kept so
 * that they are tried on every run. A row per category gives its price per day in 10^-5 units
 * (0 = idle); a rollup's row is zero, as it costs what its children cost.
 */
interface CaughtWindow {
  readonly why: string;
  /** What the oracle says of it: the solver must find the truth where it is determined, and report a tie otherwise. */
  readonly verdict: Identifiability;
  readonly parents: readonly (number | null)[];
  readonly prices: readonly (readonly number[])[];
  readonly uncategorised: readonly number[];
  readonly hidings: ReadonlyArray<{ node: number; how: Hiding; other: number }>;
  /**
   * The truth is found though the oracle does not call it determined: one day's prices settle it, by
   * an impossibility Twilio's sums rule out, or because it makes every container fit exactly that
   * day and no other placement within the search does.
   */
  readonly truthFound?: boolean;
}

/** A rollup and its child that swap a category each, and a third category of the rollup that sits at the top level (FC_SEED=128867353). */
const SWAPPED_UNDER_A_CHILD = {
  parents: [null, 0, 1, 0, 1, 1, null, 1],
  prices: [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 4948115],
    [0, 2437409, 4425872],
    [4036336, 3949434, 1818464],
    [2625863, 1878903, 0],
    [0, 4802521, 100021],
    [0, 0, 5000000],
  ],
  uncategorised: [0, 0, 0],
};

const CAUGHT_WINDOWS: readonly CaughtWindow[] = [
  {
    why: 'a rollup at the top that looks like a leaf moves under its parent and adopts two children that greedy had already put beside it: a move-and-adopt pair whose first half fits nothing better on its own',
    verdict: 'determined',
    parents: [null, 0, 0, 1, 1, 4, 0],
    prices: [
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [2129474, 0, 1496561, 0, 3477801],
      [100015, 4960640, 0, 0, 3784279],
      [0, 0, 0, 0, 0],
      [4999998, 100017, 3636382, 2311590, 0],
      [4500641, 2641119, 2940915, 2257390, 0],
    ],
    uncategorised: [0, 0, 0, -90575, -144248],
    hidings: [
      { node: 2, how: 'misnamed', other: 932869328 },
      { node: 1, how: 'uncurated', other: 1327370521 },
      { node: 4, how: 'uncurated', other: 1792445673 },
    ],
  },
  {
    why: 'an adoption drawn from two places fits two rollups at once, but strands the hidden rollup at the top level; the truth needs three single moves instead',
    verdict: 'determined',
    parents: [null, 0, 1, null, 2, null, 5, 4, null, 0, 0, 2, null, 9],
    prices: [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [2188522, 4926769, 4298950, 100021, 0, 100001],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [2535952, 2570952, 2374400, 100000, 1952386, 4999991],
      [3439844, 3224850, 1093684, 3040234, 1647589, 1036810],
      [4259697, 100014, 100000, 100022, 100016, 100011],
      [0, 0, 0, 0, 0, 0],
      [2562970, 1089878, 2292337, 3920380, 2697910, 4999982],
      [4999994, 770735, 4684858, 0, 100009, 4451958],
      [1926276, 4053390, 3330476, 656446, 3718899, 4846778],
      [100003, 4346046, 1160110, 677303, 0, 4432748],
    ],
    uncategorised: [-9275, 0, 9, 0, 0, 0],
    hidings: [
      { node: 11, how: 'uncurated', other: 2147483625 },
      { node: 1, how: 'misnamed', other: 2147483636 },
      { node: 13, how: 'uncurated', other: 2147483620 },
    ],
  },
  {
    why: 'a misnamed rollup moves to the top level and trades places with the category of the same prices, which sat in a top level that already fitted',
    verdict: 'determined',
    parents: [null, 0, null, 2, 0, 3, 0, 0, null, 8, 0, null, 3],
    prices: [
      [0, 0, 0],
      [4999980, 1150272, 3282169],
      [0, 0, 0],
      [0, 0, 0],
      [3242096, 1962545, 4969184],
      [100019, 4999995, 2355691],
      [4915462, 3931627, 1372244],
      [2672825, 4684358, 3338382],
      [0, 0, 0],
      [100007, 4974370, 100004],
      [4999979, 745619, 3060527],
      [2404718, 1064247, 978757],
      [0, 4756699, 100009],
    ],
    uncategorised: [0, 0, 0],
    hidings: [
      { node: 2, how: 'misnamed', other: 616491795 },
      { node: 10, how: 'misnamed', other: 27 },
      { node: 4, how: 'misnamed', other: 540759583 },
      { node: 3, how: 'uncurated', other: 2039686722 },
    ],
  },
  {
    why: 'a rollup named under another moves to the top level and adopts the two top-level categories whose sum had made the top level fit; greedy moved it under the wrong one',
    verdict: 'determined',
    parents: [null, 0, null, null, 3, 4, 3, 5],
    prices: [
      [0, 0, 0, 0, 0],
      [4301878, 0, 100005, 2081984, 100002],
      [4412941, 4109669, 1040528, 3846713, 2915935],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [4055956, 4378204, 4999981, 4336649, 4917135],
      [3811812, 0, 3134989, 4950678, 2864822],
    ],
    uncategorised: [0, 0, 0, 0, 0],
    hidings: [
      { node: 6, how: 'uncurated', other: 1893710732 },
      { node: 3, how: 'misnamed', other: 1751347020 },
      { node: 4, how: 'unknown', other: 6 },
    ],
  },
  {
    why: 'two categories cost the same every day: greedy saw a tie between moving either, but only the one adopting the other explains the top level',
    verdict: 'determined',
    parents: [null, 0, 1, 2, 0, 2, null],
    prices: [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [877366, 4999986, 100014, 0, 3590421, 0],
      [1575336, 443508, 2007070, 4736146, 0, 4334663],
      [3261459, 3773658, 0, 676137, 0, 100011],
      [2071083, 652076, 100008, 100014, 789822, 3219051],
    ],
    uncategorised: [0, -193022, 199991, -199991, 0, 0],
    hidings: [
      { node: 4, how: 'uncurated', other: 307573046 },
      { node: 1, how: 'unknown', other: 548327039 },
      { node: 0, how: 'uncurated', other: 22 },
      { node: 2, how: 'unknown', other: 2147483620 },
    ],
  },
  {
    why: 'a rollup with one child costs what its child costs, so the numbers cannot tell which holds the other: the name that reads as more general holds it',
    verdict: 'determined',
    parents: [null, 0, 0, 2, 0],
    prices: [
      [0, 0, 0, 0, 0, 0],
      [100019, 4614654, 100009, 4147639, 5000000, 1519864],
      [0, 0, 0, 0, 0, 0],
      [1883377, 1295073, 4996765, 100017, 100017, 255226],
      [2764830, 1655584, 100004, 4999715, 100002, 100022],
    ],
    uncategorised: [0, 0, 0, 0, -196847, -181681],
    hidings: [
      { node: 3, how: 'misnamed', other: 517206133 },
      { node: 1, how: 'misnamed', other: 661419436 },
      { node: 2, how: 'uncurated', other: 2147483642 },
    ],
  },
  {
    why: 'a rollup adopts a category priced on one day only, but the top level does not fit that day: a fit that rests on that day is not taken, and the window says so',
    verdict: 'one-day',
    parents: [null, 0, 1, 0],
    prices: [
      [0, 0, 0],
      [0, 0, 0],
      [3804876, 0, 0],
      [515017, 2660765, 2287160],
    ],
    uncategorised: [199986, -11953, -6],
    hidings: [
      { node: 2, how: 'uncurated', other: 1530650592 },
      { node: 3, how: 'misnamed', other: 740333402 },
      { node: 1, how: 'uncurated', other: 1439648298 },
      { node: 0, how: 'uncurated', other: 801063566 },
    ],
  },
  {
    why: 'a category priced on one day only costs more than the rollup its name puts it in (nothing that day): it leaves the rollup, which the day then proves, rather than the rollup being emitted beside it with a residual cancelling it',
    verdict: 'one-day',
    truthFound: true,
    parents: [null, 0, null, null, null, null, 0, null, null, null, 4, null, null, 1, null, null],
    prices: [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 2170038],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 3448295],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 4193004, 0],
      [0, 0, 0],
      [2045715, 1100207, 0],
      [0, 0, 0],
      [0, 0, 0],
    ],
    uncategorised: [0, 0, 0],
    hidings: [
      { node: 0, how: 'misnamed', other: 0 },
      { node: 13, how: 'misnamed', other: 467908834 },
      { node: 1, how: 'misnamed', other: 0 },
      { node: 3, how: 'misnamed', other: 259601293 },
    ],
  },
  {
    why: "a category priced on one day only leaves the rollup its name puts it in, beside three interlocking moves, one of a rollup that looks like a leaf adopting its children; greedy's detour (the children moved one by one under the rollup above) is undone, and no category is placed by a rollup that fits only beside unproven moves",
    verdict: 'one-day',
    truthFound: true,
    parents: [null, 0, 1, null, 2, 1, null, null, 0, 2, null, 4, null],
    prices: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 100007],
      [0, 0],
      [0, 3565706],
      [0, 1820288],
      [3161435, 2836147],
      [0, 0],
      [1916699, 2123860],
      [0, 0],
    ],
    uncategorised: [0, 0],
    hidings: [
      { node: 1, how: 'misnamed', other: 0 },
      { node: 7, how: 'misnamed', other: 91487117 },
      { node: 9, how: 'misnamed', other: 204450995 },
      { node: 4, how: 'misnamed', other: 996935062 },
    ],
  },
  {
    why: 'a grandchild belongs to a rollup that looks like a leaf, not to the rollup above it, which greedy filled with its grandchildren: the search near the prior moves that rollup itself, and every container fits on the day a fee is priced',
    verdict: 'one-day',
    truthFound: true,
    parents: [null, 0, null, null, 1, 4, 0, null, null, null, 4, null, null, 1, null, null],
    prices: [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 2170038],
      [0, 0, 0],
      [0, 806560, 100022],
      [0, 0, 3448295],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 100008, 2035280],
      [0, 0, 0],
      [0, 0, 0],
      [2045715, 1100207, 0],
      [0, 0, 0],
      [0, 0, 0],
    ],
    uncategorised: [0, 0, 0],
    hidings: [
      { node: 5, how: 'misnamed', other: 127235689 },
      { node: 10, how: 'misnamed', other: 1002323173 },
      { node: 1, how: 'misnamed', other: 0 },
      { node: 3, how: 'misnamed', other: 259601293 },
    ],
  },
  {
    why: 'four categories of the same prices in a chain, one nested by the prior under a name that reads as less general: a placement is weighed by how far all its nestings go against the names, so moving that one out counts in its favour',
    verdict: 'one-day',
    truthFound: true,
    parents: [null, 0, 1, 0, 2, null, null],
    prices: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [100002, 4999983],
      [0, 0],
      [4897872, 0],
    ],
    uncategorised: [0, 0],
    hidings: [
      { node: 2, how: 'misnamed', other: 0 },
      { node: 6, how: 'misnamed', other: 1800667087 },
      { node: 3, how: 'misnamed', other: 0 },
      { node: 0, how: 'misnamed', other: 0 },
    ],
  },
  {
    why: 'a rollup and its child swap a category each and a third leaves the rollup for the top level (three moves from the prior); greedy emptied the child into the rollup instead, six changes, and the search near the prior drew only from what greedy had moved, never the category it left alone',
    verdict: 'determined',
    ...SWAPPED_UNDER_A_CHILD,
    hidings: [
      { node: 3, how: 'misnamed', other: 0 },
      { node: 4, how: 'misnamed', other: 0 },
      { node: 6, how: 'misnamed', other: 0 },
    ],
  },
  {
    why: 'the same window with the child rollup named at the top level too (four moves): the rollup it belongs under must be drawn as well, from the top level',
    verdict: 'determined',
    ...SWAPPED_UNDER_A_CHILD,
    hidings: [
      { node: 1, how: 'misnamed', other: 0 },
      { node: 3, how: 'misnamed', other: 0 },
      { node: 4, how: 'misnamed', other: 0 },
      { node: 6, how: 'misnamed', other: 0 },
    ],
  },
  {
    why: "four of greedy's changes interlock, no more than a set holds, so the search near the prior drew only from them; the truth also moves a rollup named at the top level that greedy never moved, a change too many from greedy's placement (FC_SEED=606519385)",
    verdict: 'determined',
    parents: [null, 0, 1, 0, 1, 4, 4, 3],
    prices: [
      [0, 0, 0],
      [0, 0, 0],
      [0, 4417900, 100000],
      [0, 0, 0],
      [0, 0, 0],
      [0, 3422412, 100005],
      [0, 4099785, 4560507],
      [2597161, 0, 4443794],
    ],
    uncategorised: [0, 0, -1],
    hidings: [
      { node: 1, how: 'misnamed', other: 0 },
      { node: 6, how: 'unknown', other: 0 },
      { node: 7, how: 'uncurated', other: 0 },
      { node: 2, how: 'uncurated', other: 0 },
    ],
  },
];

describe('costs/reconcileWindow on made-up windows with interlocking misplacements', () => {
  for (const caught of CAUGHT_WINDOWS) {
    it(caught.why, () => {
      const days = caught.prices[0]?.length ?? 0;
      const world = buildWorld({
        shape: caught.parents.map((parent) => ({ parent })),
        days,
        prices: caught.prices.map((row) => [...row]),
        idle: caught.prices.map(() => new Array<boolean>(days).fill(false)),
        uncategorised: [...caught.uncategorised],
        hidings: caught.hidings.map((hiding) => ({ ...hiding })),
      });
      expect(identifiability(world).identifiability).to.equal(caught.verdict);
      const window = reconcileWindow(recordsOf(world), hierarchyOf(world));
      if (caught.verdict === 'determined' || caught.truthFound === true) {
        world.days.forEach((day, index) => expect(rowsOf(window.days.get(day)?.rows ?? []), day).to.deep.equal(expectedDay(world, index)));
        expect(tieReported(window)).to.equal(false);
      } else {
        expect(tieReported(window)).to.equal(true);
      }
    });
  }
});

/** Per row: category → "parent price", as expectedDay writes them. */
function rowsOf(rows: ReadonlyArray<{ category: string; parentCategory: string | null; price: bigint }>): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.category, `${row.parentCategory ?? '-'} ${formatDecimal(row.price)}`]));
}
