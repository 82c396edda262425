import { ConfigError, type ConnectorError, SystemError, TransientError } from '../protocol/errors';
import type { FailureType } from '../protocol/messages';
import { TwilioApiError, TwilioListingChangedError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from './errors';

/**
 * What the connector does about an answer: ask again, leave a subaccount out, carry on without
 * what was asked (the Account resource, which a Standard API key may not read), or fail.
 */
export type TwilioErrorAction = 'retry' | 'skip_account' | 'do_without' | 'fail';

/**
 * Whose request failed, as far as the answer's meaning goes: a subaccount's usage (which may be
 * left out), the main account's (the account the config names: its usage, its subaccount list),
 * or the details of the Account resource read with an API key.
 */
export type RequestScope = 'subaccount' | 'main_account' | 'account_details';

/** A failure of a request to Twilio, as the client throws it. */
export type TwilioFailure = TwilioApiError | TwilioNetworkError | TwilioPaginationLoopError | TwilioPagingLimitError | TwilioListingChangedError;

/** A failure without an HTTP status of its own. */
type AnswerKind = 'no usable answer' | 'paging loop' | 'endless paging' | 'listing changed';

/** What a rule's message may name besides the failure. */
export interface FailureContext {
  /** The host requests go to (TWILIO_API_BASE_URL's, or api.twilio.com). */
  host: string;
  /** How many attempts were made, once retries ran out. */
  attempts?: number;
}

interface RuleMatch {
  /** The answer: an HTTP status, an inclusive range of them, or a failure that has none. */
  answer: number | readonly [number, number] | AnswerKind;
  /** Only for requests of this scope (any scope when absent). */
  scope?: RequestScope;
}

/**
 * What to do about an answer, as Airbyte's Python CDK resolves an error: the action, the failure
 * type when the answer ends a stream or a check (at once, or once retries run out), and what the
 * user reads then; one that leaves something out says in the log what and why.
 */
export type TwilioErrorResolution =
  { action: 'retry' | 'fail'; failureType: FailureType; message(failure: TwilioFailure, context: FailureContext): string } | { action: 'skip_account' | 'do_without'; message(failure: TwilioFailure): string };

/** A resolution that may end a stream or a check. */
type FailingResolution = Extract<TwilioErrorResolution, { action: 'retry' | 'fail' }>;

/** One row of the policy: the answers it is for, and their resolution. */
export type TwilioErrorRule = RuleMatch & TwilioErrorResolution;

const RESUMES = 'The next sync resumes from the last saved state.';
const CREDENTIAL_HINTS = 'Check the account SID and the API key SID and secret (or the Auth Token). Twilio also rejects a key from another region, a key created in a subaccount, and a suspended or closed account.';

function status(failure: TwilioFailure): string {
  return failure instanceof TwilioApiError ? `HTTP ${failure.status}${failure.code === undefined ? '' : `, error ${failure.code}`}` : 'no answer';
}

const pathOf = (failure: TwilioFailure): string => failure.path;
const attempts = (context: FailureContext): string => `${context.attempts ?? 1} attempt${context.attempts === 1 ? '' : 's'}`;

/**
 * The one table of what Twilio's answers mean, first match wins. The client retries what it says
 * to retry, the streams skip or do without what it says to, and every failure that ends a stream
 * or a check gets its failure type and message here. An answer no row names (a 400, a 3xx, a 200
 * that is not the resource asked for) is unexpected, a change at Twilio or a bug here: UNEXPECTED.
 */
export const TWILIO_ERROR_POLICY: readonly TwilioErrorRule[] = [
  {
    answer: 'no usable answer',
    action: 'retry',
    failureType: 'transient_error',
    message: (failure, context) => `Twilio at ${context.host} gave no usable answer after ${attempts(context)} (${failure.message}). ${RESUMES}`,
  },
  {
    answer: 429,
    action: 'retry',
    failureType: 'transient_error',
    message: (failure, context) =>
      `Twilio kept limiting the requests' rate after ${attempts(context)} (${failure.message}); other clients of the account share its limit, and a lower max_concurrency asks less. ${RESUMES}`,
  },
  // Large usage pages are known to fail with 500 where smaller ones work: the client asks smaller.
  { answer: [500, 599], action: 'retry', failureType: 'transient_error', message: (failure, context) => `Twilio kept failing after ${attempts(context)} (${failure.message}). ${RESUMES}` },
  {
    answer: 401,
    scope: 'account_details',
    action: 'do_without',
    message: (failure) => `The API key may not read the Account resource (${status(failure)}), as expected of a Standard key; the accounts stream has only the main account's SID.`,
  },
  {
    answer: 403,
    scope: 'account_details',
    action: 'do_without',
    message: (failure) => `The API key may not read the Account resource (${status(failure)}), as expected of a Standard key; the accounts stream has only the main account's SID.`,
  },
  { answer: 401, action: 'fail', failureType: 'config_error', message: (failure) => `Twilio rejected the credentials (${status(failure)}) on ${pathOf(failure)}. ${CREDENTIAL_HINTS}` },
  { answer: 403, scope: 'subaccount', action: 'skip_account', message: (failure) => `Twilio answered ${status(failure)} for its usage: these credentials may not read it` },
  {
    answer: 403,
    action: 'fail',
    failureType: 'config_error',
    message: (failure) => `The credentials may not read ${pathOf(failure)} (${status(failure)}). A Standard API key reads only its own account, and a subaccount's Auth Token cannot read its parent.`,
  },
  { answer: 404, scope: 'subaccount', action: 'skip_account', message: (failure) => `Twilio answered ${status(failure)} for its usage: a closed or deleted subaccount` },
  {
    answer: 404,
    action: 'fail',
    failureType: 'config_error',
    message: (failure, context) =>
      `Twilio at ${context.host} answered ${status(failure)} for ${pathOf(failure)}: no such account there. Check account_sid, and TWILIO_API_BASE_URL if it is set (its path prefix must lead to Twilio's API).`,
  },
  {
    answer: 431,
    action: 'fail',
    failureType: 'config_error',
    message: (failure) =>
      `Twilio refused the request's headers as too large (${status(failure)}) on ${pathOf(failure)}: the credentials are far longer than Twilio's, whose Auth Tokens and API key secrets are 32 characters. Check credentials.auth_token or credentials.api_key_secret.`,
  },
  { answer: 'paging loop', action: 'fail', failureType: 'system_error', message: (failure) => `Twilio's paging went in a circle: ${failure.message}. The sync stopped rather than loop forever.` },
  { answer: 'endless paging', action: 'fail', failureType: 'system_error', message: (failure) => `Twilio's paging did not end: ${failure.message}. The sync stopped rather than page forever.` },
  {
    answer: 'listing changed',
    action: 'fail',
    failureType: 'transient_error',
    message: (failure) => `Twilio's listing changed while it was read again at a smaller page size: ${failure.message}. ${RESUMES}`,
  },
];

/** Any answer no row names. */
export const UNEXPECTED: FailingResolution = { action: 'fail', failureType: 'system_error', message: (failure) => `Twilio answered an unexpected error: ${failure.message}` };

function answerOf(failure: TwilioFailure): number | AnswerKind {
  if (failure instanceof TwilioApiError) return failure.status;
  if (failure instanceof TwilioNetworkError) return 'no usable answer';
  if (failure instanceof TwilioPaginationLoopError) return 'paging loop';
  if (failure instanceof TwilioPagingLimitError) return 'endless paging';
  return 'listing changed';
}

function matches(rule: TwilioErrorRule, answer: number | AnswerKind, scope: RequestScope): boolean {
  if (rule.scope !== undefined && rule.scope !== scope) return false;
  if (typeof rule.answer === 'object') return typeof answer === 'number' && answer >= rule.answer[0] && answer <= rule.answer[1];
  return rule.answer === answer;
}

/** The resolution of a failure of a request of `scope`. */
export function resolveFailure(failure: TwilioFailure, scope: RequestScope): TwilioErrorResolution {
  const answer = answerOf(failure);
  return TWILIO_ERROR_POLICY.find((rule) => matches(rule, answer, scope)) ?? UNEXPECTED;
}

/** Whether the client asks again after this failure (of any request: retries do not depend on whose it is). */
export function isRetried(failure: TwilioApiError | TwilioNetworkError): boolean {
  return resolveFailure(failure, 'main_account').action === 'retry';
}

/** Why a failure of a subaccount's request leaves that account out, for the log; undefined when it fails the stream instead. */
export function accountSkipReason(error: unknown): string | undefined {
  if (!(error instanceof TwilioApiError)) return undefined;
  const resolution = resolveFailure(error, 'subaccount');
  return resolution.action === 'skip_account' ? resolution.message(error) : undefined;
}

/** Whether a failure of a subaccount's request leaves that account out rather than failing the stream. */
export function isSkippableAccountError(error: unknown): error is TwilioApiError {
  return accountSkipReason(error) !== undefined;
}

export function isTwilioFailure(error: unknown): error is TwilioFailure {
  return [TwilioApiError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioListingChangedError].some((type) => error instanceof type);
}

/**
 * A Twilio failure that ended a stream or a check as what the platform must hear: the failure type
 * and message of its rule (retries that ran out are judged by their last failure); undefined for
 * any other error. What reaches here was not left out, so it is judged as the main account's.
 */
export function asTwilioConnectorError(error: unknown, context: FailureContext): ConnectorError | undefined {
  const exhausted = error instanceof TwilioRetriesExhaustedError ? error : undefined;
  const failure: unknown = exhausted ? exhausted.last : error;
  if (!isTwilioFailure(failure)) return undefined;
  const resolution = resolveFailure(failure, 'main_account');
  // The main account's answers are never skipped or done without: those rows are a subaccount's or the Account resource's.
  const resolved: FailingResolution = resolution.action === 'retry' || resolution.action === 'fail' ? resolution : UNEXPECTED;
  const message = resolved.message(failure, { ...context, ...(exhausted ? { attempts: exhausted.attempts } : {}) });
  const internal = exhausted?.message ?? failure.message;
  switch (resolved.failureType) {
    case 'config_error':
      return new ConfigError(message, internal);
    case 'transient_error':
      return new TransientError(message, internal);
    default:
      return new SystemError(message, internal);
  }
}
