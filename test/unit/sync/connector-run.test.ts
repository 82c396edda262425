import { expect } from 'chai';

import { runRead, type Source } from '../../../source-twilio-costs/protocol/runner';
import type { Stream } from '../../../source-twilio-costs/protocol/stream';
import { ConnectorRun } from '../../../source-twilio-costs/sync/connector-run';

const SECRET = 'in-process-secret-value';

/** A source with one stream of `count` records, each quoting the secret (which must be masked). */
function countingSource(count: number, read: { records: number }): Source<unknown> {
  const stream: Stream = {
    name: 'numbers',
    primaryKey: [['n']],
    jsonSchema: { type: 'object' },
    async *read() {
      for (let n = 0; n < count; n++) {
        read.records += 1;
        yield { kind: 'record', data: { n, note: `token ${SECRET}` } };
      }
    },
  };
  return {
    spec: () => ({ connectionSpecification: {} }),
    parseConfig: (raw) => raw,
    secrets: () => [SECRET],
    check: async () => ({ succeeded: true, message: 'ok' }),
    streams: () => [stream],
  };
}

/** A read of the source's one stream in this process, with objects: no file, no argument list. */
function readInProcess(source: Source<unknown>): ConnectorRun {
  const configured = source.streams({}).map((stream) => ({ stream, syncMode: 'full_refresh' as const }));
  return new ConnectorRun((sink) => runRead(source, { config: {}, configured, states: new Map() }, { sink, checkpointIntervalMs: 0, secrets: [] }));
}

describe('sync: a connector run in this process', () => {
  it('hands every message over as an object, redacted, and exits 0', async () => {
    const run = readInProcess(countingSource(1000, { records: 0 }));
    const records = [];
    for await (const message of run.messages()) if (message.type === 'RECORD') records.push(message.record.data);
    expect(await run.exitCode).to.equal(0);
    expect(records).to.have.length(1000);
    expect(records[7]).to.deep.equal({ n: 7, note: 'token **********' });
  });

  it('waits for a slow consumer instead of reading ahead of it', async () => {
    const read = { records: 0 };
    const run = readInProcess(countingSource(100_000, read));
    const messages = run.messages();
    await messages.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read.records).to.be.lessThan(1000);
    await messages.return(undefined);
    await run.exitCode;
  });

  it('ends the run with a non-zero exit when the consumer stops early', async () => {
    const read = { records: 0 };
    const run = readInProcess(countingSource(100_000, read));
    for await (const message of run.messages()) if (message.type === 'RECORD') break;
    expect(await run.exitCode).to.equal(1);
    expect(read.records).to.be.lessThan(1000);
  });
});
