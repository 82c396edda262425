import { PassThrough } from 'node:stream';

import { expect } from 'chai';

import { redactionFormat } from '../../../source-twilio-costs/protocol/log-pipeline';
import { Logger } from '../../../source-twilio-costs/protocol/logger';
import type { AirbyteMessage } from '../../../source-twilio-costs/protocol/messages';
import { JsonLinesSink, MessageOutput, type MessageSink, OutputClosedError, SecretRedactor } from '../../../source-twilio-costs/protocol/output';
import { parseMessages } from '../../helpers/protocol';

/** Keeps what it is given; a write resolves only when released, like a pipe nobody reads. */
class HeldSink implements MessageSink {
  readonly written: AirbyteMessage[] = [];
  private release: Array<() => void> = [];
  async write(message: AirbyteMessage): Promise<void> {
    this.written.push(message);
    await new Promise<void>((resolve) => this.release.push(resolve));
  }
  async flush(): Promise<void> {}
  releaseAll(): void {
    for (const resolve of this.release.splice(0)) resolve();
  }
}

describe('logger: winston to Airbyte LOG messages', () => {
  it('maps levels, masks registered secrets and prints debug only when asked', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const output = new MessageOutput(new JsonLinesSink(stream));
    output.addSecrets(['sk-live-secret-1234']);
    for (const debugEnabled of [false, true]) {
      const logger = new Logger(output, debugEnabled);
      logger.debug('details');
      logger.info('reading');
      logger.warn('the key sk-live-secret-1234 was echoed');
      logger.error('failed');
      await logger.drain();
    }
    await output.flush();
    const logs = parseMessages(text).map((message) => `${message.log.level} ${message.log.message}`);
    expect(logs).to.deep.equal(['INFO reading', 'WARN the key ********** was echoed', 'ERROR failed', 'DEBUG details', 'INFO reading', 'WARN the key ********** was echoed', 'ERROR failed']);
  });

  it('masks secrets in the entry itself, before any transport', () => {
    const redactor = new SecretRedactor();
    redactor.add(['hunter2-token', 'abc']);
    const entry = redactionFormat(redactor).transform({ level: 'info', message: 'sent hunter2-token to abc' });
    expect(entry && typeof entry === 'object' ? entry.message : entry).to.equal('sent ********** to abc');
  });

  it('drains only once the output has taken every entry', async () => {
    const sink = new HeldSink();
    const logger = new Logger(new MessageOutput(sink));
    logger.info('one');
    logger.info('two');
    let drained = false;
    const draining = logger.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).to.equal(false);
    while (!drained) {
      sink.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await draining;
    expect(sink.written.map((message) => (message.type === 'LOG' ? message.log.message : ''))).to.deep.equal(['one', 'two']);
  });

  it('drops entries quietly once the output is closed (EPIPE)', async () => {
    const closed: MessageSink = { write: () => Promise.reject(new OutputClosedError('EPIPE')), flush: async () => undefined };
    const logger = new Logger(new MessageOutput(closed));
    logger.warn('nobody reads this');
    await logger.drain();
  });
});
