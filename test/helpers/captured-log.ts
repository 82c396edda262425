import { PassThrough } from 'node:stream';

import { Logger } from '../../source-twilio-costs/protocol/logger';
import { JsonLinesSink, MessageOutput } from '../../source-twilio-costs/protocol/output';
import { parseMessages } from './protocol';

/** A real Logger whose LOG messages a unit test can read back, each as "LEVEL message". */
export interface CapturedLog {
  logger: Logger;
  /** Every line logged so far, once the logger and the output have written them. */
  lines(): Promise<string[]>;
}

export function capturedLog(debugEnabled = false): CapturedLog {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = new MessageOutput(new JsonLinesSink(stream));
  const logger = new Logger(output, debugEnabled);
  return {
    logger,
    async lines() {
      await logger.drain();
      await output.flush();
      return parseMessages(text).flatMap((message) => (message.type === 'LOG' && message.log ? [`${message.log.level} ${message.log.message}`] : []));
    },
  };
}
