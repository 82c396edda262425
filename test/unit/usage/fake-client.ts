import { TwilioClient } from '../../../source-twilio-costs/twilio/client';
import { ConcurrencyLimiter } from '../../../source-twilio-costs/twilio/limiter';

/** A Twilio client whose requests go to an injected fetch (a fake Twilio), tried once each. */
export function clientOver(fakeFetch: typeof fetch, accountSid: string): TwilioClient {
  return new TwilioClient({
    baseUrl: new URL('https://api.twilio.test'),
    credentials: { username: accountSid, password: 'token' },
    limiter: new ConcurrencyLimiter(2),
    requestTimeoutMs: 1000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    fetch: fakeFetch,
  });
}
