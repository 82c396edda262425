import { normalizeAccountSid } from '../config';
import { rfc2822ToIso } from '../dates';
import type { AccountsRecord } from '../generated/types';
import type { Stream, StreamEvent, StreamReadContext } from '../protocol/stream';
import { isTwilioFailure, resolveFailure } from '../twilio/error-policy';
import { type AccountWire, fetchAccount } from '../twilio/resources';
import type { TwilioContext } from './context';
import { loadStreamSchema } from './schemas';

/** Picks the fields we publish. Everything else, `auth_token` above all, stays behind. */
export function toAccountRecord(account: AccountWire, mainAccountSid: string): AccountsRecord {
  const sid = normalizeAccountSid(account.sid ?? mainAccountSid);
  return {
    sid,
    friendly_name: account.friendly_name ?? null,
    status: account.status ?? null,
    type: account.type ?? null,
    owner_account_sid: account.owner_account_sid ?? null,
    is_main_account: sid === mainAccountSid,
    date_created: rfc2822ToIso(account.date_created),
    date_updated: rfc2822ToIso(account.date_updated),
    uri: account.uri ?? null,
  };
}

/** The main account and its subaccounts: a dimension table for usage by account. */
export class AccountsStream implements Stream<AccountsRecord> {
  readonly name = 'accounts';
  readonly primaryKey = [['sid']];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(private readonly twilio: TwilioContext) {}

  async *read(context: StreamReadContext): AsyncGenerator<StreamEvent<AccountsRecord>> {
    const mainSid = this.twilio.config.accountSid;
    const accounts = this.twilio.config.credentials.mode === 'auth_token' ? await this.twilio.accounts() : [await this.mainAccountWithKey(context)];
    for (const account of accounts) yield { kind: 'record', data: toAccountRecord(account, mainSid) };
    yield { kind: 'checkpoint', state: { __ab_no_cursor_state_message: true } };
  }

  /**
   * A Standard API key may not read Account resources (the error policy says what it does
   * without). The main account is still a row (its SID is known), with the details left null, so
   * usage always joins to an account.
   */
  private async mainAccountWithKey(context: StreamReadContext): Promise<AccountWire> {
    const sid = this.twilio.config.accountSid;
    try {
      return await fetchAccount(this.twilio.client, sid);
    } catch (error) {
      if (!isTwilioFailure(error)) throw error;
      const resolution = resolveFailure(error, 'account_details');
      if (resolution.action !== 'do_without') throw error;
      context.logger.info(resolution.message(error));
      return { sid };
    }
  }
}
