import { PassThrough } from 'node:stream';
import type { AirbyteMessage } from '../protocol/messages';
import { runCommand, type Source } from '../protocol/runner';

/**
 * One connector command (discover, read) run in this process, with its stdout as a stream of
 * protocol messages: `sync` consumes exactly what an Airbyte platform would, so it cannot drift
 * from the connector. Reading is paced by the consumer: while it is busy writing to DuckDB, the
 * connector's writes wait (the same backpressure a slow destination gives).
 */
export class ConnectorRun {
  private readonly channel = new PassThrough();
  /** The command's exit code, once it has finished. */
  readonly exitCode: Promise<number>;

  constructor(source: Source<unknown>, argv: string[], checkpointIntervalMs: number) {
    this.exitCode = runCommand(source, { argv, stdout: this.channel, checkpointIntervalMs }).finally(() => this.channel.end());
  }

  async *messages(): AsyncGenerator<AirbyteMessage> {
    let partial = '';
    // An early stop by the consumer leaves the channel paused rather than destroyed: the
    // connector then waits on its next write instead of failing on a destroyed stream.
    for await (const chunk of this.channel.setEncoding('utf8').iterator({ destroyOnReturn: false })) {
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') yield JSON.parse(line) as AirbyteMessage;
    }
    if (partial !== '') yield JSON.parse(partial) as AirbyteMessage;
  }
}
