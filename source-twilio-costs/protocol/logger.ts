import type { LogLevel } from './messages';
import type { MessageOutput } from './output';

/**
 * Logs as Airbyte LOG messages on the protocol channel (stderr lines are shown as errors by the
 * platform, so routine logs belong on stdout). Debug messages are printed only with --debug.
 * Writes are queued in order behind the output's backpressure.
 */
export class Logger {
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly output: MessageOutput,
    private readonly debugEnabled = false,
  ) {}

  debug(message: string): void {
    if (this.debugEnabled) this.log('DEBUG', message);
  }

  info(message: string): void {
    this.log('INFO', message);
  }

  warn(message: string): void {
    this.log('WARN', message);
  }

  error(message: string): void {
    this.log('ERROR', message);
  }

  /** Resolves once every message logged so far is written. */
  async drain(): Promise<void> {
    await this.pending;
  }

  private log(level: LogLevel, message: string): void {
    this.pending = this.pending.then(() => this.output.write({ type: 'LOG', log: { level, message } }));
  }
}
