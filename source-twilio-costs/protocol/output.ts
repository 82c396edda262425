import type { Writable } from 'node:stream';
import type { AirbyteMessage } from './messages';

const REDACTED = '**********';

/**
 * The protocol channel: one JSON message per line on stdout, nothing else.
 *
 * Every line passes through secret redaction, so a secret that slipped into any message (an error
 * text quoting a URL, a record) never leaves the process. Writes respect backpressure: `write`
 * resolves once the stream can take more, so a slow consumer pauses the sync instead of
 * buffering records in memory. A closed pipe (EPIPE: the reader went away) ends output quietly.
 */
export class MessageOutput {
  private readonly secrets = new Set<string>();
  private closed = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') {
        this.closed = true;
        return;
      }
      throw error;
    });
  }

  /** Registers values that must never be printed (short values are ignored: they would mask noise). */
  addSecrets(values: Iterable<string | undefined>): void {
    for (const value of values) if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  }

  async write(message: AirbyteMessage): Promise<void> {
    if (this.closed) return;
    const line = `${this.redact(JSON.stringify(message))}\n`;
    if (!this.stream.write(line)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
      });
    }
  }

  /** Resolves when everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }
}
