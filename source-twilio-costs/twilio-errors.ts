import { ConfigError, ConnectorError, SystemError, TransientError } from './protocol/errors';
import { TwilioApiError, TwilioNetworkError, TwilioPaginationLoopError, TwilioRetriesExhaustedError } from './twilio/errors';

const CREDENTIAL_HINTS =
  'Check the account SID and the API key SID and secret (or the Auth Token). Twilio also rejects a key from another region, a key created in a subaccount, and a suspended or closed account.';

/** Maps Twilio client errors to what the platform must hear: who must act, and whether to retry. */
export function toConnectorError(error: unknown): unknown {
  if (error instanceof ConnectorError) return error;
  if (error instanceof TwilioApiError) {
    if (error.status === 401) return new ConfigError(`Twilio rejected the credentials (HTTP 401${error.code ? `, error ${error.code}` : ''}) on ${error.path}. ${CREDENTIAL_HINTS}`, error.message);
    if (error.status === 403) return new ConfigError(`The credentials may not read ${error.path} (HTTP 403${error.code ? `, error ${error.code}` : ''}).`, error.message);
    return new SystemError(`Twilio answered an unexpected error: ${error.message}`, error.message);
  }
  if (error instanceof TwilioRetriesExhaustedError) {
    return new TransientError(`Twilio kept failing after ${error.attempts} attempts (${error.last.message}). The next sync resumes from the last saved state.`, error.message);
  }
  if (error instanceof TwilioPaginationLoopError) return new SystemError(`Twilio's paging went in a circle: ${error.message}. The sync stopped rather than loop forever.`, error.message);
  if (error instanceof TwilioNetworkError) return new TransientError(error.message, error.message);
  return error;
}
