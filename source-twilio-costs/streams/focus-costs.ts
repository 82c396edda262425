import { toFocusRow, type BillingAccounts } from '../focus/mapping';
import type { AccountsRecord, FocusCostsRecord, UsageCostsRecord } from '../generated/types';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { loadStreamSchema } from './schemas';

/**
 * usage_costs in FOCUS 1.2 columns. It reads through the usage_costs stream itself (same windows,
 * same per-account cursors, same state shape) and maps each record, so there is one fetch path
 * and the two streams always agree to the cent.
 */
export class FocusCostsStream implements Stream<FocusCostsRecord> {
  readonly name = 'focus_costs';
  readonly primaryKey = [['x_AccountSid'], ['x_TwilioCategory'], ['ChargePeriodStart']];
  readonly cursorField = ['ChargePeriodStart'];
  readonly jsonSchema = loadStreamSchema(this.name);

  /**
   * @param usageCosts the usage_costs stream whose records and checkpoints this stream passes on
   * @param accounts the accounts stream, read once per sync for the account names
   * @param billingAccountId the main account SID: Twilio bills every subaccount's usage to it
   */
  constructor(
    private readonly usageCosts: Stream<UsageCostsRecord>,
    private readonly accounts: Stream<AccountsRecord>,
    private readonly billingAccountId: string,
  ) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent<FocusCostsRecord>> {
    const billing = await this.billingAccounts(context);
    for await (const event of this.usageCosts.read(context)) {
      yield event.kind === 'record' ? { kind: 'record', data: toFocusRow(event.data, billing) } : event;
    }
  }

  /** Account names from the accounts stream; an account without a readable name is named by its SID. */
  private async billingAccounts(context: StreamReadContext): Promise<BillingAccounts> {
    const names = new Map<string, string>();
    for await (const event of this.accounts.read({ syncMode: 'full_refresh', state: undefined, logger: context.logger })) {
      if (event.kind !== 'record') continue;
      if (event.data.friendly_name) names.set(event.data.sid, event.data.friendly_name);
    }
    const nameOf = (sid: string): string => names.get(sid) ?? sid;
    return { billingAccountId: this.billingAccountId, billingAccountName: nameOf(this.billingAccountId), subAccountName: nameOf };
  }
}
