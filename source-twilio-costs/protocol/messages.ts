/**
 * The Airbyte protocol messages this source prints, as a discriminated union, and their builders.
 * The structs are generated from the official airbyte_protocol.yaml (generated/protocol.ts); the
 * schema's envelope lists every payload as optional, so this layer pairs each message type with
 * its payload and requires the fields this source always sends.
 */
import type * as Protocol from '../generated/protocol';

export type SyncMode = Protocol.SyncMode;
export type FailureType = NonNullable<Protocol.AirbyteErrorTraceMessage['failure_type']>;
export type LogLevel = Protocol.AirbyteLogMessage['level'];
export type StreamStatus = Protocol.AirbyteStreamStatus;
export type JsonObject = { [key: string]: unknown };
export type StreamDescriptor = Protocol.StreamDescriptor;

/** The schema types JSON Schema blobs as `{}`; this source reads its own as objects. */
export type AirbyteStream = Protocol.AirbyteStream & { json_schema: JsonObject };
export type ConnectorSpecification = Protocol.ConnectorSpecification & { connectionSpecification: JsonObject };

export type RecordMessage = Protocol.AirbyteRecordMessage & { data: JsonObject };

/** Per-stream state, the only kind this source sends, always with its record count. */
export type StreamStateMessage = Protocol.AirbyteStateMessage & {
  type: 'STREAM';
  stream: Protocol.AirbyteStreamState & { stream_state: JsonObject };
  sourceStats: Protocol.AirbyteStateStats & { recordCount: number };
};

/** Checks at compile time that every variant of the union is a valid protocol envelope. */
type Envelopes<Variants extends Protocol.AirbyteMessage> = Variants;

export type AirbyteMessage = Envelopes<
  | { type: 'RECORD'; record: RecordMessage }
  | { type: 'STATE'; state: StreamStateMessage }
  | { type: 'LOG'; log: Protocol.AirbyteLogMessage }
  | { type: 'SPEC'; spec: ConnectorSpecification }
  | { type: 'CONNECTION_STATUS'; connectionStatus: Protocol.AirbyteConnectionStatus & { message: string } }
  | { type: 'CATALOG'; catalog: Protocol.AirbyteCatalog & { streams: AirbyteStream[] } }
  | { type: 'TRACE'; trace: TraceMessage }
>;

export type TraceMessage =
  | (Protocol.AirbyteTraceMessage & { type: 'ERROR'; error: Protocol.AirbyteErrorTraceMessage & { failure_type: FailureType } })
  | (Protocol.AirbyteTraceMessage & { type: 'STREAM_STATUS'; stream_status: Protocol.AirbyteStreamStatusTraceMessage })
  | (Protocol.AirbyteTraceMessage & { type: 'ESTIMATE'; estimate: Protocol.AirbyteEstimateTraceMessage & { type: 'STREAM'; row_estimate: number } });

export function recordMessage(stream: string, data: JsonObject): AirbyteMessage {
  return { type: 'RECORD', record: { stream, data, emitted_at: Date.now() } };
}

export function stateMessage(stream: string, streamState: JsonObject, recordCount: number): AirbyteMessage {
  return {
    type: 'STATE',
    state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: streamState }, sourceStats: { recordCount } },
  };
}

export function streamStatusMessage(stream: string, status: StreamStatus): AirbyteMessage {
  return { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: Date.now(), stream_status: { stream_descriptor: { name: stream }, status } } };
}

export function errorTraceMessage(error: { message: string; internalMessage?: string; stackTrace?: string; failureType: FailureType }, stream?: string): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: Date.now(),
      error: {
        message: error.message,
        ...(error.internalMessage ? { internal_message: error.internalMessage } : {}),
        ...(error.stackTrace ? { stack_trace: error.stackTrace } : {}),
        failure_type: error.failureType,
        ...(stream ? { stream_descriptor: { name: stream } } : {}),
      },
    },
  };
}

export function estimateMessage(stream: string, rowEstimate: number): AirbyteMessage {
  return { type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: Date.now(), estimate: { name: stream, type: 'STREAM', row_estimate: rowEstimate } } };
}
