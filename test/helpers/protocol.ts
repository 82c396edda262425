import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { parse } from 'yaml';

/** The official Airbyte protocol schema: the shared copy beside the checkout, else the vendored one. */
export const SHARED_PROTOCOL_PATH = path.resolve(__dirname, '../../../shared/airbyte/airbyte_protocol.yaml');
export const VENDORED_PROTOCOL_PATH = path.resolve(__dirname, '../../vendor/airbyte/airbyte_protocol.yaml');
const PROTOCOL_PATH = existsSync(SHARED_PROTOCOL_PATH) ? SHARED_PROTOCOL_PATH : VENDORED_PROTOCOL_PATH;

const PAYLOAD_FIELD: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

let validateMessage: ValidateFunction | undefined;

function messageValidator(): ValidateFunction {
  if (!validateMessage) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = parse(readFileSync(PROTOCOL_PATH, 'utf8')) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: 'airbyte_protocol' });
    validateMessage = ajv.compile({ $ref: 'airbyte_protocol#/definitions/AirbyteMessage' });
  }
  return validateMessage;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages are checked at runtime against the schema
export type Message = { type: string; [key: string]: any };

/** Parses a connector's stdout as one JSON message a line, without checking the messages. */
export function parseJsonLines(stdout: string): Message[] {
  const lines = stdout.split('\n');
  expect(lines.pop(), 'stdout ends with a newline').to.equal('');
  return lines.map((line, index) => {
    try {
      return JSON.parse(line) as Message;
    } catch {
      throw new Error(`stdout line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
  });
}

const PAYLOAD_FIELDS = Object.values(PAYLOAD_FIELD);

/**
 * Parses a connector's stdout: every line must be one JSON AirbyteMessage that validates against
 * the official schema, with the payload field its type names and no other payload field. The
 * checks past the schema are plain conditions, not chai assertions: they run on every line of every
 * read, where chai's assertion objects cost about 10 s of CPU on a year's read.
 */
export function parseMessages(stdout: string): Message[] {
  const validate = messageValidator();
  return parseJsonLines(stdout).map((message, index) => {
    const line = `stdout line ${index + 1}`;
    if (!validate(message)) expect.fail(`${line} is not a valid AirbyteMessage: ${JSON.stringify(validate.errors)}\n${JSON.stringify(message).slice(0, 300)}`);
    const payload = PAYLOAD_FIELD[message.type];
    if (payload === undefined) expect.fail(`${line}: unknown message type ${String(message.type)}`);
    if (!Object.hasOwn(message, payload)) expect.fail(`${line}: a ${String(message.type)} message without its ${payload} field`);
    const others = PAYLOAD_FIELDS.filter((other) => other !== payload && Object.hasOwn(message, other));
    if (others.length > 0) expect.fail(`${line}: a ${String(message.type)} message that also has ${others.join(', ')}`);
    if (message.type === 'RECORD') {
      if (!Number.isInteger(message.record.emitted_at)) expect.fail(`${line}: emitted_at ${JSON.stringify(message.record.emitted_at)} is not an integer`);
      if (Object.keys(message.record.data).length === 0) expect.fail(`${line}: record data is empty`);
    }
    return message;
  });
}

export const ofType = (messages: Message[], type: string): Message[] => messages.filter((message) => message.type === type);

export function recordsOf(messages: Message[], stream?: string): Array<Record<string, unknown>> {
  return ofType(messages, 'RECORD')
    .filter((message) => stream === undefined || message.record.stream === stream)
    .map((message) => message.record.data as Record<string, unknown>);
}

export function statesOf(messages: Message[], stream: string): Message[] {
  return ofType(messages, 'STATE').filter((message) => message.state.stream.stream_descriptor.name === stream);
}

export function traceErrors(messages: Message[]): Message[] {
  return ofType(messages, 'TRACE').filter((message) => message.trace.type === 'ERROR');
}

export function streamStatuses(messages: Message[], stream: string): string[] {
  return ofType(messages, 'TRACE')
    .filter((message) => message.trace.type === 'STREAM_STATUS' && message.trace.stream_status.stream_descriptor.name === stream)
    .map((message) => message.trace.stream_status.status as string);
}

/**
 * Checks what the platform checks of a read: per stream STARTED, RUNNING, COMPLETE; each STATE's
 * recordCount equals the records of its stream since that stream's previous STATE; no two
 * identical consecutive states of a stream.
 */
export function expectWellFormedRead(messages: Message[], streams: string[]): void {
  for (const stream of streams) {
    expect(streamStatuses(messages, stream), `statuses of ${stream}`).to.deep.equal(['STARTED', 'RUNNING', 'COMPLETE']);
    let sinceState = 0;
    let previous: string | undefined;
    let states = 0;
    for (const message of messages) {
      if (message.type === 'RECORD' && message.record.stream === stream) sinceState += 1;
      if (message.type === 'STATE' && message.state.stream.stream_descriptor.name === stream) {
        states += 1;
        expect(message.state.type).to.equal('STREAM');
        expect(message.state.sourceStats.recordCount, `recordCount of a ${stream} state`).to.equal(sinceState);
        const serialized = JSON.stringify(message.state.stream.stream_state);
        expect(serialized === previous && sinceState === 0, `repeated state of ${stream}`).to.equal(false);
        previous = serialized;
        sinceState = 0;
      }
    }
    expect(states, `states of ${stream}`).to.be.greaterThan(0);
    expect(sinceState, `records of ${stream} after its last state`).to.equal(0);
  }
}
