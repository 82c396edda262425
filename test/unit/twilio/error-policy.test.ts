import { expect } from 'chai';

import {
  accountSkipReason,
  asTwilioConnectorError,
  isRetried,
  isSkippableAccountError,
  type RequestScope,
  resolveFailure,
  TWILIO_ERROR_POLICY,
  type TwilioFailure,
} from '../../../source-twilio-costs/twilio/error-policy';
import { TwilioApiError, TwilioListingChangedError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from '../../../source-twilio-costs/twilio/errors';

const USAGE = '/2010-04-01/Accounts/AC1/Usage/Records.json';
const answer = (status: number, code?: number): TwilioApiError => new TwilioApiError('GET', USAGE, status, code);
const noAnswer = new TwilioNetworkError('GET', USAGE, 'connection error ECONNRESET');
const context = { host: 'api.twilio.com' };

/** Action and failure type (for what may fail) of a failure in each scope. */
function resolutions(failure: TwilioFailure): Record<RequestScope, string> {
  const describe = (scope: RequestScope): string => {
    const resolution = resolveFailure(failure, scope);
    return resolution.action === 'retry' || resolution.action === 'fail' ? `${resolution.action} ${resolution.failureType}` : resolution.action;
  };
  return { subaccount: describe('subaccount'), main_account: describe('main_account'), account_details: describe('account_details') };
}

describe('Twilio error policy: one table from answer to action, failure type and message', () => {
  it('resolves every answer by whose request it was', () => {
    const table = Object.fromEntries(
      [
        ['no usable answer', noAnswer],
        ['200 without its list', answer(200)],
        ['302', answer(302)],
        ['400', answer(400, 20001)],
        ['401', answer(401, 20003)],
        ['403', answer(403, 20403)],
        ['404', answer(404, 20404)],
        ['409', answer(409)],
        ['429', answer(429, 20429)],
        ['431', answer(431)],
        ['500', answer(500, 20500)],
        ['599', answer(599)],
        ['paging loop', new TwilioPaginationLoopError(USAGE)],
        ['endless paging', new TwilioPagingLimitError(USAGE, 21, 10_000)],
        ['listing changed', new TwilioListingChangedError(USAGE, 500)],
      ].map(([name, failure]) => [name, resolutions(failure as TwilioFailure)]),
    );
    const everywhere = (resolution: string): Record<RequestScope, string> => ({ subaccount: resolution, main_account: resolution, account_details: resolution });
    expect(table).to.deep.equal({
      'no usable answer': everywhere('retry transient_error'),
      '200 without its list': everywhere('fail system_error'),
      '302': everywhere('fail system_error'),
      '400': everywhere('fail system_error'),
      '401': { subaccount: 'fail config_error', main_account: 'fail config_error', account_details: 'do_without' },
      '403': { subaccount: 'skip_account', main_account: 'fail config_error', account_details: 'do_without' },
      '404': { subaccount: 'skip_account', main_account: 'fail config_error', account_details: 'fail config_error' },
      '409': everywhere('fail system_error'),
      '429': everywhere('retry transient_error'),
      '431': everywhere('fail config_error'),
      '500': everywhere('retry transient_error'),
      '599': everywhere('retry transient_error'),
      'paging loop': everywhere('fail system_error'),
      'endless paging': everywhere('fail system_error'),
      'listing changed': everywhere('fail transient_error'),
    });
  });

  it('has no row that a row before it hides', () => {
    TWILIO_ERROR_POLICY.forEach((rule, index) => {
      const earlier = TWILIO_ERROR_POLICY.slice(0, index).find((other) => JSON.stringify(other.answer) === JSON.stringify(rule.answer) && (other.scope === undefined || other.scope === rule.scope));
      expect(earlier, `row ${index} (${JSON.stringify(rule.answer)} ${rule.scope ?? 'any scope'})`).to.equal(undefined);
    });
  });

  it('retries what the client should ask again, and skips only a subaccount that answered 403 or 404', () => {
    expect([429, 500, 503].map((status) => isRetried(answer(status)))).to.deep.equal([true, true, true]);
    expect([400, 401, 404, 431].map((status) => isRetried(answer(status)))).to.deep.equal([false, false, false, false]);
    expect(isRetried(noAnswer)).to.equal(true);
    expect(isSkippableAccountError(answer(404, 20404))).to.equal(true);
    expect(isSkippableAccountError(answer(401, 20003))).to.equal(false);
    expect(isSkippableAccountError(new Error('404'))).to.equal(false);
    expect(accountSkipReason(answer(404, 20404))).to.equal('Twilio answered HTTP 404, error 20404 for its usage: a closed or deleted subaccount');
  });

  it('turns a failure that ends a stream or a check into a connector error with the message its row writes', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [answer(401, 20003), 'config_error', /^Twilio rejected the credentials \(HTTP 401, error 20003\) on \/2010-04-01\/Accounts\/AC1\/Usage\/Records\.json\. Check the account SID/],
      [answer(403, 20403), 'config_error', /^The credentials may not read \/2010-04-01\/Accounts\/AC1\/Usage\/Records\.json \(HTTP 403, error 20403\)\./],
      [
        answer(404, 20404),
        'config_error',
        /^Twilio at api\.twilio\.com answered HTTP 404, error 20404 for \/2010-04-01\/Accounts\/AC1\/Usage\/Records\.json: no such account there\. Check account_sid, and TWILIO_API_BASE_URL/,
      ],
      [answer(431), 'config_error', /^Twilio refused the request's headers as too large \(HTTP 431\) on .*: the credentials are far longer than Twilio's/],
      [answer(400, 20001), 'system_error', /^Twilio answered an unexpected error: GET \/2010-04-01\/Accounts\/AC1\/Usage\/Records\.json answered HTTP 400 \(Twilio error 20001\)$/],
      [
        new TwilioRetriesExhaustedError(8, answer(503, 20503)),
        'transient_error',
        /^Twilio kept failing after 8 attempts \(GET .* answered HTTP 503 \(Twilio error 20503\)\)\. The next sync resumes from the last saved state\.$/,
      ],
      [
        new TwilioRetriesExhaustedError(8, answer(429, 20429)),
        'transient_error',
        /^Twilio kept limiting the requests' rate after 8 attempts \(.*\); other clients of the account share its limit, and a lower max_concurrency asks less\./,
      ],
      [new TwilioRetriesExhaustedError(2, noAnswer), 'transient_error', /^Twilio at api\.twilio\.com gave no usable answer after 2 attempts \(GET .* failed: connection error ECONNRESET\)\./],
      [new TwilioPaginationLoopError(USAGE), 'system_error', /^Twilio's paging went in a circle: pagination loop: /],
      [
        new TwilioPagingLimitError(USAGE, 21, 10_000),
        'system_error',
        /^Twilio's paging did not end: .* named a next page after 21 pages, more than a listing of at most 10000 rows takes\. The sync stopped rather than page forever\.$/,
      ],
      [new TwilioListingChangedError(USAGE, 500), 'transient_error', /^Twilio's listing changed while it was read again at a smaller page size: /],
    ];
    for (const [failure, failureType, message] of cases) {
      const error = asTwilioConnectorError(failure, context);
      expect(error?.failureType, String(failure)).to.equal(failureType);
      expect(error?.message).to.match(message);
      expect(error?.internalMessage).to.equal((failure as Error).message);
    }
    expect(asTwilioConnectorError(new RangeError('bug'), context)).to.equal(undefined);
  });
});
