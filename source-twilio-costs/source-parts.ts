/**
 * What the source's check, discover and read are made of: the Twilio client, the streams, the
 * usage engine and, through them, the cost solver. source.ts loads this file on first use, so
 * `spec` loads none of it (it was two thirds of what `spec` loaded).
 */
export { twilioHierarchy } from './costs/hierarchy';
export { AccountsStream } from './streams/accounts';
export { TwilioContext } from './streams/context';
export { FocusCostsStream } from './streams/focus-costs';
export { UsageCategoriesStream } from './streams/usage-categories';
export { UsageCostsConsumer, UsageCostsStream } from './streams/usage-costs';
export { UsageRecordsStream } from './streams/usage-records';
export { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY_POLICY, TwilioClient } from './twilio/client';
export { asTwilioConnectorError } from './twilio/error-policy';
export { ConcurrencyLimiter } from './twilio/limiter';
export { probeUsage } from './twilio/resources';
export { UsageEngine, UsageWindowReader } from './usage';
