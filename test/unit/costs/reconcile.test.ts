import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { reconcileDay, reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { formatDecimal, parseDecimal } from '../../../source-twilio-costs/money';
import { parentsOf, pricesOf, record, rowOf, totalOf } from './helpers';

const add = (a: string, b: string): string => formatDecimal(parseDecimal(a) + parseDecimal(b));

describe('costs/reconcileDay', () => {
  const hierarchy = twilioHierarchy();
  const reconcile = (records: CostInputRecord[]) => reconcileDay(records, hierarchy);

  it('splits calls into its inbound/outbound leaves, with SIP, Client and recordings beside it', () => {
    const day = reconcile([
      record('totalprice', '20'),
      record('calls', '10'),
      record('calls-inbound', '4'),
      record('calls-inbound-local', '1.5'),
      record('calls-inbound-mobile', '2.5'),
      record('calls-outbound', '6'),
      record('calls-sip', '3'),
      record('calls-sip-inbound', '1'),
      record('calls-sip-outbound', '2'),
      record('calls-client', '2'),
      record('recordings', '5'),
      record('calls-recordings', '3'),
      record('trunking-recordings', '2'),
    ]);
    expect(pricesOf(day.rows)).to.deep.equal({
      'calls-client': '2',
      'calls-inbound-local': '1.5',
      'calls-inbound-mobile': '2.5',
      'calls-outbound': '6',
      'calls-recordings': '3',
      'calls-sip-inbound': '1',
      'calls-sip-outbound': '2',
      'trunking-recordings': '2',
    });
    expect(parentsOf(day.rows)).to.include({
      'calls-client': null,
      'calls-inbound-local': 'calls-inbound',
      'calls-outbound': 'calls',
      'calls-recordings': 'recordings',
      'calls-sip-inbound': 'calls-sip',
    });
    expect(rowOf(day, 'calls-client').placement).to.equal('curated');
    expect(rowOf(day, 'calls-outbound')).to.include({ placement: 'name', product: 'Voice', isUnattributed: false });
    expect(day.rollups.map((rollup) => rollup.category)).to.deep.equal(['calls', 'calls-inbound', 'calls-sip', 'recordings']);
    expect(day.rows.map((row) => row.category)).to.deep.equal(Object.keys(pricesOf(day.rows)).sort());
    expect(day.notes).to.deep.equal([]);
  });

  it('never sums authy-sms-outbound or authy-calls-outbound, which the SMS and Voice categories include', () => {
    const day = reconcile([
      record('totalprice', '12'),
      record('sms', '10'),
      record('sms-inbound', '3'),
      record('sms-outbound', '7'),
      record('sms-outbound-longcode', '5'),
      record('sms-outbound-shortcode', '2'),
      record('authy-sms-outbound', '1'),
      record('calls-outbound', '2'),
      record('authy-calls-outbound', '0.5'),
    ]);
    expect(pricesOf(day.rows)).to.deep.equal({
      'calls-outbound': '2',
      'sms-inbound': '3',
      'sms-outbound-longcode': '5',
      'sms-outbound-shortcode': '2',
    });
    expect(totalOf(day)).to.equal('12');
    expect(day.notes.map((note) => note.message)).to.deep.equal(['authy-calls-outbound is already included in calls; not summed', 'authy-sms-outbound is already included in sms; not summed']);
  });

  it('uses the non-prefix rollups lookups, pv, video-recordings and programmablevoiceconnectivity', () => {
    const day = reconcile([
      record('totalprice', '18'),
      record('lookups', '3'),
      record('carrier-lookups', '1'),
      record('calleridlookups-api', '0.5'),
      record('live-activity-lookups', '1.5'),
      record('pv', '10'),
      record('group-rooms', '4'),
      record('group-rooms-participant-minutes', '4'),
      record('video-recordings', '3'),
      record('group-rooms-recorded-minutes', '2'),
      record('pv-composition-minutes', '1'),
      record('turnmegabytes', '2'),
      record('turnmegabytes-useast', '2'),
      record('pv-rooms', '1'),
      record('programmablevoiceconnectivity', '5'),
      record('pstnconnectivity', '3'),
      record('pstnconnectivity-inbound', '3'),
      record('programmablevoiceconn-sip', '2'),
    ]);
    expect(parentsOf(day.rows)).to.deep.equal({
      'calleridlookups-api': 'lookups',
      'carrier-lookups': 'lookups',
      'group-rooms-participant-minutes': 'group-rooms',
      'group-rooms-recorded-minutes': 'video-recordings',
      'live-activity-lookups': 'lookups',
      'programmablevoiceconn-sip': 'programmablevoiceconnectivity',
      'pstnconnectivity-inbound': 'pstnconnectivity',
      'pv-composition-minutes': 'video-recordings',
      'pv-rooms': 'pv',
      'turnmegabytes-useast': 'turnmegabytes',
    });
    expect(totalOf(day)).to.equal('18');
    expect(day.rows.filter((row) => row.isUnattributed)).to.deep.equal([]);
    expect(day.rollups.find((rollup) => rollup.category === 'video-recordings')).to.deep.equal({
      category: 'video-recordings',
      parentCategory: 'pv',
      price: parseDecimal('3'),
      placement: 'curated',
    });
  });

  it('makes a rollup reported alone its own leaf', () => {
    const day = reconcile([record('totalprice', '7.5'), record('pv', '7.5'), record('group-rooms', '0')]);
    expect(day.rows).to.deep.equal([
      {
        category: 'pv',
        parentCategory: null,
        product: 'Video',
        price: parseDecimal('7.5'),
        isUnattributed: false,
        count: null,
        countUnit: null,
        usage: null,
        usageUnit: null,
        placement: 'name',
      },
    ]);
    expect(day.rollups).to.deep.equal([]);
  });

  it('compares categories case-insensitively and outputs them in lower case', () => {
    const day = reconcile([record('TotalPrice', '6'), record('Usage-RCS-Messages', '6'), record('usage-rcs-messages-inbound', '2'), record('Usage-RCS-Single-Messages-Outbound', '4')]);
    expect(parentsOf(day.rows)).to.deep.equal({
      'usage-rcs-messages-inbound': 'usage-rcs-messages',
      'usage-rcs-single-messages-outbound': 'usage-rcs-messages',
    });
    expect(rowOf(day, 'usage-rcs-single-messages-outbound').placement).to.equal('curated');
    expect(day.notes).to.deep.equal([]);
  });

  it('keeps the same category reported in two spellings once, or sums two different reports', () => {
    const same = reconcile([record('totalprice', '5'), record('SMS', '5'), record('sms', '5')]);
    expect(pricesOf(same.rows)).to.deep.equal({ sms: '5' });
    expect(same.notes[0]?.level).to.equal('info');

    const records = [record('totalprice', '5'), record('SMS', '2'), record('sms', '3')];
    const different = reconcile(records);
    expect(pricesOf(different.rows)).to.deep.equal({ sms: '5' });
    expect(different.notes[0]?.level).to.equal('warn');
    expect(reconcile([...records].reverse())).to.deep.equal(different);
  });

  it('places unknown categories by name, or at the top level, and never drops them', () => {
    const day = reconcile([
      record('totalprice', '11'),
      record('sms', '5'),
      record('sms-outbound', '5'),
      record('sms-outbound-longcode', '3'),
      record('sms-outbound-newthing', '2'),
      record('quantum-widgets', '4'),
      record('zeta', '2'),
      record('Zeta-Extra', '2'),
    ]);
    expect(parentsOf(day.rows)).to.deep.equal({
      'quantum-widgets': null,
      'sms-outbound-longcode': 'sms-outbound',
      'sms-outbound-newthing': 'sms-outbound',
      'zeta-extra': 'zeta',
    });
    expect(rowOf(day, 'sms-outbound-newthing')).to.include({ product: 'Messaging', placement: 'name' });
    expect(rowOf(day, 'quantum-widgets').product).to.equal('Other');
    expect(totalOf(day)).to.equal('11');
  });

  it('carries negative adjustments as they are', () => {
    const day = reconcile([record('totalprice', '8.5'), record('sms', '10'), record('min-spend-adjustments', '-2.5'), record('pchat', '1'), record('pchat-messages', '1.4'), record('pchat-bucket-adjustment', '-0.4')]);
    expect(pricesOf(day.rows)).to.deep.equal({
      'min-spend-adjustments': '-2.5',
      'pchat-bucket-adjustment': '-0.4',
      'pchat-messages': '1.4',
      sms: '10',
    });
    expect(rowOf(day, 'min-spend-adjustments').product).to.equal('Account');
    expect(totalOf(day)).to.equal('8.5');
  });

  it('puts cost that no category explains into an unattributed row', () => {
    const day = reconcile([record('totalprice', '12.00001'), record('sms', '10')]);
    expect(rowOf(day, 'unattributed')).to.deep.equal({
      category: 'unattributed',
      parentCategory: null,
      product: 'Other',
      price: parseDecimal('2.00001'),
      isUnattributed: true,
      count: null,
      countUnit: null,
      usage: null,
      usageUnit: null,
      placement: 'numbers',
    });
    expect(totalOf(day)).to.equal('12.00001');
  });

  it("puts a rollup's unexplained difference into a <rollup>:unattributed row", () => {
    const day = reconcile([record('totalprice', '10'), record('calls', '10'), record('calls-inbound', '4'), record('calls-outbound', '5')]);
    expect(pricesOf(day.rows)).to.deep.equal({ 'calls-inbound': '4', 'calls-outbound': '5', 'calls:unattributed': '1' });
    expect(rowOf(day, 'calls:unattributed')).to.include({ parentCategory: 'calls', product: 'Voice', isUnattributed: true });
  });

  it('attaches the children of a zero or missing rollup to the next priced level', () => {
    const day = reconcile([record('totalprice', '3'), record('calls', '0'), record('calls-inbound-local', '3'), record('calls-outbound', '0')]);
    expect(parentsOf(day.rows)).to.deep.equal({ 'calls-inbound-local': null });
  });

  it('anchors on the top-level sum when totalprice is missing', () => {
    const day = reconcile([record('sms', '10'), record('sms-inbound', '4'), record('sms-outbound', '5')]);
    expect(pricesOf(day.rows)).to.deep.equal({ 'sms-inbound': '4', 'sms-outbound': '5', 'sms:unattributed': '1' });
    expect(day.notes.map((note) => note.message)).to.deep.equal(['no totalprice record: the top-level sum is the anchor and has no residual', 'sms:unattributed carries 1 that no category explains, on 1 day(s)']);
  });

  describe('letting the numbers correct the tree', () => {
    it('moves a fee that sms does not include to the top level', () => {
      const day = reconcile([record('totalprice', '11.5'), record('sms', '10'), record('sms-inbound', '4'), record('sms-outbound', '6'), record('sms-messages-carrierfees', '1.5')]);
      expect(pricesOf(day.rows)).to.deep.equal({
        'sms-inbound': '4',
        'sms-messages-carrierfees': '1.5',
        'sms-outbound': '6',
      });
      expect(rowOf(day, 'sms-messages-carrierfees')).to.include({ parentCategory: null, placement: 'numbers' });
      expect(day.notes).to.have.length(1);
      expect(day.notes[0]?.level).to.equal('info');
      expect(day.notes[0]?.message).to.include('sms-messages-carrierfees').and.include('from sms to the top level');
    });

    it('moves a child into the sibling rollup that under-sums by its price', () => {
      const day = reconcile([
        record('totalprice', '10'),
        record('pv', '10'),
        record('group-rooms', '5'),
        record('group-rooms-participant-minutes', '5'),
        record('group-rooms-media-recorded', '1'),
        record('pv-rooms', '4'),
      ]);
      expect(rowOf(day, 'group-rooms-media-recorded')).to.include({ parentCategory: 'pv', placement: 'numbers' });
      expect(day.rows.filter((row) => row.isUnattributed)).to.deep.equal([]);
    });

    it('guesses nothing when two children fit, and leaves the difference in the residual rows', () => {
      const day = reconcile([
        record('totalprice', '14'),
        record('sms', '12'),
        record('sms-inbound', '4'),
        record('sms-outbound', '6'),
        record('sms-messages-carrierfees', '2'),
        record('sms-messages-registrationfees', '2'),
      ]);
      expect(pricesOf(day.rows)).to.deep.equal({
        'sms-inbound': '4',
        'sms-messages-carrierfees': '2',
        'sms-messages-registrationfees': '2',
        'sms-outbound': '6',
        'sms:unattributed': '-2',
        unattributed: '2',
      });
      expect(day.rows.filter((row) => row.placement === 'numbers' && !row.isUnattributed)).to.deep.equal([]);
      expect(day.notes.map((note) => note.level)).to.deep.equal(['warn', 'warn', 'info']);
      expect(day.notes[0]?.message).to.include('several placements').and.include('sms-messages-carrierfees').and.include('sms-messages-registrationfees');
      expect(day.notes.slice(1).map((note) => note.message)).to.deep.equal(['sms:unattributed carries -2 that no category explains, on 1 day(s)', 'unattributed carries 2 that no category explains, on 1 day(s)']);
    });

    it('never moves a category under itself or its own descendants', () => {
      // sms over-sums by 6 and sms-outbound under-sums by 6. Both sms-outbound and
      // sms-pumping-risk cost 6, but only sms-pumping-risk can go under sms-outbound.
      const day = reconcile([
        record('totalprice', '10'),
        record('sms', '10'),
        record('sms-inbound', '4'),
        record('sms-outbound', '6'),
        record('sms-outbound-longcode', '1'),
        record('sms-outbound-shortcode', '-1'),
        record('sms-pumping-risk', '6'),
      ]);
      expect(rowOf(day, 'sms-pumping-risk')).to.include({ parentCategory: 'sms-outbound', placement: 'numbers' });
      expect(day.rows.filter((row) => row.isUnattributed)).to.deep.equal([]);
      expect(day.notes.map((note) => note.level)).to.deep.equal(['info']);
    });

    it('confirms a2p-registration-fees as the rollup of the a2p-10dlc fees when every day of the window says so', () => {
      const window = reconcileWindow(
        new Map([
          ['2025-01-01', [record('totalprice', '10'), record('a2p-registration-fees', '10'), record('a2p-10dlc-registrationfees-brandregistration', '4'), record('a2p-10dlc-registrationfees-campaignvetting', '6')]],
          [
            '2025-01-02',
            [record('totalprice', '3.5'), record('a2p-registration-fees', '3.5'), record('a2p-10dlc-registrationfees-brandregistration', '1.25'), record('a2p-10dlc-registrationfees-campaignvetting', '2.25')],
          ],
        ]),
        hierarchy,
      );
      const day = window.days.get('2025-01-02')!;
      expect(parentsOf(day.rows)).to.deep.equal({
        'a2p-10dlc-registrationfees-brandregistration': 'a2p-registration-fees',
        'a2p-10dlc-registrationfees-campaignvetting': 'a2p-registration-fees',
      });
      expect(day.rows.every((row) => row.placement === 'numbers')).to.equal(true);
      expect(day.rollups.map((rollup) => rollup.category)).to.deep.equal(['a2p-registration-fees']);
      expect(window.notes.map((note) => note.level)).to.deep.equal(['info']);
    });

    it('trusts an adoption resting on one day when it makes every container of that day fit exactly', () => {
      const day = reconcile([record('totalprice', '19'), record('a2p-registration-fees', '19'), record('a2p-10dlc-registrationfees-brandregistration', '4'), record('a2p-10dlc-registrationfees-campaignvetting', '15')]);
      expect(parentsOf(day.rows)).to.deep.equal({
        'a2p-10dlc-registrationfees-brandregistration': 'a2p-registration-fees',
        'a2p-10dlc-registrationfees-campaignvetting': 'a2p-registration-fees',
      });
      expect(day.rows.every((row) => row.placement === 'numbers')).to.equal(true);
    });

    it('does not trust an adoption resting on one day that leaves that day unexplained', () => {
      // With 1 of cost in no category that day, 19 = 4 + 15 could as well be a coincidence.
      const day = reconcile([record('totalprice', '20'), record('a2p-registration-fees', '19'), record('a2p-10dlc-registrationfees-brandregistration', '4'), record('a2p-10dlc-registrationfees-campaignvetting', '15')]);
      expect(day.rows.filter((row) => row.placement === 'numbers' && !row.isUnattributed)).to.deep.equal([]);
      expect(pricesOf(day.rows)).to.include({ unattributed: '-18' });
    });

    it('leaves a2p-registration-fees alone when totalprice counts it separately', () => {
      const day = reconcile([record('totalprice', '20'), record('a2p-registration-fees', '10'), record('a2p-10dlc-registrationfees-brandregistration', '4'), record('a2p-10dlc-registrationfees-campaignvetting', '6')]);
      expect(parentsOf(day.rows)).to.deep.equal({
        'a2p-10dlc-registrationfees-brandregistration': null,
        'a2p-10dlc-registrationfees-campaignvetting': null,
        'a2p-registration-fees': null,
      });
      expect(day.notes).to.deep.equal([]);
    });

    it('places supersim where its price is already counted when it repeats a wireless-super-sim category', () => {
      const day = (total: string, commands: string, supersim: string): CostInputRecord[] => [
        record('totalprice', total),
        record('wireless', total),
        record('wireless-super-sim', supersim),
        record('wireless-super-sim-data', supersim),
        record('wireless-usage-commands', commands),
        record('supersim', supersim),
      ];
      const window = reconcileWindow(
        new Map([
          ['2025-01-01', day('10', '3', '7')],
          ['2025-01-02', day('12.5', '0.5', '12')],
        ]),
        hierarchy,
      );
      const second = window.days.get('2025-01-02')!;
      expect(pricesOf(second.rows)).to.deep.equal({ supersim: '12', 'wireless-usage-commands': '0.5' });
      expect(rowOf(second, 'supersim')).to.include({ parentCategory: 'wireless-super-sim-data', placement: 'numbers' });
      // wireless-super-sim and wireless-super-sim-data cost what supersim costs: under either it fits,
      // but under the lower one nothing else has to move.
      expect(window.notes.map((note) => note.message)).to.deep.equal([
        'placed supersim under wireless-super-sim-data: the two cost the same on every day, so the numbers cannot tell which holds the other, ' +
          'and this way round moves fewer categories from where the curation and their names put them',
      ]);
    });
  });

  it('reconciles the days around a day given with no record as if it were not given', () => {
    const day = (total: string, inbound: string, outbound: string): CostInputRecord[] => [
      record('totalprice', total),
      record('sms', add(inbound, outbound)),
      record('sms-inbound', inbound),
      record('sms-outbound', outbound),
    ];
    const withRecords = new Map([
      ['2025-01-01', day('10', '4', '6')],
      ['2025-01-03', day('7', '2', '3')],
      ['2025-01-04', day('9', '1', '8')],
    ]);
    const expected = reconcileWindow(withRecords, hierarchy);
    const withEmptyDay = reconcileWindow(new Map([...withRecords, ['2025-01-02', []]]), hierarchy);
    for (const date of withRecords.keys()) expect(withEmptyDay.days.get(date)?.rows, date).to.deep.equal(expected.days.get(date)?.rows);
    expect(withEmptyDay.days.get('2025-01-02')?.rows).to.deep.equal([]);
    // Each later day's rows still add up to its own totalprice (2, then 0, of cost in no category).
    expect(totalOf(withEmptyDay.days.get('2025-01-03')!)).to.equal('7');
  });
});
