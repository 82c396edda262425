/** Twilio's error responses: `{code, message, more_info, status}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 20001, message);
  }

  /** Wrong or missing credentials, or credentials that do not reach the resource. */
  static authenticate(): ApiError {
    return new ApiError(401, 20003, 'Authenticate');
  }

  static forbidden(): ApiError {
    return new ApiError(403, 20403, 'Forbidden');
  }

  static notFound(path: string): ApiError {
    return new ApiError(404, 20404, `The requested resource ${path} was not found`);
  }

  static methodNotAllowed(): ApiError {
    return new ApiError(405, 20004, 'Method not allowed');
  }

  static tooManyRequests(): ApiError {
    return new ApiError(429, 20429, 'Too Many Requests');
  }

  static internal(): ApiError {
    return new ApiError(500, 20500, 'An internal server error has occurred');
  }

  static serviceUnavailable(): ApiError {
    return new ApiError(503, 20503, 'Service Unavailable');
  }

  body(): string {
    return JSON.stringify({ code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status });
  }
}
