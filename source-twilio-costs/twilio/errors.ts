/**
 * Errors from Twilio's API. Their messages carry the method, the URL path (never the query, never
 * the Authorization header), the HTTP status and Twilio's error code only: no text from the
 * response, which a proxy may fill with the request it failed to pass on, credentials included.
 */
export class TwilioApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: number | undefined,
    /** The client's own explanation, for an answer that is not a Twilio error at all. */
    readonly detail?: string,
  ) {
    super(`${method} ${path} answered HTTP ${status}${code === undefined ? '' : ` (Twilio error ${code})`}${detail ? `: ${detail}` : ''}`);
    this.name = 'TwilioApiError';
  }
}

/** The request never got an answer: refused, reset, timed out, or the body was cut off. */
export class TwilioNetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${method} ${path} failed: ${reason}`);
    this.name = 'TwilioNetworkError';
  }
}

/** Retries ran out on a request that kept failing with a retryable error. */
export class TwilioRetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly last: TwilioApiError | TwilioNetworkError,
  ) {
    super(`gave up after ${attempts} attempts; last: ${last.message}`);
    this.name = 'TwilioRetriesExhaustedError';
  }
}

/** A next_page_uri that leads back to a page already read: following it would never end. */
export class TwilioPaginationLoopError extends Error {
  constructor(readonly path: string) {
    super(`pagination loop: next_page_uri of ${path} points to a page already read`);
    this.name = 'TwilioPaginationLoopError';
  }
}

/**
 * A listing read again from its first page at a smaller PageSize (a later page kept failing at the
 * larger one) did not begin with the rows already handed on: Twilio's order changed in between, so
 * the rows read cannot be matched to the rest without losing some or repeating them.
 */
export class TwilioListingChangedError extends Error {
  constructor(
    readonly path: string,
    readonly pageSize: number,
  ) {
    super(`${path} listed other rows first when read again from its first page at PageSize=${pageSize}`);
    this.name = 'TwilioListingChangedError';
  }
}

/**
 * A listing that keeps naming a next page (each with a fresh token, so no page repeats) long past
 * the rows it can hold: following it would never end.
 */
export class TwilioPagingLimitError extends Error {
  constructor(
    readonly path: string,
    readonly pages: number,
    readonly maxRows: number,
  ) {
    super(`${path} named a next page after ${pages} pages, more than a listing of at most ${maxRows} rows takes`);
    this.name = 'TwilioPagingLimitError';
  }
}
