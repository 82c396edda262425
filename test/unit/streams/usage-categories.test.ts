import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { UsageCategoriesRecord } from '../../../source-twilio-costs/generated/types';
import type { Stream } from '../../../source-twilio-costs/protocol/stream';
import { UsageCategoriesStream } from '../../../source-twilio-costs/streams/usage-categories';
import { UsedPlacements } from '../../../source-twilio-costs/streams/usage-costs';
import { capturedLog } from '../../helpers/captured-log';
import { readEvents, schemaCheckedRecords } from './stream-read';

async function categoryRecords(used: UsedPlacements): Promise<Map<string, UsageCategoriesRecord>> {
  const stream = new UsageCategoriesStream(twilioHierarchy(), used);
  const { logger } = capturedLog();
  const events = await readEvents(stream, logger);
  expect(events.at(-1)).to.deep.equal({ kind: 'checkpoint', state: { __ab_no_cursor_state_message: true } });
  return new Map(schemaCheckedRecords(stream, events).map((record) => [record.category, record]));
}

describe('usage_categories stream', () => {
  it('declares that it reports on usage_costs of the same read, so it is read after it and fails with it', () => {
    const stream: Stream<UsageCategoriesRecord> = new UsageCategoriesStream(twilioHierarchy(), new UsedPlacements());
    expect({ name: stream.name, primaryKey: stream.primaryKey, cursorField: stream.cursorField, dependsOn: stream.dependsOn }).to.deep.equal({
      name: 'usage_categories',
      primaryKey: [['category']],
      cursorField: undefined,
      dependsOn: ['usage_costs'],
    });
  });

  it('without a usage_costs read, lists every known category with its curated or name placement', async () => {
    const records = await categoryRecords(new UsedPlacements());
    expect(records.size).to.equal(twilioHierarchy().knownPlacements().length);
    expect(records.get('sms-outbound')).to.deep.equal({ category: 'sms-outbound', parent_category: 'sms', product: 'Messaging', is_rollup: true, placement: 'name' });
  });

  it("shows the placement usage_costs used, a category it met that the table does not know, and Twilio's spelling", async () => {
    const used = new UsedPlacements();
    used.add([
      { category: 'calls-outbound', parentCategory: 'sms', placement: 'numbers' },
      { category: 'brand-new-thing', parentCategory: 'calls-outbound', placement: 'numbers' },
    ]);
    used.spellings.add('Usage-RCS-Messages');
    const records = await categoryRecords(used);
    // A leaf in the table, but a category was placed under it: a rollup in this read.
    expect(records.get('calls-outbound')).to.deep.equal({ category: 'calls-outbound', parent_category: 'sms', product: 'Voice', is_rollup: true, placement: 'numbers' });
    expect(records.get('brand-new-thing')).to.deep.include({ parent_category: 'calls-outbound', placement: 'numbers' });
    expect(records.has('Usage-RCS-Messages')).to.equal(true);
    expect(records.has('usage-rcs-messages')).to.equal(false);
  });

  it('keeps no placement of a category two accounts placed differently', async () => {
    const used = new UsedPlacements();
    used.add([{ category: 'calls-outbound', parentCategory: 'sms', placement: 'numbers' }]);
    used.add([{ category: 'calls-outbound', parentCategory: 'calls', placement: 'name' }]);
    const records = await categoryRecords(used);
    expect(records.get('calls-outbound')).to.deep.include({ parent_category: 'calls', placement: 'name' });
  });
});
