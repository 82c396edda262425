import type { ConfiguredStream } from './catalog';
import { asConnectorError, ConnectorError } from './errors';
import type { Logger } from './logger';
import { errorTraceMessage, estimateMessage, type JsonObject, recordMessage, stateMessage, streamStatusMessage } from './messages';
import { type MessageOutput, OutputClosedError } from './output';

export interface ReadOptions {
  output: MessageOutput;
  logger: Logger;
  /** Input stream_state per stream name. */
  states: ReadonlyMap<string, JsonObject>;
  /**
   * Least time between two intermediate STATE messages of a stream. Destinations buffer states and
   * the orchestrator keeps unacknowledged ones in memory, so Airbyte asks for about one a minute.
   */
  checkpointIntervalMs: number;
  /**
   * Longest a stream may stay silent before its latest state is printed again (default
   * DEFAULT_HEARTBEAT_INTERVAL_MS). Airbyte fails a source that sends no RECORD or STATE for
   * maxSecondsBetweenMessages, even while it is only waiting for a rate-limited API.
   */
  heartbeatIntervalMs?: number;
  now?: () => number;
}

/** Well below the 5400 s between messages this connector's metadata allows. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10 * 60_000;

/** Counts records since the last STATE and decides when a checkpoint is worth printing. */
class CheckpointTracker {
  private recordsSinceState = 0;
  private lastEmitted: string | undefined;
  private lastEmittedAt: number;
  /** When the stream last printed a RECORD or STATE: what Airbyte's heartbeat watches. */
  private lastMessageAt: number;
  private pending: JsonObject | undefined;

  constructor(
    private readonly stream: string,
    private readonly options: ReadOptions,
    private readonly now: () => number,
  ) {
    this.lastEmittedAt = now();
    this.lastMessageAt = this.lastEmittedAt;
  }

  recordEmitted(): void {
    this.recordsSinceState += 1;
    this.lastMessageAt = this.now();
  }

  /**
   * After `silenceMs` without a RECORD or STATE (requests backing off, a slow API), prints the
   * latest state again, repeated or not: a repeated state costs a warning on the platform, silence
   * costs the attempt.
   */
  async heartbeat(silenceMs: number): Promise<void> {
    if (!this.pending || this.now() - this.lastMessageAt < silenceMs) return;
    const recordCount = this.recordsSinceState;
    this.recordsSinceState = 0;
    this.lastEmitted = JSON.stringify(this.pending);
    this.lastEmittedAt = this.now();
    this.lastMessageAt = this.lastEmittedAt;
    await this.options.output.write(stateMessage(this.stream, this.pending, recordCount));
  }

  async checkpoint(state: JsonObject, force: boolean): Promise<void> {
    this.pending = state;
    if (force || this.now() - this.lastEmittedAt >= this.options.checkpointIntervalMs) await this.emitPending(false);
  }

  /**
   * Prints the latest checkpoint. A state identical to the one just printed is skipped, even with
   * records in between (the platform treats repeated states as hash collisions): those records are
   * counted in the next state that moves. Only a stream's last state may repeat, when records since
   * the previous one would otherwise go uncounted.
   */
  async emitPending(final: boolean): Promise<void> {
    if (!this.pending) return;
    const serialized = JSON.stringify(this.pending);
    if (serialized === this.lastEmitted && !(final && this.recordsSinceState > 0)) return;
    await this.options.output.write(stateMessage(this.stream, this.pending, this.recordsSinceState));
    this.lastEmitted = serialized;
    this.lastEmittedAt = this.now();
    this.lastMessageAt = this.lastEmittedAt;
    this.recordsSinceState = 0;
  }
}

/**
 * The configured streams in the order to read them: the catalog's, except that a stream waits for
 * the configured streams it depends on.
 */
export function inDependencyOrder(configured: readonly ConfiguredStream[]): ConfiguredStream[] {
  const names = new Set(configured.map(({ stream }) => stream.name));
  const placed = new Set<string>();
  const pending = [...configured];
  const ordered: ConfiguredStream[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex(({ stream }) => (stream.dependsOn ?? []).every((name) => placed.has(name) || !names.has(name)));
    if (index < 0) throw new Error(`The streams ${pending.map(({ stream }) => stream.name).join(', ')} depend on each other in a circle.`);
    const [next] = pending.splice(index, 1) as [ConfiguredStream];
    ordered.push(next);
    placed.add(next.stream.name);
  }
  return ordered;
}

/**
 * Reads the configured streams one after another. Each gets STARTED, RUNNING and COMPLETE stream
 * statuses; a failing stream gets INCOMPLETE and a TRACE ERROR, and the others still run. Returns
 * false when any stream failed, so the process can exit non-zero after everything that did
 * succeed has been printed and committed. A stream that depends on one that failed fails without
 * being read.
 */
export async function readStreams(configured: readonly ConfiguredStream[], options: ReadOptions): Promise<boolean> {
  const { output, logger } = options;
  const now = options.now ?? Date.now;
  let allSucceeded = true;
  /** What ended each stream that failed, for the streams that depend on it. */
  const failures = new Map<string, ConnectorError>();
  const heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  for (const { stream, syncMode } of configured) {
    await output.write(streamStatusMessage(stream.name, 'STARTED'));
    const tracker = new CheckpointTracker(stream.name, options, now);
    // Checked ten times per interval; an output error surfaces at the stream's next write.
    const watchdog = setInterval(() => void tracker.heartbeat(heartbeatMs).catch(() => undefined), Math.max(10, heartbeatMs / 10));
    watchdog.unref();
    let running = false;
    const markRunning = async (): Promise<void> => {
      if (running) return;
      running = true;
      await output.write(streamStatusMessage(stream.name, 'RUNNING'));
    };
    try {
      const failedDependency = stream.dependsOn?.find((name) => failures.has(name));
      const dependencyError = failedDependency === undefined ? undefined : failures.get(failedDependency);
      if (dependencyError) {
        throw new ConnectorError(`it reports on ${failedDependency} in the same read, which failed (${dependencyError.message}); both are read again by the next sync.`, dependencyError.failureType);
      }
      const state = syncMode === 'incremental' ? options.states.get(stream.name) : undefined;
      for await (const event of stream.read({ syncMode, state, logger })) {
        if (event.kind === 'record') {
          await markRunning();
          await output.write(recordMessage(stream.name, event.data));
          tracker.recordEmitted();
        } else if (event.kind === 'checkpoint') {
          await tracker.checkpoint(event.state, false);
        } else {
          await output.write(estimateMessage(stream.name, event.rowEstimate));
        }
      }
      await tracker.emitPending(true);
      await markRunning();
      await logger.drain();
      await output.write(streamStatusMessage(stream.name, 'COMPLETE'));
    } catch (thrown) {
      // Without a reader nothing can be reported, and the other streams would be read for no one.
      if (thrown instanceof OutputClosedError) throw thrown;
      allSucceeded = false;
      const error = asConnectorError(thrown);
      failures.set(stream.name, error);
      // Everything read before the failure stays committed: the last checkpoint still goes out.
      await tracker.emitPending(false);
      await logger.drain();
      await output.write(
        errorTraceMessage(
          {
            message: `Stream ${stream.name} failed: ${error.message}`,
            internalMessage: error.internalMessage,
            stackTrace: error.failureType !== 'config_error' && thrown instanceof Error ? thrown.stack : undefined,
            failureType: error.failureType,
          },
          stream.name,
        ),
      );
      await output.write(streamStatusMessage(stream.name, 'INCOMPLETE'));
    } finally {
      clearInterval(watchdog);
    }
  }
  return allSucceeded;
}
