import { expect } from 'chai';

import { AccountsStream } from '../../../source-twilio-costs/streams/accounts';
import { TwilioContext } from '../../../source-twilio-costs/streams/context';
import { TwilioApiError } from '../../../source-twilio-costs/twilio/errors';
import { capturedLog } from '../../helpers/captured-log';
import { clientOver } from '../usage/fake-client';
import { configOf, MAIN_SID } from '../usage/scripted-reader';
import { readEvents, schemaCheckedRecords } from './stream-read';

const SUB = 'AC00000000000000000000000000000002';
const SUB_TOKEN = 'sub-auth-token-never-emitted';

const accountJson = (sid: string, name: string, owner: string): object => ({
  sid,
  friendly_name: name,
  status: 'active',
  type: 'Full',
  owner_account_sid: owner,
  auth_token: SUB_TOKEN,
  date_created: 'Tue, 01 Sep 2020 10:00:00 +0000',
  date_updated: 'Wed, 02 Sep 2020 11:30:00 +0000',
  uri: `/2010-04-01/Accounts/${sid}.json`,
});

/** A fake Twilio that lists the accounts, and answers a single Account with `status` (its resource when 200). */
function fakeTwilio(accountStatus: number): { fetch: typeof fetch; paths: string[] } {
  const paths: string[] = [];
  const json = (body: object, status = 200): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fakeFetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    paths.push(url.pathname);
    if (url.pathname.endsWith('/Accounts.json')) {
      return json({ accounts: [accountJson(MAIN_SID, 'Acme', MAIN_SID), accountJson(SUB, 'Support', MAIN_SID)], next_page_uri: null, page: 0, page_size: 1000, uri: url.pathname });
    }
    if (accountStatus !== 200) return json({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: accountStatus }, accountStatus);
    return json(accountJson(MAIN_SID, 'Acme', MAIN_SID));
  };
  return { fetch: fakeFetch, paths };
}

function accountsStream(credentials: object, accountStatus = 200): { stream: AccountsStream; paths: string[] } {
  const twilio = fakeTwilio(accountStatus);
  const config = configOf({ credentials });
  return { stream: new AccountsStream(new TwilioContext(config, clientOver(twilio.fetch, MAIN_SID))), paths: twilio.paths };
}

const AUTH_TOKEN = { auth_type: 'auth_token', auth_token: 'main-auth-token' };
const API_KEY = { auth_type: 'api_key', api_key_sid: 'SK0123456789abcdef0123456789abcdef', api_key_secret: 'a-secret' };

describe('accounts stream', () => {
  it("with the Auth Token, is the listed accounts: the fields it publishes, ISO dates, never a subaccount's auth_token", async () => {
    const { stream, paths } = accountsStream(AUTH_TOKEN);
    expect({ name: stream.name, primaryKey: stream.primaryKey }).to.deep.equal({ name: 'accounts', primaryKey: [['sid']] });
    const { logger } = capturedLog();
    const events = await readEvents(stream, logger);
    const records = schemaCheckedRecords(stream, events);
    expect(records).to.deep.equal([
      {
        sid: MAIN_SID,
        friendly_name: 'Acme',
        status: 'active',
        type: 'Full',
        owner_account_sid: MAIN_SID,
        is_main_account: true,
        date_created: '2020-09-01T10:00:00Z',
        date_updated: '2020-09-02T11:30:00Z',
        uri: `/2010-04-01/Accounts/${MAIN_SID}.json`,
      },
      {
        sid: SUB,
        friendly_name: 'Support',
        status: 'active',
        type: 'Full',
        owner_account_sid: MAIN_SID,
        is_main_account: false,
        date_created: '2020-09-01T10:00:00Z',
        date_updated: '2020-09-02T11:30:00Z',
        uri: `/2010-04-01/Accounts/${SUB}.json`,
      },
    ]);
    expect(JSON.stringify(events)).to.not.include(SUB_TOKEN);
    expect(events.at(-1)).to.deep.equal({ kind: 'checkpoint', state: { __ab_no_cursor_state_message: true } });
    expect(paths).to.deep.equal(['/2010-04-01/Accounts.json']);
  });

  it('with an API key, is the main account as Twilio details it', async () => {
    const { stream, paths } = accountsStream(API_KEY);
    const { logger } = capturedLog();
    const records = schemaCheckedRecords(stream, await readEvents(stream, logger));
    expect(records.map((record) => [record.sid, record.friendly_name, record.is_main_account])).to.deep.equal([[MAIN_SID, 'Acme', true]]);
    expect(paths).to.deep.equal([`/2010-04-01/Accounts/${MAIN_SID}.json`]);
  });

  it("with a Standard API key, which may not read the Account, is still the main account's row, details null, and says why", async () => {
    const { stream } = accountsStream(API_KEY, 403);
    const log = capturedLog();
    const records = schemaCheckedRecords(stream, await readEvents(stream, log.logger));
    expect(records).to.deep.equal([{ sid: MAIN_SID, friendly_name: null, status: null, type: null, owner_account_sid: null, is_main_account: true, date_created: null, date_updated: null, uri: null }]);
    const notes = (await log.lines()).filter((line) => line.startsWith('INFO'));
    expect(notes).to.have.length(1);
    expect(notes[0]).to.match(/may not read the Account resource \(HTTP 403/);
  });

  it("fails with Twilio's error when the Account answers what a Standard key does not explain", async () => {
    const { stream } = accountsStream(API_KEY, 404);
    const { logger } = capturedLog();
    let failure: unknown;
    await readEvents(stream, logger).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(TwilioApiError).with.property('status', 404);
  });
});
