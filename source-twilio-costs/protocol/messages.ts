/**
 * The Airbyte protocol messages this source prints, as a discriminated union, and their builders.
 * Field names follow airbyte_protocol.yaml exactly (note `connectionStatus` in camelCase).
 */
export type SyncMode = 'full_refresh' | 'incremental';
export type FailureType = 'system_error' | 'config_error' | 'transient_error';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type JsonObject = { [key: string]: unknown };

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface AirbyteStream {
  name: string;
  json_schema: JsonObject;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
}

export interface ConnectorSpecification {
  connectionSpecification: JsonObject;
  documentationUrl?: string;
  protocol_version?: string;
  supportsIncremental?: boolean;
  [key: string]: unknown;
}

export interface StreamStateMessage {
  type: 'STREAM';
  stream: { stream_descriptor: StreamDescriptor; stream_state: JsonObject };
  sourceStats: { recordCount: number };
}

export type AirbyteMessage =
  | { type: 'RECORD'; record: { stream: string; data: JsonObject; emitted_at: number } }
  | { type: 'STATE'; state: StreamStateMessage }
  | { type: 'LOG'; log: { level: LogLevel; message: string; stack_trace?: string } }
  | { type: 'SPEC'; spec: ConnectorSpecification }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message: string } }
  | { type: 'CATALOG'; catalog: { streams: AirbyteStream[] } }
  | { type: 'TRACE'; trace: TraceMessage };

export type TraceMessage =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        stack_trace?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    }
  | { type: 'STREAM_STATUS'; emitted_at: number; stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus } }
  | { type: 'ESTIMATE'; emitted_at: number; estimate: { name: string; type: 'STREAM'; row_estimate: number } };

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

export function errorTraceMessage(
  error: { message: string; internalMessage?: string; stackTrace?: string; failureType: FailureType },
  stream?: string,
): AirbyteMessage {
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
