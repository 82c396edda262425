import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { expect } from 'chai';

import { ConfigError, TransientError } from '../../../source-twilio-costs/protocol/errors';
import { JsonLinesSink } from '../../../source-twilio-costs/protocol/output';
import { runCommand, type Source } from '../../../source-twilio-costs/protocol/runner';
import { TwilioCostsSource } from '../../../source-twilio-costs/source';
import { type Message, parseMessages, traceErrors } from '../../helpers/protocol';

async function runCheck(source: Source<unknown>, configPath: string): Promise<{ exitCode: number; messages: Message[] }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exitCode = await runCommand(source, { argv: ['check', '--config', configPath], sink: new JsonLinesSink(stdout), checkpointIntervalMs: 0 });
  return { exitCode, messages: parseMessages(text) };
}

function sourceWhoseCheckThrows(error: unknown): Source<unknown> {
  return {
    spec: () => ({ connectionSpecification: {} }),
    parseConfig: (raw) => raw,
    secrets: () => [],
    check: async () => {
      throw error;
    },
    streams: () => [],
  };
}

describe('runner: what check answers for each kind of failure', () => {
  let dir: string;
  let configPath: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'runner-check-'));
    configPath = path.join(dir, 'config.json');
    writeFileSync(configPath, '{}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a config or transient problem as CONNECTION_STATUS FAILED, exit 0', async () => {
    for (const error of [new ConfigError('bad key'), new TransientError('Twilio kept failing')]) {
      const { exitCode, messages } = await runCheck(sourceWhoseCheckThrows(error), configPath);
      expect(exitCode).to.equal(0);
      expect(messages.map((message) => message.connectionStatus)).to.deep.equal([{ status: 'FAILED', message: error.message }]);
    }
  });

  it('reports a bug as a system_error TRACE and a non-zero exit, not as a failed connection', async () => {
    const { exitCode, messages } = await runCheck(sourceWhoseCheckThrows(new TypeError("Cannot read properties of undefined (reading 'sid')")), configPath);
    expect(exitCode).to.equal(1);
    expect(messages.filter((message) => message.type === 'CONNECTION_STATUS')).to.deep.equal([]);
    const errors = traceErrors(messages);
    expect(errors).to.have.length(1);
    expect(errors[0]?.trace.error.failure_type).to.equal('system_error');
    expect(errors[0]?.trace.error.stack_trace).to.match(/TypeError/);
  });

  it("does so for the Twilio source's own check too (a bug injected into its request path)", async () => {
    writeFileSync(configPath, JSON.stringify({ account_sid: `AC${'0'.repeat(32)}`, credentials: { auth_type: 'api_key', api_key_sid: `SK${'0'.repeat(32)}`, api_key_secret: 'unused-secret' } }));
    const failing = new TwilioCostsSource({ TWILIO_API_BASE_URL: 'http://127.0.0.1:9' }, undefined, {
      onRequest: () => {
        throw new TypeError('a bug in the request path');
      },
    });
    const { exitCode, messages } = await runCheck(failing, configPath);
    expect(exitCode).to.equal(1);
    expect(messages.filter((message) => message.type === 'CONNECTION_STATUS')).to.deep.equal([]);
    expect(traceErrors(messages).map((message) => message.trace.error.failure_type)).to.deep.equal(['system_error']);
  });
});
