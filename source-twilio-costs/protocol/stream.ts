import type { Logger } from './logger';
import type { AirbyteStream, JsonObject, SyncMode } from './messages';

/** What a stream's read yields: records, and checkpoints that commit every record before them. */
export type StreamEvent =
  | { kind: 'record'; data: JsonObject }
  | { kind: 'checkpoint'; state: JsonObject }
  | { kind: 'estimate'; rowEstimate: number };

export interface StreamReadContext {
  syncMode: SyncMode;
  /** The input stream_state for this stream (incremental only), or undefined. */
  state: JsonObject | undefined;
  logger: Logger;
  /** The streams this read runs after this one, in order (none when absent): what is read now may serve them. */
  laterStreams?: readonly string[];
}

/**
 * A stream, declaratively: its name, key, cursor and schema, plus how to read it. The read loop
 * owns everything protocol-shaped (statuses, counts, throttling, errors).
 */
export interface Stream {
  readonly name: string;
  readonly primaryKey: string[][];
  /** Absent for streams that only support full refresh. */
  readonly cursorField?: string[];
  readonly jsonSchema: JsonObject;
  read(context: StreamReadContext): AsyncIterable<StreamEvent>;
}

export function describeStream(stream: Stream): AirbyteStream {
  const incremental = stream.cursorField !== undefined;
  return {
    name: stream.name,
    json_schema: stream.jsonSchema,
    supported_sync_modes: incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_primary_key: stream.primaryKey,
    ...(incremental ? { source_defined_cursor: true, default_cursor_field: stream.cursorField, is_resumable: true } : {}),
  };
}
