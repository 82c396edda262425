import type { Writable } from 'node:stream';

import type { AirbyteMessage } from './messages';

const REDACTED = '**********';

/** Shorter values would mask noise (a "1" in every number) rather than a secret. */
const MIN_SECRET_LENGTH = 4;

/**
 * The reader of the messages went away (stdout's pipe closed: EPIPE, or the in-process consumer
 * stopped). Nothing can be reported any more, so the run stops instead of reading on for no one.
 */
export class OutputClosedError extends Error {
  constructor(reason: string) {
    super(`The protocol output is closed (${reason}).`);
    this.name = 'OutputClosedError';
  }
}

/**
 * Where the runner's messages go: stdout as JSON lines for a platform, or objects handed to a
 * consumer in this process. `write` resolves when the sink can take the next message, so a slow
 * reader pauses the sync instead of letting it buffer records in memory; once the reader is gone
 * it rejects with OutputClosedError.
 */
export interface MessageSink {
  write(message: AirbyteMessage): Promise<void>;
  /** Resolves once everything written so far has been handed on. */
  flush(): Promise<void>;
}

/** Masks registered secrets wherever they appear in a message: in any string, key or value. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(values: Iterable<string | undefined>): void {
    for (const value of values) if (value && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
  }

  redactText(text: string): string {
    let result = text;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  }

  /** The value with every secret masked; the value itself (not a copy) when nothing needed masking. */
  redactValue<T>(value: T): T {
    // Looked for first without copying anything: every record passes here, and almost none holds a secret.
    if (this.secrets.size === 0 || !this.holdsSecret(value)) return value;
    return this.redactAny(value) as T;
  }

  private holdsSecret(value: unknown): boolean {
    if (typeof value === 'string') return this.textHoldsSecret(value);
    if (typeof value !== 'object' || value === null) return false;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (this.holdsSecret(item)) return true;
      return false;
    }
    for (const key in value) {
      if (this.textHoldsSecret(key) || this.holdsSecret((value as Record<string, unknown>)[key])) return true;
    }
    return false;
  }

  private textHoldsSecret(text: string): boolean {
    for (const secret of this.secrets) if (text.includes(secret)) return true;
    return false;
  }

  private redactAny(value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => this.redactAny(item));
      return items.some((item, index) => item !== value[index]) ? items : value;
    }
    if (typeof value !== 'object' || value === null) return value;
    let changed = false;
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
      const redactedKey = this.redactText(key);
      const redactedItem = this.redactAny(item);
      changed ||= redactedKey !== key || redactedItem !== item;
      return [redactedKey, redactedItem];
    });
    return changed ? Object.fromEntries(entries) : value;
  }
}

/**
 * Lines gathered before they are handed to the stream at once. Writing each message on its own
 * cost a system call per record, the largest single cost of a read after parsing Twilio's pages.
 */
const BATCH_BYTES = 64 * 1024;

/**
 * Serialises messages to a byte stream (stdout), one JSON object per line and nothing else. Lines
 * are handed to the stream in batches: once a batch is full, and otherwise as soon as the work in
 * hand yields to the event loop (setImmediate), so a line never waits for the next one. `write`
 * resolves at once unless the stream is above its high-water mark, then once it has drained.
 * A closed pipe (EPIPE) or a destroyed stream closes the sink: the write that finds it so rejects.
 */
export class JsonLinesSink implements MessageSink {
  private closedBy: string | undefined;
  /** Lines not handed to the stream yet. */
  private batch = '';
  private batchScheduled = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Every stream error ends the output; one that is not EPIPE is still named.
      this.closedBy = error.code ?? error.message;
    });
  }

  /** Whether the reader has gone. */
  get closed(): boolean {
    return this.closedBy !== undefined || this.stream.destroyed;
  }

  async write(message: AirbyteMessage): Promise<void> {
    this.throwIfClosed();
    this.batch += `${JSON.stringify(message)}\n`;
    if (this.batch.length >= BATCH_BYTES) this.writeBatch();
    else this.scheduleBatch();
    // A batch written in the background counts too: whoever writes next waits for the reader.
    if (!this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        this.stream.off('drain', settle);
        this.stream.off('close', settle);
        this.stream.off('error', settle);
        if (this.closed) reject(new OutputClosedError(this.closedBy ?? 'closed'));
        else resolve();
      };
      this.stream.on('drain', settle);
      this.stream.on('close', settle);
      this.stream.on('error', settle);
    });
  }

  async flush(): Promise<void> {
    if (this.closed) return;
    this.writeBatch();
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }

  private scheduleBatch(): void {
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    setImmediate(() => {
      this.batchScheduled = false;
      if (!this.closed) this.writeBatch();
    });
  }

  private writeBatch(): void {
    if (this.batch === '') return;
    const lines = this.batch;
    this.batch = '';
    this.stream.write(lines);
  }

  private throwIfClosed(): void {
    if (this.closedBy !== undefined) throw new OutputClosedError(this.closedBy);
    if (this.stream.destroyed || this.stream.writableEnded) throw new OutputClosedError('closed');
  }
}

/**
 * The protocol channel the runner, the read loop and the logger write to: every message passes
 * through secret redaction before it reaches the sink, so a secret that slipped into any message
 * (an error text quoting a URL, a record) never leaves the process, whichever sink it goes to.
 */
export class MessageOutput {
  readonly redactor = new SecretRedactor();
  private closedError: OutputClosedError | undefined;

  constructor(private readonly sink: MessageSink) {}

  /** Registers values that must never be printed. */
  addSecrets(values: Iterable<string | undefined>): void {
    this.redactor.add(values);
  }

  async write(message: AirbyteMessage): Promise<void> {
    if (this.closedError) throw this.closedError;
    try {
      await this.sink.write(this.redactor.redactValue(message));
    } catch (error) {
      if (error instanceof OutputClosedError) this.closedError = error;
      throw error;
    }
  }

  async flush(): Promise<void> {
    if (!this.closedError) await this.sink.flush();
  }
}
