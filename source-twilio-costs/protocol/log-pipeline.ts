import winston from 'winston';
import TransportStream from 'winston-transport';

import { type LevelName, LEVELS } from './logger';
import type { LogLevel } from './messages';
import { type MessageOutput, OutputClosedError, type SecretRedactor } from './output';

/** The Airbyte level each of winston's levels becomes. */
const AIRBYTE_LEVEL: Record<LevelName, LogLevel> = { error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG' };

function isLevelName(level: string): level is LevelName {
  return level in LEVELS;
}

/** Masks the registered secrets in a log entry before any transport sees it. */
export function redactionFormat(redactor: SecretRedactor): winston.Logform.Format {
  return winston.format((info) => {
    info.message = redactor.redactText(String(info.message));
    return info;
  })();
}

/**
 * Writes each log entry as an Airbyte LOG message to the protocol output. The entry is
 * acknowledged to winston only once the output took it, so a slow reader holds logs back as it
 * holds records back. A closed output (EPIPE) drops the entry: the read notices on its next write.
 */
export class ProtocolLogTransport extends TransportStream {
  constructor(
    private readonly output: MessageOutput,
    /** Told when an entry has been written or dropped, with the error that dropped it, if any. */
    private readonly onSettled: (failure: unknown) => void,
  ) {
    super();
  }

  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    const level = isLevelName(info.level) ? AIRBYTE_LEVEL[info.level] : 'INFO';
    this.output.write({ type: 'LOG', log: { level, message: String(info.message) } }).then(
      () => this.settle(undefined, next),
      (error: unknown) => this.settle(error instanceof OutputClosedError ? undefined : error, next),
    );
  }

  private settle(failure: unknown, next: () => void): void {
    this.onSettled(failure);
    next();
  }
}

/** The winston logger behind a Logger (loaded with it on the first entry logged): its levels, the redaction format and the LOG transport. */
export function createLogPipeline(output: MessageOutput, level: LevelName, onSettled: (failure: unknown) => void): winston.Logger {
  return winston.createLogger({
    levels: LEVELS,
    level,
    format: redactionFormat(output.redactor),
    transports: [new ProtocolLogTransport(output, onSettled)],
    exitOnError: false,
  });
}
