import { ConfigError, ConnectorError, SystemError, TransientError } from './protocol/errors';
import { TwilioApiError, TwilioListingChangedError, TwilioPaginationLoopError, TwilioPagingLimitError, TwilioRetriesExhaustedError } from './twilio/errors';
import { failureTypeOf } from './twilio/error-policy';

const CREDENTIAL_HINTS =
  'Check the account SID and the API key SID and secret (or the Auth Token). Twilio also rejects a key from another region, a key created in a subaccount, and a suspended or closed account.';

function codeSuffix(error: TwilioApiError): string {
  return error.code ? `, error ${error.code}` : '';
}

/**
 * A Twilio client error as what the platform must hear (who must act, whether to retry), with the
 * failure type from the error policy and a message for the user; undefined for any other error.
 */
export function asTwilioConnectorError(error: unknown): ConnectorError | undefined {
  const failureType = failureTypeOf(error);
  if (failureType === undefined || !(error instanceof Error)) return undefined;
  if (error instanceof TwilioRetriesExhaustedError) {
    return new TransientError(`Twilio kept failing after ${error.attempts} attempts (${error.last.message}). The next sync resumes from the last saved state.`, error.message);
  }
  if (error instanceof TwilioPaginationLoopError) return new SystemError(`Twilio's paging went in a circle: ${error.message}. The sync stopped rather than loop forever.`, error.message);
  if (error instanceof TwilioPagingLimitError) return new SystemError(`Twilio's paging did not end: ${error.message}. The sync stopped rather than page forever.`, error.message);
  if (error instanceof TwilioListingChangedError) {
    return new TransientError(`Twilio's listing changed while it was read again at a smaller page size: ${error.message}. The next sync resumes from the last saved state.`, error.message);
  }
  if (!(error instanceof TwilioApiError)) return new TransientError(error.message, error.message);
  if (failureType === 'config_error') {
    return error.status === 401
      ? new ConfigError(`Twilio rejected the credentials (HTTP 401${codeSuffix(error)}) on ${error.path}. ${CREDENTIAL_HINTS}`, error.message)
      : new ConfigError(`The credentials may not read ${error.path} (HTTP ${error.status}${codeSuffix(error)}).`, error.message);
  }
  if (failureType === 'transient_error') return new TransientError(`Twilio failed: ${error.message}`, error.message);
  return new SystemError(`Twilio answered an unexpected error: ${error.message}`, error.message);
}
