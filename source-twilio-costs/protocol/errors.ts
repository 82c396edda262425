import type { FailureType } from './messages';

/**
 * An error the connector understands: its message is written for the user (it names the field or
 * the cause and never holds a secret or a stack trace), and its failure type tells the platform
 * whether the user must act (config_error), a retry may help (transient_error) or it is a bug.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly internalMessage?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, 'config_error', internalMessage);
  }
}

export class TransientError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, 'transient_error', internalMessage);
  }
}

export class SystemError extends ConnectorError {
  constructor(message: string, internalMessage?: string) {
    super(message, 'system_error', internalMessage);
  }
}

/** Any thrown value as a ConnectorError; unknown errors are system errors with a generic message. */
export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SystemError(`Unexpected error: ${detail}`, detail);
}
