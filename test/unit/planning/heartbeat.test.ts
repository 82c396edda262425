import { PassThrough } from 'node:stream';

import { expect } from 'chai';

import { Logger } from '../../../source-twilio-costs/protocol/logger';
import { JsonLinesSink, MessageOutput } from '../../../source-twilio-costs/protocol/output';
import { readStreams } from '../../../source-twilio-costs/protocol/read-loop';
import type { Stream, StreamEvent } from '../../../source-twilio-costs/protocol/stream';
import { type Message, parseMessages } from '../../helpers/protocol';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream that checkpoints, then waits (as while requests back off), then emits a record. */
function slowStream(silenceMs: number): Stream {
  return {
    name: 'slow',
    primaryKey: [['id']],
    cursorField: ['id'],
    jsonSchema: { type: 'object', properties: { id: { type: 'integer' } } },
    async *read(): AsyncGenerator<StreamEvent> {
      yield { kind: 'checkpoint', state: { at: 0 } };
      await sleep(silenceMs);
      yield { kind: 'record', data: { id: 1 } };
      yield { kind: 'checkpoint', state: { at: 1 } };
    },
  };
}

async function read(stream: Stream, heartbeatIntervalMs: number): Promise<Message[]> {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = new MessageOutput(new JsonLinesSink(sink));
  await readStreams([{ stream, syncMode: 'incremental' }], { output, logger: new Logger(output), states: new Map(), checkpointIntervalMs: 60_000, heartbeatIntervalMs });
  await output.flush();
  return parseMessages(text);
}

describe('read loop: heartbeats while a stream waits', () => {
  it('prints the latest state again when nothing was printed for the heartbeat interval', async () => {
    const messages = await read(slowStream(500), 60);
    const types = messages.filter((m) => m.type === 'STATE' || m.type === 'RECORD').map((m) => (m.type === 'STATE' ? `STATE ${JSON.stringify(m.state.stream.stream_state)}` : 'RECORD'));
    const beforeRecord = types.slice(0, types.indexOf('RECORD'));
    expect(beforeRecord.length, types.join(', ')).to.be.at.least(2);
    expect(new Set(beforeRecord)).to.deep.equal(new Set(['STATE {"at":0}']));
    expect(types.at(-1)).to.equal('STATE {"at":1}');
    for (const state of messages.filter((m) => m.type === 'STATE').slice(0, beforeRecord.length)) expect(state.state.sourceStats.recordCount).to.equal(0);
  });

  it('stays quiet while the stream keeps printing', async () => {
    const messages = await read(slowStream(0), 60_000);
    expect(messages.filter((m) => m.type === 'STATE').map((m) => m.state.stream.stream_state)).to.deep.equal([{ at: 1 }]);
  });
});
