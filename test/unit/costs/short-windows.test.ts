import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { PlacementMemory } from '../../../source-twilio-costs/costs/placement-memory';
import { placeWindow, reconcileWindow } from '../../../source-twilio-costs/costs/reconcile';
import { WindowPrices } from '../../../source-twilio-costs/costs/window-prices';
import type { Day } from '../../../source-twilio-costs/dates';
import { formatDecimal, parseDecimal } from '../../../source-twilio-costs/money';
import { record } from './helpers';

const hierarchy = twilioHierarchy();

/** category → price (decimal string) per day; totalprice is made from the rest and `uncategorised`. */
type SketchDay = { readonly day: Day; readonly prices: Readonly<Record<string, string>>; readonly topLevel: readonly string[]; readonly uncategorised: string };

function recordsOf(days: readonly SketchDay[]): Map<Day, ReturnType<typeof record>[]> {
  return new Map(
    days.map(({ day, prices, topLevel, uncategorised }) => {
      const total = [...topLevel.map((category) => prices[category] ?? '0'), uncategorised].reduce((sum, price) => sum + parseDecimal(price), 0n);
      return [day, [...Object.entries(prices).map(([category, price]) => record(category, price)), record('totalprice', formatDecimal(total))]];
    }),
  );
}

/** Each day's rows as `category under parent price`, and the window's WARN notes. */
function read(days: readonly SketchDay[], memory?: PlacementMemory): { rows: Record<Day, string[]>; warnings: string[] } {
  const records = recordsOf(days);
  const placed = placeWindow(WindowPrices.of(records), hierarchy, { memory });
  const window = reconcileWindow(records, hierarchy, placed);
  return {
    rows: Object.fromEntries([...window.days].map(([day, reconciled]) => [day, reconciled.rows.map((row) => `${row.category} under ${row.parentCategory ?? '-'} ${formatDecimal(row.price)}`)])),
    warnings: placed.notes.filter((note) => note.level === 'warn').map((note) => note.message),
  };
}

/**
 * Days of the simulator's sample (its main account and first subaccount), cut down to the
 * categories that matter and one product that makes up the rest of each day's total. On each, the
 * top level holds cost in no category (Twilio's documented uncategorised cost), so it misfits
 * whatever the window does, and a rollup's only child is priced beside it at the rollup's price.
 * The sample's whole year places the child under its rollup; a chunk of two or three days, or an
 * incremental sync's three lookback days, sent it to the top level (unproven, WARNed), leaving the
 * rollup emitted as a leaf beside it and `unattributed` lowered by exactly the rollup's price.
 */
describe('costs/placeWindow on a short window where the top level holds cost in no category', () => {
  /** A product of two children: the rest of a day's total. */
  const product =
    (rollup: string) =>
    (inbound: string, outbound: string): Record<string, string> => ({
      [rollup]: formatDecimal(parseDecimal(inbound) + parseDecimal(outbound)),
      [`${rollup}-inbound`]: inbound,
      [`${rollup}-outbound`]: outbound,
    });
  const calls = product('calls');
  const sms = product('sms');

  it('keeps calls-recordings under recordings, its twin on those days, as the year does (sample, 2026-05-27..29)', () => {
    const days: SketchDay[] = [
      { day: '2026-05-27', prices: { ...calls('4.2755', '5.194'), recordings: '0.225', 'calls-recordings': '0.225' }, topLevel: ['calls', 'recordings'], uncategorised: '1.92' },
      { day: '2026-05-28', prices: { ...calls('10.921', '8.932'), recordings: '0.0625', 'calls-recordings': '0.0625' }, topLevel: ['calls', 'recordings'], uncategorised: '2.11' },
      { day: '2026-05-29', prices: calls('10.657', '1.778'), topLevel: ['calls'], uncategorised: '0' },
    ];
    // The year's memory: it placed only the carrier fees away from their names.
    const memory = new PlacementMemory([{ category: 'sms-messages-carrierfees', parent: null, firstDay: '2025-11-01', lastDay: '2026-10-31' }]);
    const { rows, warnings } = read(days, memory);
    expect(rows).to.deep.equal({
      '2026-05-27': ['calls-inbound under calls 4.2755', 'calls-outbound under calls 5.194', 'calls-recordings under recordings 0.225', 'unattributed under - 1.92'],
      '2026-05-28': ['calls-inbound under calls 10.921', 'calls-outbound under calls 8.932', 'calls-recordings under recordings 0.0625', 'unattributed under - 2.11'],
      '2026-05-29': ['calls-inbound under calls 10.657', 'calls-outbound under calls 1.778'],
    });
    expect(warnings).to.deep.equal([]);
  });

  it('keeps the calleridlookups chain under lookups, all three the same price on those days (sample, 2026-03-31..04-01)', () => {
    const days: SketchDay[] = [
      { day: '2026-03-31', prices: { ...sms('5.135', '23.8106'), lookups: '0.68', calleridlookups: '0.68', 'calleridlookups-api': '0.68' }, topLevel: ['sms', 'lookups'], uncategorised: '1.07' },
      { day: '2026-04-01', prices: { ...sms('6.2489', '11.9294'), lookups: '0.61', calleridlookups: '0.61', 'calleridlookups-api': '0.61' }, topLevel: ['sms', 'lookups'], uncategorised: '2.53' },
    ];
    const { rows, warnings } = read(days);
    expect(rows).to.deep.equal({
      '2026-03-31': ['calleridlookups-api under calleridlookups 0.68', 'sms-inbound under sms 5.135', 'sms-outbound under sms 23.8106', 'unattributed under - 1.07'],
      '2026-04-01': ['calleridlookups-api under calleridlookups 0.61', 'sms-inbound under sms 6.2489', 'sms-outbound under sms 11.9294', 'unattributed under - 2.53'],
    });
    expect(warnings).to.deep.equal([]);
  });
});
