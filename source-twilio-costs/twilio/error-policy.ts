import type { FailureType } from '../protocol/messages';
import { TwilioApiError, TwilioListingChangedError, TwilioNetworkError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from './errors';

/**
 * What the connector does about a failed request: try it again, leave the account out (a
 * subaccount only), or fail the stream with the failure type the platform needs.
 */
export type TwilioErrorAction = 'retry' | 'skip_account' | FailureType;

export interface TwilioErrorRule {
  /** The HTTP status, or an inclusive range of them. */
  status: number | readonly [number, number];
  action: TwilioErrorAction;
  /** For skip_account: the failure type when the account cannot be left out (the main account). */
  whenNotSkippable?: FailureType;
  why: string;
}

/**
 * The one table of what Twilio's answers mean. The client retries what it says to retry; the
 * streams skip what it says to skip; everything else fails with the failure type it names. An
 * answer no rule covers is unexpected (a change at Twilio, a bug here): a system_error.
 */
export const TWILIO_ERROR_POLICY: readonly TwilioErrorRule[] = [
  { status: 429, action: 'retry', why: 'rate limited (20429, with or without Retry-After)' },
  { status: [500, 599], action: 'retry', why: 'Twilio or a proxy failed; large usage pages are known to fail with 500' },
  { status: 401, action: 'config_error', why: 'wrong, revoked or foreign credentials (20003)' },
  { status: 403, action: 'skip_account', whenNotSkippable: 'config_error', why: 'these credentials may not read that account' },
  { status: 404, action: 'skip_account', whenNotSkippable: 'system_error', why: 'a closed or unknown subaccount (20404)' },
];

/** A request that got no usable answer (refused, reset, timed out, cut off) is worth another try. */
const NO_ANSWER_ACTION: TwilioErrorAction = 'retry';
/** Retries ran out: the platform retries the attempt later, from the last state. */
const RETRIES_EXHAUSTED_FAILURE: FailureType = 'transient_error';
/** A paging loop, or paging past what a listing can hold, is Twilio misbehaving, and following it would never end. */
const PAGINATION_LOOP_FAILURE: FailureType = 'system_error';
/** A listing that changed order while it was read again: the next attempt reads it afresh. */
const LISTING_CHANGED_FAILURE: FailureType = 'transient_error';
const UNEXPECTED_ANSWER_FAILURE: FailureType = 'system_error';

function ruleFor(status: number): TwilioErrorRule | undefined {
  return TWILIO_ERROR_POLICY.find((rule) => (typeof rule.status === 'number' ? rule.status === status : status >= rule.status[0] && status <= rule.status[1]));
}

/** What to do about Twilio answering this HTTP status. */
export function actionForStatus(status: number): TwilioErrorAction {
  return ruleFor(status)?.action ?? UNEXPECTED_ANSWER_FAILURE;
}

/** What to do about a failed request, before any retry. */
function actionForError(error: TwilioApiError | TwilioNetworkError): TwilioErrorAction {
  return error instanceof TwilioNetworkError ? NO_ANSWER_ACTION : actionForStatus(error.status);
}

/** Whether a failure of one (sub)account's request leaves that account out rather than failing the stream. */
export function isSkippableAccountError(error: unknown): error is TwilioApiError {
  return error instanceof TwilioApiError && actionForStatus(error.status) === 'skip_account';
}

/**
 * The failure type of a Twilio error that ended a stream or a check (undefined for anything that is
 * not a Twilio error): an answer that would have been retried or skipped had it been allowed to be
 * is transient, or what its rule says for an account that cannot be skipped.
 */
export function failureTypeOf(error: unknown): FailureType | undefined {
  if (error instanceof TwilioRetriesExhaustedError) return RETRIES_EXHAUSTED_FAILURE;
  if (error instanceof TwilioPaginationLoopError || error instanceof TwilioPagingLimitError) return PAGINATION_LOOP_FAILURE;
  if (error instanceof TwilioListingChangedError) return LISTING_CHANGED_FAILURE;
  if (!(error instanceof TwilioApiError || error instanceof TwilioNetworkError)) return undefined;
  const action = actionForError(error);
  if (action === 'retry') return RETRIES_EXHAUSTED_FAILURE;
  if (action === 'skip_account') return (error instanceof TwilioApiError && ruleFor(error.status)?.whenNotSkippable) || UNEXPECTED_ANSWER_FAILURE;
  return action;
}
