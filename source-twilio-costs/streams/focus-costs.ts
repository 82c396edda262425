import { type BillingAccounts, toFocusRow } from '../focus/mapping';
import type { AccountsRecord, FocusCostsRecord, UsageCostsRecord } from '../generated/types';
import type { Logger } from '../protocol/logger';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { projectedConsumer, type UsageConsumer, type UsageEngine } from '../usage';
import { loadStreamSchema } from './schemas';

/**
 * usage_costs in FOCUS 1.2 columns: usage_costs' consumer with each of its rows projected (same
 * windows, same per-account cursors, same state shape), so there is one fetch path and one
 * reconciliation, and the two streams always agree to the cent.
 */
export class FocusCostsStream implements Stream<FocusCostsRecord> {
  readonly name = 'focus_costs';
  readonly primaryKey = [['x_AccountSid'], ['x_TwilioCategory'], ['ChargePeriodStart']];
  readonly cursorField = ['ChargePeriodStart'];
  readonly jsonSchema = loadStreamSchema(this.name);
  readonly consumer: UsageConsumer<FocusCostsRecord>;

  /**
   * @param usage the engine every usage stream of a run is read through
   * @param usageCosts usage_costs' consumer, whose rows this stream projects
   * @param accounts the accounts stream, read once per sync for the account names
   * @param billingAccountId the main account SID: Twilio bills every subaccount's usage to it
   */
  constructor(
    private readonly usage: UsageEngine,
    usageCosts: UsageConsumer<UsageCostsRecord>,
    private readonly accounts: Stream<AccountsRecord>,
    private readonly billingAccountId: string,
  ) {
    this.consumer = projectedConsumer(usageCosts, async (logger) => {
      const billing = await this.billingAccounts(logger);
      return (row) => toFocusRow(row, billing);
    });
  }

  read(context: StreamReadContext): AsyncIterable<StreamEvent<FocusCostsRecord>> {
    return this.usage.read(this.name, this.consumer, context);
  }

  /** Account names from the accounts stream; an account without a readable name is named by its SID. */
  private async billingAccounts(logger: Logger): Promise<BillingAccounts> {
    const names = new Map<string, string>();
    for await (const event of this.accounts.read({ syncMode: 'full_refresh', state: undefined, logger })) {
      if (event.kind !== 'record') continue;
      if (event.data.friendly_name) names.set(event.data.sid, event.data.friendly_name);
    }
    const nameOf = (sid: string): string => names.get(sid) ?? sid;
    return { billingAccountId: this.billingAccountId, billingAccountName: nameOf(this.billingAccountId), subAccountName: nameOf };
  }
}
