import { Writable } from 'node:stream';

import { expect } from 'chai';

import type { AirbyteMessage } from '../../../source-twilio-costs/protocol/messages';
import { JsonLinesSink, OutputClosedError } from '../../../source-twilio-costs/protocol/output';

const log = (message: string): AirbyteMessage => ({ type: 'LOG', log: { level: 'INFO', message } });

/** A stream that records each write it is handed, and holds its callbacks while `held` (a reader that stopped reading). */
class RecordingStream extends Writable {
  readonly writes: string[] = [];
  held = false;
  private waiting: Array<() => void> = [];

  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }

  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (chunk !== '') this.writes.push(chunk);
    if (this.held) this.waiting.push(() => callback());
    else callback();
  }

  release(): void {
    this.held = false;
    for (const callback of this.waiting.splice(0)) callback();
  }
}

describe('JSON lines sink: stdout in batches', () => {
  it('hands the lines written together to the stream in one write, as soon as the work in hand yields', async () => {
    const stream = new RecordingStream();
    const sink = new JsonLinesSink(stream);
    for (let index = 0; index < 100; index += 1) await sink.write(log(`line ${index}`));
    expect(stream.writes).to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.writes).to.have.length(1);
    expect(
      stream.writes[0]
        ?.split('\n')
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as { log: { message: string } }).log.message),
    ).to.deep.equal(Array.from({ length: 100 }, (_, index) => `line ${index}`));
  });

  it('writes a full batch at once and then waits while the reader is behind', async () => {
    const stream = new RecordingStream();
    stream.held = true;
    const sink = new JsonLinesSink(stream);
    const long = 'x'.repeat(1000);
    let written = 0;
    const writing = (async () => {
      for (; written < 100; written += 1) await sink.write(log(long));
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // About 64 KiB of lines went out in one write, and the next write waits for the stream to drain.
    expect(stream.writes).to.have.length(1);
    expect(written).to.be.within(60, 70);
    stream.release();
    await writing;
    await sink.flush();
    expect(stream.writes.join('').split('\n')).to.have.length(101);
  });

  it('flush hands on what is left, and a closed stream rejects the next write', async () => {
    const stream = new RecordingStream();
    const sink = new JsonLinesSink(stream);
    await sink.write(log('last'));
    await sink.flush();
    expect(stream.writes).to.deep.equal([`${JSON.stringify(log('last'))}\n`]);
    stream.destroy();
    let failure: unknown;
    await sink.write(log('after')).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(OutputClosedError);
  });
});
