import type { ResolvedConfig } from '../config';
import { normalizeAccountSid } from '../config';
import { type Day, dayOf } from '../dates';
import type { Logger } from '../protocol/logger';
import type { TwilioClient } from '../twilio/client';
import { type AccountWire, listAccounts } from '../twilio/resources';
import type { UsageScope } from '../usage';

function creationDay(account: AccountWire): Day | undefined {
  const ms = account.date_created ? Date.parse(account.date_created) : Number.NaN;
  return Number.isFinite(ms) ? dayOf(new Date(ms)) : undefined;
}

/**
 * What the streams that talk to Twilio share in one run: the config, the Twilio client, and the
 * account list, which is fetched once and reused by every stream that needs it.
 */
/** Unknown subaccount_sids a warning names before it counts the rest. */
const NAMED_UNKNOWN_SIDS = 5;

export class TwilioContext {
  private accountList: Promise<AccountWire[]> | undefined;
  private scopeList: Promise<UsageScope[]> | undefined;

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
  scopes(logger: Logger): Promise<UsageScope[]> {
    // Worked out once a run, so every usage stream reads the same scopes and what is odd about them is said once.
    this.scopeList ??= this.listScopes(logger);
    return this.scopeList;
  }

  private async listScopes(logger: Logger): Promise<UsageScope[]> {
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
    const unknown = [...(selected ?? [])].filter((sid) => !listed.has(sid));
    if (unknown.length > 0) logger.warn(describeUnknownSubaccounts(unknown, mainSid));
    return scopes;
  }
}

/** One warning for every SID of subaccount_sids Twilio does not list: a count and the first few, not a line each. */
function describeUnknownSubaccounts(unknown: readonly string[], mainSid: string): string {
  if (unknown.length === 1) return `subaccount_sids names ${unknown[0]}, which is not among the subaccounts Twilio lists for ${mainSid}; it is skipped.`;
  const named = unknown.slice(0, NAMED_UNKNOWN_SIDS).join(', ');
  const rest = unknown.length > NAMED_UNKNOWN_SIDS ? ` and ${unknown.length - NAMED_UNKNOWN_SIDS} more` : '';
  return `subaccount_sids names ${unknown.length} accounts that are not among the subaccounts Twilio lists for ${mainSid} (${named}${rest}); they are skipped.`;
}
