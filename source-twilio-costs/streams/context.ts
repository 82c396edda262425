import type { ResolvedConfig } from '../config';
import { normalizeAccountSid } from '../config';
import { dayOf, type Day } from '../dates';
import type { Logger } from '../protocol/logger';
import type { TwilioClient } from '../twilio/client';
import { listAccounts, type AccountWire } from '../twilio/resources';
import type { UsageScope } from '../usage';

function creationDay(account: AccountWire): Day | undefined {
  const ms = account.date_created ? Date.parse(account.date_created) : Number.NaN;
  return Number.isFinite(ms) ? dayOf(new Date(ms)) : undefined;
}

/**
 * What the streams that talk to Twilio share in one run: the config, the Twilio client, and the
 * account list, which is fetched once and reused by every stream that needs it.
 */
export class TwilioContext {
  private accountList: Promise<AccountWire[]> | undefined;

  constructor(
    readonly config: ResolvedConfig,
    readonly client: TwilioClient,
  ) {}

  /** The main account and its subaccounts, as Twilio lists them (Auth Token mode only). */
  accounts(): Promise<AccountWire[]> {
    this.accountList ??= (async () => {
      const accounts: AccountWire[] = [];
      for await (const page of listAccounts(this.client)) accounts.push(...page);
      return accounts;
    })();
    return this.accountList;
  }

  /**
   * The scopes usage is read in. An API key reads the main account with IncludeSubaccounts=true:
   * the whole bill as one scope. The Auth Token reads every account (or the selected ones) on its
   * own with IncludeSubaccounts=false, so no subaccount is counted twice.
   */
  async scopes(logger: Logger): Promise<UsageScope[]> {
    const mainSid = this.config.accountSid;
    if (this.config.credentials.mode === 'api_key') return [{ id: mainSid, accountSid: mainSid, includeSubaccounts: true, skippable: false }];
    const selected = this.config.subaccountSids;
    const scopes: UsageScope[] = [{ id: mainSid, accountSid: mainSid, includeSubaccounts: false, skippable: false }];
    const listed = new Set<string>();
    for (const account of await this.accounts()) {
      if (!account.sid) continue;
      const sid = normalizeAccountSid(account.sid);
      listed.add(sid);
      if (sid === mainSid) {
        const earliestDay = creationDay(account);
        if (earliestDay && scopes[0]) scopes[0].earliestDay = earliestDay;
        continue;
      }
      if (selected && !selected.has(sid)) continue;
      const earliestDay = creationDay(account);
      scopes.push({ id: sid, accountSid: sid, includeSubaccounts: false, skippable: true, ...(earliestDay ? { earliestDay } : {}) });
    }
    for (const sid of selected ?? []) {
      if (!listed.has(sid)) logger.warn(`subaccount_sids names ${sid}, which is not among the subaccounts Twilio lists for ${mainSid}; it is skipped.`);
    }
    return scopes;
  }
}
