import type { ConfiguredStream } from './catalog';
import { asConnectorError } from './errors';
import type { Logger } from './logger';
import { errorTraceMessage, estimateMessage, recordMessage, stateMessage, streamStatusMessage, type JsonObject } from './messages';
import type { MessageOutput } from './output';

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
  now?: () => number;
}

/** Counts records since the last STATE and decides when a checkpoint is worth printing. */
class CheckpointTracker {
  private recordsSinceState = 0;
  private lastEmitted: string | undefined;
  private lastEmittedAt: number;
  private pending: JsonObject | undefined;

  constructor(
    private readonly stream: string,
    private readonly options: ReadOptions,
    private readonly now: () => number,
  ) {
    this.lastEmittedAt = now();
  }

  recordEmitted(): void {
    this.recordsSinceState += 1;
  }

  async checkpoint(state: JsonObject, force: boolean): Promise<void> {
    this.pending = state;
    if (force || this.now() - this.lastEmittedAt >= this.options.checkpointIntervalMs) await this.emitPending(false);
  }

  /**
   * Prints the latest checkpoint. A state identical to the one just printed, with no records in
   * between, is skipped (the platform treats repeated states as hash collisions), except that every
   * stream ends with at least one state.
   */
  async emitPending(final: boolean): Promise<void> {
    if (!this.pending) return;
    const serialized = JSON.stringify(this.pending);
    const repeated = serialized === this.lastEmitted && this.recordsSinceState === 0;
    if (repeated && !(final && this.lastEmitted === undefined)) return;
    await this.options.output.write(stateMessage(this.stream, this.pending, this.recordsSinceState));
    this.lastEmitted = serialized;
    this.lastEmittedAt = this.now();
    this.recordsSinceState = 0;
  }
}

/**
 * Reads the configured streams one after another. Each gets STARTED, RUNNING and COMPLETE stream
 * statuses; a failing stream gets INCOMPLETE and a TRACE ERROR, and the others still run. Returns
 * false when any stream failed, so the process can exit non-zero after everything that did
 * succeed has been printed and committed.
 */
export async function readStreams(configured: readonly ConfiguredStream[], options: ReadOptions): Promise<boolean> {
  const { output, logger } = options;
  const now = options.now ?? Date.now;
  let allSucceeded = true;
  for (const { stream, syncMode } of configured) {
    await output.write(streamStatusMessage(stream.name, 'STARTED'));
    const tracker = new CheckpointTracker(stream.name, options, now);
    let running = false;
    const markRunning = async (): Promise<void> => {
      if (running) return;
      running = true;
      await output.write(streamStatusMessage(stream.name, 'RUNNING'));
    };
    try {
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
      allSucceeded = false;
      const error = asConnectorError(thrown);
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
    }
  }
  return allSucceeded;
}
