import type { Logger } from './logger';
import type { AirbyteStream, JsonObject, SyncMode } from './messages';

/**
 * A record of type TRecord as a stream emits it: the same fields, as an object type. A generated
 * record interface (AccountsRecord…) is not a JsonObject to TypeScript, since an interface has no
 * index signature; its fields mapped into an object type are, so a Stream<AccountsRecord> is a
 * Stream and its records reach RECORD messages without a cast.
 */
export type RecordData<TRecord extends object> = { [Field in keyof TRecord]: TRecord[Field] };

/** What a stream's read yields: records, and checkpoints that commit every record before them. */
export type StreamEvent<TRecord extends object = JsonObject> = { kind: 'record'; data: RecordData<TRecord> } | { kind: 'checkpoint'; state: JsonObject } | { kind: 'estimate'; rowEstimate: number };

export interface StreamReadContext {
  syncMode: SyncMode;
  /** The input stream_state for this stream (incremental only), or undefined. */
  state: JsonObject | undefined;
  logger: Logger;
}

/**
 * A stream, declaratively: its name, key, cursor and schema, plus how to read it. The read loop
 * owns everything protocol-shaped (statuses, counts, throttling, errors). TRecord is the type of
 * its records (a generated record type); a stream of another record type is still a Stream.
 */
export interface Stream<TRecord extends object = JsonObject> {
  readonly name: string;
  readonly primaryKey: string[][];
  /** Absent for streams that only support full refresh. */
  readonly cursorField?: string[];
  readonly jsonSchema: JsonObject;
  /**
   * The streams whose read in the same run this one reports on. Those the catalog configures are
   * read before it, and when one of them fails, this one fails too instead of completing with a
   * picture of a read that did not happen.
   */
  readonly dependsOn?: readonly string[];
  read(context: StreamReadContext): AsyncIterable<StreamEvent<TRecord>>;
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
