import { expect } from 'chai';
import { ConfigError } from '../../../source-twilio-costs/protocol/errors';
import type { JsonObject } from '../../../source-twilio-costs/protocol/messages';
import { inputCursorOf, parseUsageState, serializeUsageState } from '../../../source-twilio-costs/usage/usage-state';

const MAIN = 'AC00000000000000000000000000000001';
const SUB = 'AC00000000000000000000000000000002';

/** The state codec: what a usage stream's state may hold, and what it checkpoints. */
describe('usage/usage-state: the per-scope cursor codec', () => {
  it('reads no state, or an empty one, as no cursors', () => {
    expect(parseUsageState('usage_costs', undefined)).to.deep.equal({ accounts: {} });
    expect(parseUsageState('usage_costs', {})).to.deep.equal({ accounts: {} });
  });

  it('reads the cursors it wrote, recent categories and the floor included', () => {
    const state = { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-05', recent_categories: ['sms', 'totalprice'] }, [SUB]: { start_date: '2026-03-01' } } };
    expect(parseUsageState('usage_costs', state)).to.deep.equal(state);
  });

  const refusals: Array<[string, JsonObject, RegExp]> = [
    ['no accounts object', { start_date: '2026-01-01' }, /usage_costs is not one this source wrote: it has no "accounts" object/],
    ['a floor that is not a day', { accounts: {}, start_date: '2026-13-01' }, /its "start_date" is not "YYYY-MM-DD"/],
    ['a cursor without a day', { accounts: { [MAIN]: { end_date: '2026-03-01' } } }, /the cursor of "AC0+1" is not \{"start_date": "YYYY-MM-DD"\}/],
    ['recent categories that are not strings', { accounts: { [MAIN]: { start_date: '2026-03-01', recent_categories: [1] } } }, /recent_categories of "AC0+1" is not a list of strings/],
  ];
  for (const [problem, state, message] of refusals) {
    it(`refuses a state with ${problem}, naming it`, () => {
      expect(() => parseUsageState('usage_costs', state)).to.throw(ConfigError, message);
    });
  }

  it('gives a scope its own cursor, else the floor, else none', () => {
    const state = parseUsageState('usage_records', { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-05' } } });
    expect(inputCursorOf(state, MAIN)).to.deep.equal({ start_date: '2026-03-05' });
    expect(inputCursorOf(state, SUB)).to.deep.equal({ start_date: '2026-01-01' });
    expect(inputCursorOf(parseUsageState('usage_records', { accounts: {} }), SUB)).to.equal(undefined);
  });

  it('checkpoints the current cursors over the input ones, keeping the floor and the scopes not read', () => {
    const input = parseUsageState('usage_records', { start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-01' }, [SUB]: { start_date: '2026-02-01' } } });
    const current = new Map([
      [MAIN, { start_date: '2026-03-09', recent_categories: ['sms'] }],
      [SUB, undefined],
    ]);
    const state = serializeUsageState(input, current);
    expect(state).to.deep.equal({ start_date: '2026-01-01', accounts: { [MAIN]: { start_date: '2026-03-09', recent_categories: ['sms'] }, [SUB]: { start_date: '2026-02-01' } } });
    expect(parseUsageState('usage_records', state)).to.deep.equal(state);
  });
});
