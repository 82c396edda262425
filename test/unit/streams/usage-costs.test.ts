import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { PlacementMemory } from '../../../source-twilio-costs/costs/placement-memory';
import { placeWindow } from '../../../source-twilio-costs/costs/reconcile';
import type { UsageCostsRecord } from '../../../source-twilio-costs/generated/types';
import { parseDecimal, sumDecimals } from '../../../source-twilio-costs/money';
import { CategorySpellings, SUBACCOUNTS_RESIDUAL_CATEGORY, UsageCostsConsumer, UsageCostsStream } from '../../../source-twilio-costs/streams/usage-costs';
import { CategoryDays } from '../../../source-twilio-costs/usage/category-days';
import { amountOf } from '../../../source-twilio-costs/usage/daily-usage';
import { UsageEngine } from '../../../source-twilio-costs/usage/engine';
import { type Placer, UsageWindowReader } from '../../../source-twilio-costs/usage/window-reader';
import { capturedLog } from '../../helpers/captured-log';
import { clientOver, fakeTwilio } from '../usage/fake-client';
import { configOf, MAIN_SID, planOf, scopeOf, ScriptedReader, usage } from '../usage/scripted-reader';
import { readEvents, schemaCheckedRecords } from './stream-read';

const DAY = '2026-11-01';
const WINDOW = { from: DAY, to: DAY };

/** One day of one account: a totalprice of 3.25 and its breakdown, with one category spelled in mixed case as Twilio does. */
const DAY_ROWS = [
  usage(MAIN_SID, 'totalprice', DAY, '3.25'),
  usage(MAIN_SID, 'sms', DAY, '2'),
  usage(MAIN_SID, 'sms-outbound', DAY, '1.5'),
  usage(MAIN_SID, 'sms-inbound', DAY, '0.5'),
  usage(MAIN_SID, 'calls', DAY, '1'),
  usage(MAIN_SID, 'calls-outbound', DAY, '1'),
  usage(MAIN_SID, 'Usage-RCS-Messages', DAY, '0.25'),
];

/**
 * One day on which the carrier fees are billed outside sms, as earlier days prove; calls has money
 * of its own that day and totalprice carries a credit in no category (it has no room for the fees
 * beside sms and calls), so this day alone proves nothing and its names leave the fees under sms.
 */
const AMBIGUOUS_DAY = [
  usage(MAIN_SID, 'totalprice', DAY, '4.75'),
  usage(MAIN_SID, 'sms', DAY, '2'),
  usage(MAIN_SID, 'sms-outbound', DAY, '1.25'),
  usage(MAIN_SID, 'sms-inbound', DAY, '0.75'),
  usage(MAIN_SID, 'sms-messages-carrierfees', DAY, '0.5'),
  usage(MAIN_SID, 'calls', DAY, '2.5'),
  usage(MAIN_SID, 'calls-outbound', DAY, '2'),
];

const rowOf = (record: UsageCostsRecord): string => `${record.category} ${record.parent_category ?? '-'} ${record.price}`;
const exactSum = (records: readonly UsageCostsRecord[]): bigint => sumDecimals(records.map((record) => parseDecimal(String(record.price))));

describe('usage_costs stream', () => {
  it("holds a chunk's rows until it ends, then emits its leaves adding up to totalprice exactly, spelled as Twilio sent them", async () => {
    const { logger } = capturedLog();
    const consumer = new UsageCostsConsumer(twilioHierarchy());
    const run = await consumer.begin(logger);
    const window = run.window(scopeOf(MAIN_SID, false), WINDOW, new CategoryDays(DAY));
    expect(window.rows(DAY_ROWS)).to.equal(undefined);
    const records = [...window.chunkEnd(WINDOW, undefined)].flatMap((batch) => batch.records);
    expect(records.map(rowOf)).to.have.members(['sms-outbound sms 1.5', 'sms-inbound sms 0.5', 'calls-outbound calls 1', 'Usage-RCS-Messages - 0.25']);
    expect(exactSum(records)).to.equal(parseDecimal('3.25'));
    expect(records.every((record) => record.account_sid === MAIN_SID && record.start_date === DAY && record.price_unit === 'USD')).to.equal(true);
    // What usage_categories reports afterwards: the placement this read used.
    expect(consumer.placements.of('sms-outbound')).to.deep.include({ parentCategory: 'sms' });
  });

  it('emits a zero row (a tombstone) for a recent category the day no longer has, and none for one it still has', async () => {
    const { logger } = capturedLog();
    const run = await new UsageCostsConsumer(twilioHierarchy()).begin(logger);
    const recent = new CategoryDays(DAY);
    for (const category of ['calls-outbound', 'mms-outbound']) recent.add(category, DAY);
    const window = run.window(scopeOf(MAIN_SID, false), WINDOW, recent);
    window.rows(DAY_ROWS);
    const [batch] = [...window.chunkEnd(WINDOW, undefined)];
    const tombstones = (batch?.records ?? []).filter((record) => record.price === 0);
    expect(tombstones.map((record) => `${record.category} ${record.parent_category}`)).to.deep.equal(['mms-outbound mms']);
    // The cursor keeps the categories emitted non-zero, not the tombstones.
    const nonZero = [...(batch?.nonZeroCategoriesByDay.get(DAY) ?? [])];
    expect(nonZero).to.include('sms-outbound');
    expect(nonZero).to.not.include('mms-outbound');
  });

  it("places a chunk with what the account's earlier days proved as the prior, and keeps the memory updated for its cursor", async () => {
    const scope = scopeOf(MAIN_SID, false);
    const read = async (memory?: PlacementMemory): Promise<{ rows: string[]; memory: PlacementMemory | undefined }> => {
      const run = await new UsageCostsConsumer(twilioHierarchy()).begin(capturedLog().logger);
      if (memory) run.remember?.(scope.id, memory);
      const window = run.window(scope, WINDOW, new CategoryDays(DAY));
      window.rows(AMBIGUOUS_DAY);
      const records = [...window.chunkEnd(WINDOW, undefined)].flatMap((batch) => batch.records);
      expect(exactSum(records)).to.equal(parseDecimal('4.75'));
      return { rows: records.filter((record) => record.category === 'sms-messages-carrierfees').map(rowOf), memory: run.placementMemory?.(scope.id) };
    };
    const alone = await read();
    expect(alone.rows).to.deep.equal(['sms-messages-carrierfees sms 0.5']);
    expect(alone.memory).to.equal(undefined);
    const remembered = await read(new PlacementMemory([{ category: 'sms-messages-carrierfees', parent: null, firstDay: '2026-10-01', lastDay: '2026-10-31' }]));
    expect(remembered.rows).to.deep.equal(['sms-messages-carrierfees - 0.5']);
    expect(remembered.memory?.placements()).to.deep.equal([{ category: 'sms-messages-carrierfees', parent: null, firstDay: '2026-10-01', lastDay: DAY }]);
  });

  it("carries what one chunk's numbers proved to the next chunk of the window", async () => {
    const run = await new UsageCostsConsumer(twilioHierarchy()).begin(capturedLog().logger);
    const scope = scopeOf(MAIN_SID, false);
    const proving = { from: '2026-10-29', to: '2026-10-31' };
    const window = run.window(scope, { from: proving.from, to: DAY }, new CategoryDays(proving.from));
    // Three days on which sms is exactly its two children and the carrier fees are billed beside it.
    (['2026-10-29', '2026-10-30', '2026-10-31'] as const).forEach((day, index) => {
      const [outbound, inbound, fees, calls] = [
        [1, 0.5, 0.25, 2],
        [2, 0.25, 0.75, 1],
        [0.5, 1, 0.5, 3],
      ][index] as number[];
      window.rows([
        usage(MAIN_SID, 'totalprice', day, String((outbound as number) + (inbound as number) + (fees as number) + (calls as number))),
        usage(MAIN_SID, 'sms', day, String((outbound as number) + (inbound as number))),
        usage(MAIN_SID, 'sms-outbound', day, String(outbound)),
        usage(MAIN_SID, 'sms-inbound', day, String(inbound)),
        usage(MAIN_SID, 'sms-messages-carrierfees', day, String(fees)),
        usage(MAIN_SID, 'calls', day, String(calls)),
        usage(MAIN_SID, 'calls-outbound', day, String(calls)),
      ]);
    });
    const proved = [...window.chunkEnd(proving, undefined)].flatMap((batch) => batch.records);
    expect(proved.filter((record) => record.category === 'sms-messages-carrierfees').map(rowOf)).to.deep.equal(['sms-messages-carrierfees - 0.25', 'sms-messages-carrierfees - 0.75', 'sms-messages-carrierfees - 0.5']);
    expect(run.placementMemory?.(scope.id)?.get('sms-messages-carrierfees')).to.deep.include({ parent: null, lastDay: '2026-10-31' });
    // The next chunk's one day, which alone proves nothing (see above), is placed as the chunk before proved.
    window.rows(AMBIGUOUS_DAY);
    const next = [...window.chunkEnd(WINDOW, undefined)].flatMap((batch) => batch.records);
    expect(next.filter((record) => record.category === 'sms-messages-carrierfees').map(rowOf)).to.deep.equal(['sms-messages-carrierfees - 0.5']);
  });

  it('places each chunk once, with the memory of its state: the reader places it to find the days to heal, the consumer reuses that', async () => {
    const hierarchy = twilioHierarchy();
    /** The memory each placement was given, one entry a placement, whichever layer made it. */
    const placedWith: Array<PlacementMemory | undefined> = [];
    const place: Placer = (prices, placeHierarchy, options) => {
      placedWith.push(options?.memory);
      return placeWindow(prices, placeHierarchy, options);
    };
    const twilio = fakeTwilio(
      AMBIGUOUS_DAY.map((record) => ({ category: record.category, day: record.startDate, price: String(record.price) })),
      AMBIGUOUS_DAY.map((record) => record.category),
      MAIN_SID,
    );
    const reader = new UsageWindowReader({ client: clientOver(twilio.fetch, MAIN_SID), hierarchy, place });
    const engine = new UsageEngine({ config: configOf({ start_date: DAY, end_date: DAY }), reader, scopes: async () => [scopeOf(MAIN_SID, false)] });
    const stream = new UsageCostsStream(engine, new UsageCostsConsumer(hierarchy, place));
    // The state of a sync whose earlier days proved the carrier fees billed beside sms, not in it.
    const state = { version: 2, categories: ['sms-messages-carrierfees'], accounts: { [MAIN_SID]: { start_date: DAY, placement: [[0, null, -30, -1]] } } };
    const records = schemaCheckedRecords(stream, await readEvents(stream, capturedLog().logger, 'incremental', state));
    expect(placedWith.map((memory) => memory?.placements())).to.deep.equal([[{ category: 'sms-messages-carrierfees', parent: null, firstDay: '2026-10-02', lastDay: '2026-10-31' }]]);
    expect(records.filter((record) => record.category === 'sms-messages-carrierfees').map(rowOf)).to.deep.equal(['sms-messages-carrierfees - 0.5']);
  });

  it("puts what the accounts read on their own do not explain of the whole bill on the main account, as the subaccounts' residual", async () => {
    const { logger } = capturedLog();
    const run = await new UsageCostsConsumer(twilioHierarchy()).begin(logger);
    const whole = new Map([[DAY, usage(MAIN_SID, 'totalprice', DAY, '10')]]);
    const explained = new Map([[DAY, amountOf('7.25') ?? 0n]]);
    const records = [...(run.residual?.({ accountSid: MAIN_SID, range: WINDOW, whole, explained }, new CategoryDays(DAY)) ?? [])].flatMap((batch) => batch.records);
    expect(records.map((record) => `${record.account_sid} ${record.category} ${record.price} ${record.is_unattributed}`)).to.deep.equal([`${MAIN_SID} ${SUBACCOUNTS_RESIDUAL_CATEGORY} 2.75 true`]);
  });

  it('expects about one row per active leaf category and day', async () => {
    const { logger } = capturedLog();
    const run = await new UsageCostsConsumer(twilioHierarchy()).begin(logger);
    // sms is the parent of sms-outbound, totalprice the root: two leaves over three days.
    expect(run.rowEstimate(planOf(['totalprice', 'sms', 'sms-outbound', 'calls-outbound']), { from: DAY, to: '2026-11-03' })).to.equal(6);
  });

  it("reads through the usage engine by chunks: records valid against its schema, then a state with the account's cursor", async () => {
    const config = configOf({ start_date: DAY, end_date: DAY });
    const reader = new ScriptedReader(() => ({ needed: ['totalprice', 'sms'], rows: [usage(MAIN_SID, 'totalprice', DAY, '0.5'), usage(MAIN_SID, 'sms', DAY, '0.5')] }));
    const stream = new UsageCostsStream(new UsageEngine({ config, reader, scopes: async () => [scopeOf(MAIN_SID, false)] }), new UsageCostsConsumer(twilioHierarchy()));
    expect({ name: stream.name, primaryKey: stream.primaryKey, cursorField: stream.cursorField }).to.deep.equal({
      name: 'usage_costs',
      primaryKey: [['account_sid'], ['category'], ['start_date']],
      cursorField: ['start_date'],
    });
    const { logger } = capturedLog();
    const events = await readEvents(stream, logger, 'incremental');
    expect(schemaCheckedRecords(stream, events).map(rowOf)).to.deep.equal(['sms - 0.5']);
    expect(events.at(-1)).to.deep.equal({ kind: 'checkpoint', state: { version: 2, categories: ['sms'], accounts: { [MAIN_SID]: { start_date: DAY, recent: { '0': [0] } } } } });
    expect(reader.calls.map((call) => call.options.use)).to.deep.equal(['chunks']);
  });
});

describe('usage_costs: categories named as Twilio spells them', () => {
  it('spells a costs-layer name, its residual and its parent as Twilio sent the category, and leaves the others', () => {
    const spellings = new CategorySpellings();
    spellings.add('Usage-RCS-Messages');
    spellings.add('sms');
    expect(spellings.spell('usage-rcs-messages')).to.equal('Usage-RCS-Messages');
    expect(spellings.spell('usage-rcs-messages:unattributed')).to.equal('Usage-RCS-Messages:unattributed');
    expect(spellings.spell('sms')).to.equal('sms');
    expect(spellings.spell('calls')).to.equal('calls');
    expect(spellings.spell('unattributed')).to.equal('unattributed');
    expect(spellings.spell(null)).to.equal(null);
  });

  it('takes the first spelling in code-point order when Twilio sent two, whatever came first', () => {
    const later = new CategorySpellings();
    later.add('usage-rcs-messages');
    later.add('Usage-RCS-Messages');
    const earlier = new CategorySpellings();
    earlier.add('Usage-RCS-Messages');
    earlier.add('usage-rcs-messages');
    expect([later.spell('usage-rcs-messages'), earlier.spell('usage-rcs-messages')]).to.deep.equal(['Usage-RCS-Messages', 'Usage-RCS-Messages']);
  });
});
