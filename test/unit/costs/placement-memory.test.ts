import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { MAX_REMEMBERED, PlacementMemory, PlacementMemoryError, type RememberedPlacement } from '../../../source-twilio-costs/costs/placement-memory';
import { placeWindow, reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { WindowPrices } from '../../../source-twilio-costs/costs/window-prices';
import { addDays, type Day } from '../../../source-twilio-costs/dates';
import { formatDecimal } from '../../../source-twilio-costs/money';
import { MISPLACEMENTS, type RealisticWorld, realisticWorld } from './realistic-worlds';

const hierarchy = twilioHierarchy();

const nesting: RememberedPlacement = { category: 'calls-text-to-speech', parent: 'calls-outbound', firstDay: '2026-01-01', lastDay: '2026-03-31' };
const atTop: RememberedPlacement = { category: 'sms-messages-carrierfees', parent: null, firstDay: '2026-02-01', lastDay: '2026-03-31' };

describe('costs/placement-memory', () => {
  it('writes compact JSON that reads back as the same memory', () => {
    const memory = new PlacementMemory([nesting, atTop]);
    const text = JSON.stringify(memory);
    expect(text).to.equal('{"v":1,"p":[["calls-text-to-speech","calls-outbound","2026-01-01","2026-03-31"],["sms-messages-carrierfees",null,"2026-02-01","2026-03-31"]]}');
    expect(PlacementMemory.parse(JSON.parse(text)).placements()).to.deep.equal([nesting, atTop]);
    expect(JSON.stringify(new PlacementMemory())).to.equal('{"v":1,"p":[]}');
  });

  it('rejects malformed input with a message that names what is wrong', () => {
    const entry = (...fields: unknown[]): unknown => ({ v: 1, p: [fields] });
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, 'expected an object, got null'],
      [[], 'expected an object, got an array of 0'],
      [{ v: 2, p: [] }, 'v must be 1, got number 2'],
      [{ v: 1 }, 'p must be an array, got undefined'],
      [{ v: 1, p: [], extra: true }, 'unknown field "extra"'],
      [{ v: 1, p: ['sms'] }, 'p[0] must be [category, parent or null, first day, last day], got "sms"'],
      [entry('SMS', null, '2026-01-01', '2026-01-02'), 'p[0][0] (category) must be a non-empty lower-case category name, got "SMS"'],
      [entry('sms', 3, '2026-01-01', '2026-01-02'), 'p[0][1] (parent of sms) must be a lower-case category name or null, got number 3'],
      [entry('sms', 'sms', '2026-01-01', '2026-01-02'), 'p[0]: sms cannot be its own parent'],
      [entry('sms', null, '2026-02-30', '2026-03-01'), 'p[0][2] (first day of sms) must be a YYYY-MM-DD day, got "2026-02-30"'],
      [entry('sms', null, '2026-01-01', 20260102), 'p[0][3] (last day of sms) must be a YYYY-MM-DD day, got number 20260102'],
      [entry('sms', null, '2026-01-02', '2026-01-01'), 'p[0]: the last day of sms (2026-01-01) is before its first (2026-01-02)'],
      [
        {
          v: 1,
          p: [
            ['sms', null, '2026-01-01', '2026-01-01'],
            ['sms', 'mms', '2026-01-01', '2026-01-01'],
          ],
        },
        'p[1]: sms is placed twice',
      ],
      [{ v: 1, p: Array.from({ length: MAX_REMEMBERED + 1 }, (_, index) => [`fee-${index}`, null, '2026-01-01', '2026-01-01']) }, `p holds ${MAX_REMEMBERED + 1} placements, more than the ${MAX_REMEMBERED} ever written`],
    ];
    for (const [input, message] of cases) {
      expect(() => PlacementMemory.parse(input), JSON.stringify(input)).to.throw(PlacementMemoryError, `invalid placement memory: ${message}`);
    }
  });

  it('keeps the categories placed most recently, and stays small for 10,000 accounts', () => {
    const many = Array.from({ length: MAX_REMEMBERED + 5 }, (_, index): RememberedPlacement => ({
      category: `fee-${String(index).padStart(2, '0')}`,
      parent: null,
      firstDay: '2026-01-01',
      lastDay: addDays('2026-01-01', index),
    }));
    const kept = new PlacementMemory(many).placements().map((placement) => placement.category);
    expect(kept).to.have.length(MAX_REMEMBERED);
    expect(kept).to.not.include('fee-00');
    expect(kept).to.not.include('fee-04');
    expect(kept).to.include.members(['fee-05', `fee-${MAX_REMEMBERED + 4}`]);
    // An account with three categories its names place wrong: what a state holds per account.
    const typical = JSON.stringify(new PlacementMemory([nesting, atTop, { category: 'marketplace-voicebase-transcription', parent: 'marketplace-recording-addons', firstDay: '2026-01-01', lastDay: '2026-12-31' }]));
    expect(typical.length).to.be.at.most(300);
    expect(typical.length * 10_000).to.be.below(8 * 1024 * 1024);
  });

  it('updates: a place proven again joins its days, a place proven otherwise replaces it, one proven where the names put it is forgotten', () => {
    const memory = new PlacementMemory([nesting, atTop]).updated(
      [
        { ...nesting, firstDay: '2026-04-01', lastDay: '2026-04-03' },
        { category: 'calls-globalconference', parent: null, firstDay: '2026-04-02', lastDay: '2026-04-02' },
      ],
      ['sms-messages-carrierfees'],
    );
    expect(memory.placements()).to.deep.equal([
      { category: 'calls-globalconference', parent: null, firstDay: '2026-04-02', lastDay: '2026-04-02' },
      { ...nesting, lastDay: '2026-04-03' },
    ]);
  });
});

/** Reads some days of a world as one window, with the memory of what was read before. */
function readWindow(records: ReadonlyMap<Day, CostInputRecord[]>, days: readonly Day[], memory?: PlacementMemory): { rows: Map<Day, string[]>; memory: PlacementMemory } {
  const chosen = new Map(days.map((day) => [day, records.get(day) ?? []]));
  const prices = new WindowPrices(days);
  for (const [day, dayRecords] of chosen) for (const record of dayRecords) prices.add(record.category, day, record.price);
  const placed = placeWindow(prices, hierarchy, { memory });
  const window = reconcileWindow(chosen, hierarchy, placed);
  const rows = new Map([...window.days].map(([day, reconciled]) => [day, reconciled.rows.map((row) => `${row.category} under ${row.parentCategory ?? '-'} ${formatDecimal(row.price)} by ${row.placement}`)]));
  return { rows, memory: placed.memory };
}

/** Reads the days in turn, each part with the memory the parts before it left. */
function readInParts(records: ReadonlyMap<Day, CostInputRecord[]>, parts: ReadonlyArray<readonly Day[]>, start?: PlacementMemory): { rows: Map<Day, string[]>; memory: PlacementMemory } {
  const rows = new Map<Day, string[]>();
  let memory = start;
  for (const part of parts) {
    const read = readWindow(records, part, memory);
    for (const [day, dayRows] of read.rows) rows.set(day, dayRows);
    memory = read.memory;
  }
  return { rows, memory: memory ?? new PlacementMemory() };
}

/** The world with a day's price of one leaf raised, and its true ancestors' and totalprice with it: Twilio restating a day. */
function restated(world: RealisticWorld, day: Day, leaf: string, by: bigint): Map<Day, CostInputRecord[]> {
  const raised = new Set(['totalprice']);
  for (let category: string | null = leaf; category !== null; category = world.parents.get(category) ?? null) raised.add(category);
  return new Map([...world.records].map(([other, records]) => [other, other !== day ? records : records.map((record) => (raised.has(record.category) ? { ...record, price: record.price + by } : record))]));
}

describe('costs/placeWindow with a placement memory: a day has the same rows whatever the window that read it', function () {
  this.timeout(60_000);
  // Every class of misplacement, including equal-price chains and a monthly fee (priced on the 1st).
  const world = realisticWorld({ seed: 7, days: 45, start: '2026-01-20', misplacements: MISPLACEMENTS.length });
  const lookback = world.days.slice(37);
  let whole: ReturnType<typeof readWindow>;
  /** The first sync: every day before the last five. */
  let first: ReturnType<typeof readWindow>;
  before(() => {
    whole = readWindow(world.records, world.days);
    first = readWindow(world.records, world.days.slice(0, 40));
  });

  it('places what the numbers show, and remembers only what they moved', () => {
    const remembered = whole.memory.placements().map((placement) => `${placement.category} under ${placement.parent ?? '-'}`);
    expect(remembered).to.include.members(['calls-text-to-speech under calls-outbound', 'sms-messages-carrierfees under -', 'pv-recording-compositions under video-recordings']);
    expect(remembered).to.not.include('sms-inbound under sms');
    expect(JSON.stringify(whole.memory).length).to.be.below(MAX_REMEMBERED * 100);
  });

  it('chunks read in turn give the rows the whole window gives', () => {
    const chunked = readInParts(world.records, [world.days.slice(0, 12), world.days.slice(12, 30), world.days.slice(30)]);
    expect(Object.fromEntries(chunked.rows)).to.deep.equal(Object.fromEntries(whole.rows));
    expect(chunked.memory.placements().map((placement) => [placement.category, placement.parent])).to.deep.equal(whole.memory.placements().map((placement) => [placement.category, placement.parent]));
  });

  it("an incremental sync's few lookback days, and each of them alone, give the rows the whole window gave them", () => {
    for (const days of [lookback, ...lookback.map((day) => [day])]) {
      const again = readWindow(world.records, days, first.memory);
      for (const day of days) expect(again.rows.get(day), day).to.deep.equal(whole.rows.get(day));
    }
    // Without the memory, some of those days alone read otherwise (one day proves little, least of all
    // one with cost in no category): what the test holds to is the memory's doing.
    const otherwiseAlone = lookback.filter((day) => JSON.stringify(readWindow(world.records, [day]).rows.get(day)) !== JSON.stringify(whole.rows.get(day)));
    expect(otherwiseAlone).to.not.deep.equal([]);
  });

  it('restated days in the lookback change only their own rows', () => {
    const [restatedDay, unchangedDay] = [lookback[4] as Day, lookback[2] as Day];
    const records = restated(world, restatedDay, 'calls-text-to-speech', 1234n * 10n ** 7n);
    const again = readWindow(records, lookback, first.memory);
    const wholeRestated = readWindow(records, world.days);
    for (const day of lookback) expect(again.rows.get(day), day).to.deep.equal(wholeRestated.rows.get(day));
    expect(again.rows.get(unchangedDay)).to.deep.equal(whole.rows.get(unchangedDay));
    expect(again.rows.get(restatedDay)).to.not.deep.equal(whole.rows.get(restatedDay));
  });

  it('a memory the numbers contradict is overturned', () => {
    // Remembered at the top level, but these days show it inside sms (sms fits only with it).
    const wrong = new PlacementMemory([{ category: 'sms-inbound', parent: null, firstDay: '2025-01-01', lastDay: '2025-01-31' }]);
    const again = readWindow(world.records, lookback, wrong);
    for (const day of lookback) expect(again.rows.get(day), day).to.deep.equal(whole.rows.get(day));
    expect(again.memory.get('sms-inbound')).to.equal(undefined);
  });
});
