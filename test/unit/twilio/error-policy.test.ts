import { expect } from 'chai';
import { TwilioApiError, TwilioNetworkError, TwilioPaginationLoopError, TwilioRetriesExhaustedError } from '../../../source-twilio-costs/twilio/errors';
import { actionForStatus, failureTypeOf, isSkippableAccountError } from '../../../source-twilio-costs/twilio/error-policy';
import { asTwilioConnectorError } from '../../../source-twilio-costs/twilio-errors';

const answer = (status: number, code?: number): TwilioApiError => new TwilioApiError('GET', '/2010-04-01/Accounts/AC1/Usage/Records.json', status, code);

describe('Twilio error policy: one table from answer to action', () => {
  it('retries rate limits and server errors, skips 403/404 accounts, and fails on the rest', () => {
    const actions = Object.fromEntries([200, 400, 401, 403, 404, 409, 429, 500, 503, 599].map((status) => [status, actionForStatus(status)]));
    expect(actions).to.deep.equal({
      200: 'system_error',
      400: 'system_error',
      401: 'config_error',
      403: 'skip_account',
      404: 'skip_account',
      409: 'system_error',
      429: 'retry',
      500: 'retry',
      503: 'retry',
      599: 'retry',
    });
    expect(isSkippableAccountError(answer(404, 20404))).to.equal(true);
    expect(isSkippableAccountError(answer(401, 20003))).to.equal(false);
    expect(isSkippableAccountError(new Error('404'))).to.equal(false);
  });

  it('gives every Twilio error that ends a stream a failure type, and none to other errors', () => {
    expect(failureTypeOf(answer(401, 20003))).to.equal('config_error');
    expect(failureTypeOf(answer(403))).to.equal('config_error');
    expect(failureTypeOf(answer(404, 20404))).to.equal('system_error');
    expect(failureTypeOf(answer(400))).to.equal('system_error');
    expect(failureTypeOf(answer(503))).to.equal('transient_error');
    expect(failureTypeOf(new TwilioNetworkError('GET', '/x', 'connection error ECONNRESET'))).to.equal('transient_error');
    expect(failureTypeOf(new TwilioRetriesExhaustedError(8, answer(503, 20503)))).to.equal('transient_error');
    expect(failureTypeOf(new TwilioPaginationLoopError('/x'))).to.equal('system_error');
    expect(failureTypeOf(new TypeError('x is undefined'))).to.equal(undefined);
  });

  it('maps errors to connector errors of exactly those failure types', () => {
    for (const error of [answer(401, 20003), answer(403), answer(404), answer(400), new TwilioRetriesExhaustedError(8, answer(429, 20429)), new TwilioPaginationLoopError('/x')]) {
      expect(asTwilioConnectorError(error)?.failureType, error.message).to.equal(failureTypeOf(error));
    }
    expect(asTwilioConnectorError(answer(401, 20003))?.message).to.match(/^Twilio rejected the credentials \(HTTP 401, error 20003\) on \/2010-04-01\//);
    expect(asTwilioConnectorError(new RangeError('bug'))).to.equal(undefined);
  });
});
