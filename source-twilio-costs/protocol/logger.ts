import type { Logger as WinstonLogger } from 'winston';

import type { MessageOutput } from './output';

/** winston's levels for this connector, most severe first (log-pipeline.ts maps each to Airbyte's). */
export const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LevelName = keyof typeof LEVELS;

/**
 * winston and its transport, loaded on the first entry: loading them is a third of what `spec`
 * costs, and `spec` (like a `check` or `discover` with nothing to warn of) logs nothing. A plain
 * require, since logging is synchronous: the entry goes to winston in the call that logs it.
 */
function loadLogPipeline(): typeof import('./log-pipeline') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily and synchronously, as said above: an import would load it with this file
  return require('./log-pipeline') as typeof import('./log-pipeline');
}

/**
 * Logs as Airbyte LOG messages on the protocol channel (stderr lines are shown as errors by the
 * platform, so routine logs belong on stdout), through winston: its levels, a redaction format
 * and a transport with backpressure. Debug messages are printed only with --debug.
 */
export class Logger {
  private winston: WinstonLogger | undefined;
  private readonly level: LevelName;
  /** Entries handed to winston and not yet written: drain() waits for them. */
  private outstanding = 0;
  private waiting: Array<() => void> = [];
  private failure: unknown;

  constructor(
    private readonly output: MessageOutput,
    debugEnabled = false,
  ) {
    this.level = debugEnabled ? 'debug' : 'info';
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
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the output's own rejection, rethrown as it came, as awaiting the write would have
    if (this.failure !== undefined) throw this.failure;
  }

  private log(level: LevelName, message: string): void {
    // Filtered here, so an entry that is not printed never loads winston.
    if (LEVELS[level] > LEVELS[this.level]) return;
    this.outstanding += 1;
    this.winston ??= loadLogPipeline().createLogPipeline(this.output, this.level, (failure) => this.settled(failure));
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
