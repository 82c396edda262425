import { expect } from 'chai';

import { PlacementMemory } from '../../../source-twilio-costs/costs/placement-memory';
import { ConfigError } from '../../../source-twilio-costs/protocol/errors';
import type { JsonObject } from '../../../source-twilio-costs/protocol/messages';
import { CategoryDays } from '../../../source-twilio-costs/usage/category-days';
import { inputCursorOf, parseUsageState, type ScopeCursor, serializeUsageState, UsageStateWriter } from '../../../source-twilio-costs/usage/usage-state';

const MAIN = 'AC00000000000000000000000000000001';
const SUB = 'AC00000000000000000000000000000002';

/** A cursor's recent days as plain data: category → its days. */
function recentOf(cursor: ScopeCursor | undefined): Record<string, string[]> {
  const recent: Record<string, string[]> = {};
  for (const category of cursor?.recent?.categories() ?? []) recent[category] = cursor?.recent?.daysOf(category) ?? [];
  return recent;
}

function categoryDays(base: string, days: Record<string, string[]>): CategoryDays {
  const recent = new CategoryDays(base);
  for (const [category, list] of Object.entries(days)) for (const day of list) recent.add(category, day);
  return recent;
}

/** The state codec: what a usage stream's state may hold, and what it checkpoints. */
describe('usage/usage-state: the per-scope cursor codec', () => {
  it('reads no state, or an empty one, as no cursors', () => {
    expect(parseUsageState('usage_costs', undefined)).to.deep.equal({ accounts: {} });
    expect(parseUsageState('usage_costs', {})).to.deep.equal({ accounts: {} });
  });

  it('reads a state of the first version: recent categories by name, without their days', () => {
    const state = { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-05', recent_categories: ['sms', 'totalprice'] }, [SUB]: { start_date: '2026-03-01' } } };
    expect(parseUsageState('usage_costs', state)).to.deep.equal({
      start_date: '2026-01-01',
      accounts: { [MAIN]: { startDate: '2026-03-05', recentOnEveryDay: ['sms', 'totalprice'] }, [SUB]: { startDate: '2026-03-01' } },
    });
  });

  it('reads the recent days it wrote: category indices grouped by day offsets from the cursor', () => {
    const state = { version: 2, categories: ['calls', 'sms', 'totalprice'], accounts: { [MAIN]: { start_date: '2026-03-05', recent: { '-2..1': [1, 2], '-2,0': [0] } } } };
    const cursor = parseUsageState('usage_records', state).accounts[MAIN];
    expect(cursor?.startDate).to.equal('2026-03-05');
    expect(recentOf(cursor)).to.deep.equal({
      sms: ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'],
      totalprice: ['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'],
      calls: ['2026-03-03', '2026-03-05'],
    });
  });

  const refusals: Array<[string, JsonObject, RegExp]> = [
    ['no accounts object', { start_date: '2026-01-01' }, /usage_costs is not one this source wrote: it has no "accounts" object/],
    ['a floor that is not a day', { accounts: {}, start_date: '2026-13-01' }, /its "start_date" is not "YYYY-MM-DD"/],
    ['a cursor without a day', { accounts: { [MAIN]: { end_date: '2026-03-01' } } }, /the cursor of "AC0+1" is not \{"start_date": "YYYY-MM-DD"\}/],
    ['recent categories that are not strings', { accounts: { [MAIN]: { start_date: '2026-03-01', recent_categories: [1] } } }, /recent_categories of "AC0+1" is not a list of strings/],
    ['a version it does not know', { version: 3, accounts: {} }, /its "version" is 3, and this source reads versions 1 and 2/],
    ['categories that are not strings', { version: 2, categories: [1], accounts: {} }, /its "categories" is not a list of strings/],
    ['recent days that are not an object', { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', recent: ['sms'] } } }, /the "recent" of "AC0+1" is not an object/],
    ['a day list that is not offsets', { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', recent: { '2026-03-01': [0] } } } }, /has the key "2026-03-01", which is not day offsets/],
    ['a day run backwards', { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', recent: { '1..-1': [0] } } } }, /has the key "1..-1"/],
    ['a day offset beyond a century', { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', recent: { '0..99999999': [0] } } } }, /has the key "0..99999999"/],
    ['a placement that is not a list', { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', placement: {} } } }, /the "placement" of "AC0+1" is not a list/],
    [
      'a placement entry with a name instead of an index',
      { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', placement: [['sms', null, -3, 0]] } } },
      /the "placement" of "AC0+1" entry 0 is not \[category index, parent index or null, first day offset, last day offset\]/,
    ],
    [
      'a placement under itself',
      { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', placement: [[0, 0, -3, 0]] } } },
      /the "placement" of "AC0+1" is not a placement memory \(invalid placement memory: p\[0\]: sms cannot be its own parent\)/,
    ],
    [
      'a placement that ends before it starts',
      { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', placement: [[0, null, 0, -3]] } } },
      /the last day of sms \(2026-02-26\) is before its first \(2026-03-01\)/,
    ],
    [
      'an index outside the categories',
      { version: 2, categories: ['sms'], accounts: { [MAIN]: { start_date: '2026-03-01', recent: { '0': [1] } } } },
      /lists under "0" something other than indices into "categories" \(0..0\)/,
    ],
  ];
  for (const [problem, state, message] of refusals) {
    it(`refuses a state with ${problem}, naming it`, () => {
      expect(() => parseUsageState('usage_costs', state)).to.throw(ConfigError, message);
    });
  }

  it('gives a scope its own cursor, else the floor, else none', () => {
    const state = parseUsageState('usage_records', { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-05' } } });
    expect(inputCursorOf(state, MAIN)).to.deep.equal({ startDate: '2026-03-05' });
    expect(inputCursorOf(state, SUB)).to.deep.equal({ startDate: '2026-01-01' });
    expect(inputCursorOf(parseUsageState('usage_records', { accounts: {} }), SUB)).to.equal(undefined);
  });

  it('checkpoints the current cursors over the input ones, keeping the floor and the scopes not read, each name written once', () => {
    const input = parseUsageState('usage_records', { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-01' }, [SUB]: { start_date: '2026-02-01', recent_categories: ['mms'] } } });
    const current = new Map<string, ScopeCursor | undefined>([
      [
        MAIN,
        {
          startDate: '2026-03-09',
          recent: categoryDays('2026-03-07', { sms: ['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'], calls: ['2026-03-08'], totalprice: ['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'] }),
        },
      ],
      [SUB, undefined],
    ]);
    const state = serializeUsageState(input, current);
    expect(state).to.deep.equal({
      version: 2,
      start_date: '2026-01-01',
      categories: ['calls', 'sms', 'totalprice'],
      accounts: { [MAIN]: { start_date: '2026-03-09', recent: { '-2..1': [1, 2], '-1': [0] } }, [SUB]: { start_date: '2026-02-01', recent_categories: ['mms'] } },
    });
    const again = parseUsageState('usage_records', state);
    expect(recentOf(again.accounts[MAIN])).to.deep.equal(recentOf(current.get(MAIN)));
    expect(serializeUsageState(again, new Map())).to.deep.equal(state);
  });

  it("keeps a scope's placement memory with its names among the state's categories and its days as offsets from the cursor", () => {
    const placementMemory = new PlacementMemory([
      { category: 'sms-messages-carrierfees', parent: null, firstDay: '2026-01-01', lastDay: '2026-03-09' },
      { category: 'group-rooms', parent: 'pv', firstDay: '2026-03-01', lastDay: '2026-03-10' },
    ]);
    const current = new Map<string, ScopeCursor | undefined>([[MAIN, { startDate: '2026-03-09', recent: categoryDays('2026-03-09', { pv: ['2026-03-09'] }), placementMemory }]]);
    const state = serializeUsageState({ accounts: {} }, current);
    expect(state).to.deep.equal({
      version: 2,
      categories: ['group-rooms', 'pv', 'sms-messages-carrierfees'],
      accounts: {
        [MAIN]: {
          start_date: '2026-03-09',
          recent: { '0': [1] },
          placement: [
            [0, 1, -8, 1],
            [2, null, -67, 0],
          ],
        },
      },
    });
    const again = parseUsageState('usage_costs', state).accounts[MAIN];
    expect(again?.placementMemory?.placements()).to.deep.equal(placementMemory.placements());
    // A memory that proves nothing is not written.
    expect(serializeUsageState({ accounts: {} }, new Map([[MAIN, { startDate: '2026-03-09', placementMemory: new PlacementMemory() }]]))).to.deep.equal({ version: 2, accounts: { [MAIN]: { start_date: '2026-03-09' } } });
  });

  it('writes checkpoint after checkpoint of one input as each would be written alone, a new name shifting the scopes not read', () => {
    // SUB is not read: its cursor is written from the input at every checkpoint, under the
    // category table of that checkpoint (a name the read brings sorts before its own; fax, which
    // only MAIN's input cursor names, goes once MAIN's own cursor is written).
    const input = parseUsageState('usage_records', {
      version: 2,
      categories: ['fax', 'mms', 'sms'],
      accounts: { [MAIN]: { start_date: '2026-03-08', recent: { '0': [0, 2] } }, [SUB]: { start_date: '2026-03-08', recent: { '-1..0': [1, 2] } } },
    });
    const checkpoints: Array<Map<string, ScopeCursor | undefined>> = [
      new Map([[MAIN, undefined]]),
      new Map([[MAIN, { startDate: '2026-03-09', recent: categoryDays('2026-03-09', { sms: ['2026-03-09'] }) }]]),
      new Map([[MAIN, { startDate: '2026-03-10', recent: categoryDays('2026-03-09', { calls: ['2026-03-10'], sms: ['2026-03-09'] }) }]]),
      new Map([[MAIN, { startDate: '2026-03-11', recent: categoryDays('2026-03-11', { sms: ['2026-03-11'] }) }]]),
    ];
    const writer = new UsageStateWriter(input);
    const written = checkpoints.map((cursors) => writer.write(cursors));
    expect(written).to.deep.equal(checkpoints.map((cursors) => serializeUsageState(input, cursors)));
    expect(written.map((state) => state.categories)).to.deep.equal([
      ['fax', 'mms', 'sms'],
      ['mms', 'sms'],
      ['calls', 'mms', 'sms'],
      ['mms', 'sms'],
    ]);
    expect((written[2]?.accounts as Record<string, unknown>)[SUB]).to.deep.equal({ start_date: '2026-03-08', recent: { '-1,0': [1, 2] } });
    expect((written[3]?.accounts as Record<string, unknown>)[SUB]).to.deep.equal({ start_date: '2026-03-08', recent: { '-1,0': [0, 1] } });
  });
});
