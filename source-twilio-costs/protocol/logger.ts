import winston from 'winston';
import TransportStream from 'winston-transport';
import type { LogLevel } from './messages';
import { OutputClosedError, type MessageOutput, type SecretRedactor } from './output';

/** winston's levels for this connector, most severe first, and the Airbyte level each becomes. */
const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type LevelName = keyof typeof LEVELS;
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

/**
 * Logs as Airbyte LOG messages on the protocol channel (stderr lines are shown as errors by the
 * platform, so routine logs belong on stdout), through winston: its levels, a redaction format
 * and a transport with backpressure. Debug messages are printed only with --debug.
 */
export class Logger {
  private readonly winston: winston.Logger;
  /** Entries handed to winston and not yet written: drain() waits for them. */
  private outstanding = 0;
  private waiting: Array<() => void> = [];
  private failure: unknown;

  constructor(output: MessageOutput, debugEnabled = false) {
    this.winston = winston.createLogger({
      levels: LEVELS,
      level: debugEnabled ? 'debug' : 'info',
      format: redactionFormat(output.redactor),
      transports: [new ProtocolLogTransport(output, (failure) => this.settled(failure))],
      exitOnError: false,
    });
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  warn(message: string): void {
    this.log('warn', message);
  }

  error(message: string): void {
    this.log('error', message);
  }

  /** Resolves once every message logged so far is written (or dropped by a closed output). */
  async drain(): Promise<void> {
    if (this.outstanding > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private log(level: LevelName, message: string): void {
    if (!this.winston.isLevelEnabled(level)) return;
    this.outstanding += 1;
    this.winston.log(level, message);
  }

  private settled(failure: unknown): void {
    this.failure ??= failure;
    this.outstanding -= 1;
    if (this.outstanding > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
