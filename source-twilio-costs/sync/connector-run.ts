import type { AirbyteMessage } from '../protocol/messages';
import { type MessageSink, OutputClosedError } from '../protocol/output';

/** How far a run may get ahead of its consumer: enough to overlap work, too little to matter in memory. */
const MAX_QUEUED_MESSAGES = 256;

interface WaitingWrite {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Hands the runner's messages, already redacted, to a consumer in this process as objects: no
 * JSON is written and parsed again. A write waits while the consumer is MAX_QUEUED_MESSAGES
 * behind (the backpressure a slow destination gives); once the consumer stops reading, every
 * write rejects with OutputClosedError and the run ends, as a read with a closed stdout does.
 */
class InProcessSink implements MessageSink {
  private readonly queue: AirbyteMessage[] = [];
  private readonly waitingWrites: WaitingWrite[] = [];
  private wakeConsumer: (() => void) | undefined;
  private producerDone = false;
  private consumerGone = false;

  async write(message: AirbyteMessage): Promise<void> {
    if (this.consumerGone) throw new OutputClosedError('the consumer stopped reading');
    this.queue.push(message);
    this.wake();
    if (this.queue.length < MAX_QUEUED_MESSAGES) return;
    await new Promise<void>((resolve, reject) => this.waitingWrites.push({ resolve, reject }));
  }

  /** A written message is already the consumer's: there is nothing further to hand on. */
  async flush(): Promise<void> {}

  /** The run has finished: the consumer ends after the queued messages. */
  end(): void {
    this.producerDone = true;
    this.wake();
  }

  async *messages(): AsyncGenerator<AirbyteMessage> {
    try {
      for (;;) {
        const message = this.queue.shift();
        if (message !== undefined) {
          if (this.queue.length < MAX_QUEUED_MESSAGES) for (const waiting of this.waitingWrites.splice(0)) waiting.resolve();
          yield message;
        } else if (this.producerDone) {
          return;
        } else {
          await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        }
      }
    } finally {
      // Also when the consumer stops early: the run must not wait on a reader that is gone.
      this.consumerGone = true;
      for (const waiting of this.waitingWrites.splice(0)) waiting.reject(new OutputClosedError('the consumer stopped reading'));
    }
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}

/**
 * A connector read run in this process, with its output as a stream of protocol messages: `sync`
 * consumes exactly what an Airbyte platform would, so it cannot drift from the connector. Reading
 * is paced by the consumer: while it is busy writing to DuckDB, the connector's writes wait.
 */
export class ConnectorRun {
  private readonly sink = new InProcessSink();
  /** The run's exit code, once it has finished. */
  readonly exitCode: Promise<number>;

  /** @param run starts the run (the runner's runRead), writing its messages to the sink it is given */
  constructor(run: (sink: MessageSink) => Promise<number>) {
    this.exitCode = run(this.sink).finally(() => this.sink.end());
  }

  /** The command's messages, in order; iterate once. */
  messages(): AsyncGenerator<AirbyteMessage> {
    return this.sink.messages();
  }
}
