import { expect } from 'chai';

import { twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import type { AccountsRecord } from '../../../source-twilio-costs/generated/types';
import type { Stream } from '../../../source-twilio-costs/protocol/stream';
import { FocusCostsStream } from '../../../source-twilio-costs/streams/focus-costs';
import { UsageCostsConsumer, UsageCostsStream } from '../../../source-twilio-costs/streams/usage-costs';
import { UsageEngine } from '../../../source-twilio-costs/usage/engine';
import { capturedLog } from '../../helpers/captured-log';
import { configOf, MAIN_SID, scopeOf, ScriptedReader, usage } from '../usage/scripted-reader';
import { readEvents, schemaCheckedRecords } from './stream-read';

const SUB = 'AC00000000000000000000000000000002';
const DAY = '2026-11-01';

/** The accounts stream as focus_costs reads it: the main account named, the subaccount without a name. */
function accountsStream(reads: { count: number }): Stream<AccountsRecord> {
  const account = (sid: string, name: string | null): AccountsRecord => ({
    sid,
    friendly_name: name,
    status: 'active',
    type: 'Full',
    owner_account_sid: MAIN_SID,
    is_main_account: sid === MAIN_SID,
    date_created: null,
    date_updated: null,
    uri: null,
  });
  return {
    name: 'accounts',
    primaryKey: [['sid']],
    jsonSchema: {},
    async *read() {
      reads.count += 1;
      yield { kind: 'record', data: account(MAIN_SID, 'Acme main') };
      yield { kind: 'record', data: account(SUB, null) };
    },
  };
}

describe('focus_costs stream', () => {
  it("is usage_costs' rows of the same windows projected to FOCUS columns, named from the accounts stream, with the same state", async () => {
    const config = configOf({ start_date: DAY, end_date: DAY });
    const reader = new ScriptedReader((scope) => ({
      needed: ['totalprice', 'sms-outbound'],
      rows: [usage(scope.accountSid, 'totalprice', DAY, scope.accountSid === MAIN_SID ? '1.25' : '0.5'), usage(scope.accountSid, 'sms-outbound', DAY, scope.accountSid === MAIN_SID ? '1.25' : '0.5')],
    }));
    const engine = new UsageEngine({ config, reader, scopes: async () => [scopeOf(MAIN_SID, false), scopeOf(SUB, true)] });
    const usageCosts = new UsageCostsStream(engine, new UsageCostsConsumer(twilioHierarchy()));
    const accountReads = { count: 0 };
    const focus = new FocusCostsStream(engine, usageCosts.consumer, accountsStream(accountReads), MAIN_SID);
    expect({ name: focus.name, primaryKey: focus.primaryKey, cursorField: focus.cursorField }).to.deep.equal({
      name: 'focus_costs',
      primaryKey: [['x_AccountSid'], ['x_TwilioCategory'], ['ChargePeriodStart']],
      cursorField: ['ChargePeriodStart'],
    });
    const { logger } = capturedLog();
    const costEvents = await readEvents(usageCosts, logger, 'incremental');
    const focusEvents = await readEvents(focus, logger, 'incremental');

    const costs = schemaCheckedRecords(usageCosts, costEvents);
    const rows = schemaCheckedRecords(focus, focusEvents);
    expect(rows.map((row) => `${row.x_AccountSid} ${row.x_TwilioCategory} ${row.BilledCost} ${row.BillingAccountName} ${row.SubAccountName}`)).to.have.members([
      `${MAIN_SID} sms-outbound 1.25 Acme main null`,
      // A subaccount without a readable name is named by its SID.
      `${SUB} sms-outbound 0.5 Acme main ${SUB}`,
    ]);
    expect(rows).to.have.length(costs.length);
    expect(focusEvents.at(-1)).to.deep.equal(costEvents.at(-1));
    expect(accountReads.count).to.equal(1);
    // Both reads were read by chunks: one reconciliation path.
    expect(reader.calls.map((call) => call.options.use)).to.deep.equal(['chunks', 'chunks', 'chunks', 'chunks']);
  });

  it('logs each note of the reconciliation the two streams share once per run, whichever stream read it first', async () => {
    const config = configOf({ start_date: DAY, end_date: DAY });
    // sms holds 0.5 that no child explains: a WARN of its residual.
    const reader = new ScriptedReader((scope) => ({
      needed: ['totalprice', 'sms', 'sms-outbound'],
      rows: [usage(scope.accountSid, 'totalprice', DAY, '2'), usage(scope.accountSid, 'sms', DAY, '2'), usage(scope.accountSid, 'sms-outbound', DAY, '1.5')],
    }));
    const engine = new UsageEngine({ config, reader, scopes: async () => [scopeOf(MAIN_SID, false)] });
    const usageCosts = new UsageCostsStream(engine, new UsageCostsConsumer(twilioHierarchy()));
    const focus = new FocusCostsStream(engine, usageCosts.consumer, accountsStream({ count: 0 }), MAIN_SID);
    const log = capturedLog();
    await readEvents(usageCosts, log.logger, 'incremental');
    await readEvents(focus, log.logger, 'incremental');
    const residualNote = `WARN usage_costs (first on ${DAY}): ${MAIN_SID}: sms:unattributed carries 0.5 that no category explains, on 1 day(s)`;
    expect((await log.lines()).filter((line) => line.startsWith('WARN '))).to.deep.equal([residualNote]);
  });
});
