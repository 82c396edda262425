import { PassThrough } from 'node:stream';

import { expect } from 'chai';

import { resolveCatalog } from '../../../source-twilio-costs/protocol/catalog';
import { ConfigError, TransientError } from '../../../source-twilio-costs/protocol/errors';
import { Logger } from '../../../source-twilio-costs/protocol/logger';
import type { JsonObject } from '../../../source-twilio-costs/protocol/messages';
import { JsonLinesSink, MessageOutput } from '../../../source-twilio-costs/protocol/output';
import { inDependencyOrder, readStreams } from '../../../source-twilio-costs/protocol/read-loop';
import { parseInputState } from '../../../source-twilio-costs/protocol/state';
import type { Stream, StreamEvent } from '../../../source-twilio-costs/protocol/stream';
import { expectWellFormedRead, parseMessages, streamStatuses, traceErrors } from '../../helpers/protocol';

function fakeStream(name: string, events: Array<StreamEvent | Error>): Stream {
  return {
    name,
    primaryKey: [['id']],
    cursorField: ['id'],
    jsonSchema: { type: 'object', properties: { id: { type: 'integer' } } },
    async *read() {
      for (const event of events) {
        if (event instanceof Error) throw event;
        yield event;
      }
    },
  };
}

async function run(streams: Stream[], options: { intervalMs?: number; states?: Map<string, JsonObject> } = {}) {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = new MessageOutput(new JsonLinesSink(sink));
  output.addSecrets(['hunter2-secret']);
  const ok = await readStreams(
    streams.map((stream) => ({ stream, syncMode: 'incremental' as const })),
    { output, logger: new Logger(output), states: options.states ?? new Map(), checkpointIntervalMs: options.intervalMs ?? 0 },
  );
  await output.flush();
  return { ok, messages: parseMessages(text) };
}

const record = (id: number): StreamEvent => ({ kind: 'record', data: { id } });
const checkpoint = (at: number): StreamEvent => ({ kind: 'checkpoint', state: { at } });

/** A record type declared as an interface, as the generated record types are: no index signature. */
interface TypedRecord {
  id: number;
  label: string | null;
}

describe('protocol: read loop', () => {
  it('prints the records of a stream typed with a record interface, no cast on the way', async () => {
    const typed: Stream<TypedRecord> = {
      name: 'typed',
      primaryKey: [['id']],
      jsonSchema: { type: 'object' },
      async *read(): AsyncGenerator<StreamEvent<TypedRecord>> {
        const row: TypedRecord = { id: 1, label: null };
        yield { kind: 'record', data: row };
        yield { kind: 'checkpoint', state: { done: true } };
      },
    };
    const { ok, messages } = await run([typed]);
    expect(ok).to.equal(true);
    expect(messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data)).to.deep.equal([{ id: 1, label: null }]);
  });

  it('emits statuses, records and states with exact record counts', async () => {
    const { ok, messages } = await run([fakeStream('a', [record(1), record(2), checkpoint(2), record(3), checkpoint(3)])]);
    expect(ok).to.equal(true);
    expectWellFormedRead(messages, ['a']);
    const counts = messages.filter((m) => m.type === 'STATE').map((m) => m.state.sourceStats.recordCount);
    expect(counts).to.deep.equal([2, 1]);
  });

  it('throttles intermediate states but always prints the last one', async () => {
    const { messages } = await run([fakeStream('a', [record(1), checkpoint(1), record(2), checkpoint(2)])], { intervalMs: 60_000 });
    const states = messages.filter((m) => m.type === 'STATE');
    expect(states.map((m) => m.state.stream.stream_state)).to.deep.equal([{ at: 2 }]);
    expect(states[0]?.state.sourceStats.recordCount).to.equal(2);
  });

  it('prints a state for a stream with no records, once', async () => {
    const { messages } = await run([fakeStream('a', [checkpoint(7), checkpoint(7)])]);
    expect(messages.filter((m) => m.type === 'STATE')).to.have.length(1);
    expect(streamStatuses(messages, 'a')).to.deep.equal(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  it('a failing stream ends INCOMPLETE with its committed state and a typed trace; the next stream still runs', async () => {
    const failing = fakeStream('a', [record(1), checkpoint(1), record(2), new TransientError('Twilio kept failing (hunter2-secret)')]);
    const { ok, messages } = await run([failing, fakeStream('b', [record(9), checkpoint(9)])], { intervalMs: 60_000 });
    expect(ok).to.equal(false);
    expect(streamStatuses(messages, 'a')).to.deep.equal(['STARTED', 'RUNNING', 'INCOMPLETE']);
    const [trace] = traceErrors(messages);
    expect(trace?.trace.error).to.include({ failure_type: 'transient_error' });
    expect(trace?.trace.error.stream_descriptor).to.deep.equal({ name: 'a' });
    expect(JSON.stringify(messages)).not.to.include('hunter2-secret');
    const aStates = messages.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === 'a');
    // The count is of records printed since the previous state, as the platform counts them.
    expect(aStates.map((m) => [m.state.stream.stream_state, m.state.sourceStats.recordCount])).to.deep.equal([[{ at: 1 }, 2]]);
    expectWellFormedRead(messages, ['b']);
  });
});

describe('protocol: streams that depend on others in the same read', () => {
  const dependent = (name: string, dependsOn: string[], events: Array<StreamEvent | Error> = []): Stream => ({ ...fakeStream(name, events), dependsOn });
  const configured = (streams: Stream[]) => streams.map((stream) => ({ stream, syncMode: 'full_refresh' as const }));

  it('reads a stream after the configured streams it depends on, and keeps the catalog order otherwise', () => {
    const streams = [dependent('report', ['source']), fakeStream('a', []), fakeStream('source', []), dependent('loose', ['not-configured'])];
    expect(inDependencyOrder(configured(streams)).map(({ stream }) => stream.name)).to.deep.equal(['a', 'source', 'report', 'loose']);
    expect(() => inDependencyOrder(configured([dependent('x', ['y']), dependent('y', ['x'])]))).to.throw(/x, y depend on each other in a circle/);
  });

  it('fails a stream whose dependency failed without reading it: INCOMPLETE, no record, the dependency named with its failure type', async () => {
    let read = false;
    const report: Stream = {
      ...dependent('report', ['source']),
      async *read() {
        read = true;
        yield record(1);
      },
    };
    const { ok, messages } = await run([fakeStream('source', [record(1), new TransientError('Twilio kept failing')]), report, fakeStream('other', [record(2), checkpoint(2)])]);
    expect(ok).to.equal(false);
    expect(read).to.equal(false);
    expect(streamStatuses(messages, 'report')).to.deep.equal(['STARTED', 'INCOMPLETE']);
    expect(messages.filter((m) => m.type === 'RECORD' && m.record.stream === 'report')).to.deep.equal([]);
    const errors = traceErrors(messages).map((m) => m.trace.error);
    expect(errors.map((error) => [error.stream_descriptor?.name, error.failure_type, error.message])).to.deep.equal([
      ['source', 'transient_error', 'Stream source failed: Twilio kept failing'],
      ['report', 'transient_error', 'Stream report failed: it reports on source in the same read, which failed (Twilio kept failing); both are read again by the next sync.'],
    ]);
    expectWellFormedRead(messages, ['other']);
  });

  it('reads a stream whose dependency completed', async () => {
    const { ok, messages } = await run([fakeStream('source', [record(1), checkpoint(1)]), dependent('report', ['source'], [record(2), checkpoint(2)])]);
    expect(ok).to.equal(true);
    expectWellFormedRead(messages, ['source', 'report']);
  });
});

describe('protocol: catalog and state input', () => {
  const streams = [fakeStream('a', [])];
  const noWarning = (message: string): void => expect.fail(`unexpected warning: ${message}`);
  it('accepts a configured catalog and refuses unknown streams or sync modes', () => {
    expect(resolveCatalog({ streams: [{ stream: { name: 'a' }, sync_mode: 'incremental' }] }, streams, noWarning)).to.have.length(1);
    expect(() => resolveCatalog({ streams: [{ stream: { name: 'nope' }, sync_mode: 'full_refresh' }] }, streams, noWarning)).to.throw(ConfigError, /"nope"/);
    expect(() => resolveCatalog({ streams: [{ stream: { name: 'a' }, sync_mode: 'INVALID' }] }, streams, noWarning)).to.throw(ConfigError, /sync_mode "INVALID"/);
    expect(() => resolveCatalog({}, streams, noWarning)).to.throw(ConfigError, /streams/);
  });

  it('reads a stream without a cursor as a full refresh when incremental is asked, warning once per stream', () => {
    const { cursorField: _cursorField, ...fullRefreshOnly } = fakeStream('b', []);
    const warnings: string[] = [];
    const catalog = { streams: ['a', 'b'].map((name) => ({ stream: { name }, sync_mode: 'incremental', destination_sync_mode: 'overwrite' })) };
    const configured = resolveCatalog(catalog, [fakeStream('a', []), fullRefreshOnly], (message) => warnings.push(message));
    expect(configured.map(({ stream, syncMode }) => [stream.name, syncMode])).to.deep.equal([
      ['a', 'incremental'],
      ['b', 'full_refresh'],
    ]);
    expect(warnings).to.deep.equal(['The catalog asks for incremental on the stream "b", which supports only full_refresh: it is read as a full refresh.']);
  });

  it('reads per-stream state and refuses legacy, unknown streams and non-JSON', () => {
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'a' }, stream_state: { at: 1 } } }];
    expect(parseInputState(JSON.stringify(state), ['a']).get('a')).to.deep.equal({ at: 1 });
    expect(parseInputState('', ['a']).size).to.equal(0);
    expect(parseInputState('[]', ['a']).size).to.equal(0);
    expect(parseInputState('{}', ['a']).size).to.equal(0);
    expect(() => parseInputState('{"a": {"at": 1}}', ['a'])).to.throw(ConfigError, /legacy/);
    expect(() => parseInputState('[{"type":"LEGACY","data":{}}]', ['a'])).to.throw(ConfigError, /LEGACY/);
    expect(() => parseInputState('[{"type":"STREAM","stream":{"stream_descriptor":{"name":"zz"},"stream_state":{}}}]', ['a'])).to.throw(ConfigError, /"zz"/);
    expect(() => parseInputState('not json', ['a'])).to.throw(ConfigError, /not valid JSON/);
  });
});
