import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { SAMPLE_MAIN_ACCOUNT_SID, SAMPLE_MAIN_AUTH_TOKEN, sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { type CliResult, runCli } from '../helpers/cli';
import { ofType } from '../helpers/protocol';

const HOOK = path.resolve(__dirname, '../helpers/loaded-modules.cjs');
const config = {
  account_sid: SAMPLE_MAIN_ACCOUNT_SID,
  credentials: { auth_type: 'auth_token', auth_token: SAMPLE_MAIN_AUTH_TOKEN },
  start_date: '2026-09-30',
  end_date: '2026-10-01',
};

/** What starting a command costs is mostly the modules it loads: these are the heavy ones, by package or layer. */
const HEAVY = {
  winston: /node_modules\/(winston|winston-transport|logform|readable-stream)\//,
  'ajv compiler': /node_modules\/ajv\/dist\/(ajv|core|compile)/,
  duckdb: /node_modules\/@duckdb\//,
  'the sync landing': /dist\/sync\//,
  'the report': /dist\/report\//,
};

/** What check, discover and read use and `spec` does not: the connector's own layers past the protocol and the config's shape. */
const READING = {
  'the config validators': /dist\/generated\/config-validators\.js$/,
  'the Twilio client': /dist\/twilio\/(client|http-get)\.js$/,
  'the streams': /dist\/streams\//,
  'the usage engine': /dist\/usage\//,
  'the solver': /dist\/costs\//,
};

/** Runs the CLI and returns, besides its result, which of the HEAVY modules it loaded, and which of the READING ones. */
async function runWatched(args: string[], env: Record<string, string> = {}, files: Record<string, unknown> = {}): Promise<{ result: CliResult; loaded: string[]; reading: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-start-'));
  const list = path.join(dir, 'modules.txt');
  try {
    const result = await runCli(args, { env: { ...env, NODE_OPTIONS: `--require ${HOOK}`, LOADED_MODULES_FILE: list }, files });
    const modules = readFileSync(list, 'utf8').split('\n');
    const loadedOf = (patterns: Record<string, RegExp>): string[] =>
      Object.entries(patterns)
        .filter(([, pattern]) => modules.some((file) => pattern.test(file)))
        .map(([name]) => name);
    return { result, loaded: loadedOf(HEAVY), reading: loadedOf(READING) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('black box: spec, check and discover load only what they use', function () {
  this.timeout(60_000);
  let simulator: RunningSimulator;
  let env: Record<string, string>;
  before(async () => {
    simulator = await startSimulator({ dataset: sampleDataset() });
    env = { TWILIO_API_BASE_URL: simulator.baseUrl };
  });
  after(() => simulator.close());

  it('spec loads neither the logger nor a schema compiler, nor any part of reading', async () => {
    const { result, loaded, reading } = await runWatched(['spec']);
    expect(result.exitCode).to.equal(0);
    expect(ofType(result.messages, 'SPEC')).to.have.length(1);
    expect(loaded).to.deep.equal([]);
    expect(reading).to.deep.equal([]);
  });

  it('check and discover validate the config with the validators compiled at build time', async () => {
    for (const command of ['check', 'discover']) {
      const { result, loaded, reading } = await runWatched([command, '--config', '{c.json}'], env, { 'c.json': config });
      expect(result.exitCode, command).to.equal(0);
      expect(ofType(result.messages, command === 'check' ? 'CONNECTION_STATUS' : 'CATALOG'), command).to.have.length(1);
      expect(loaded, command).to.deep.equal([]);
      // The patterns still name files that exist: what spec leaves out, these load.
      expect(reading, command).to.deep.equal(Object.keys(READING));
    }
  });

  it('a config error is still named, by the same validators', async () => {
    const { result, loaded } = await runWatched(['check', '--config', '{c.json}'], env, { 'c.json': { ...config, max_concurrency: 'four' } });
    expect(ofType(result.messages, 'CONNECTION_STATUS')[0]?.connectionStatus.message).to.equal('Invalid config: max_concurrency must be integer.');
    expect(loaded).to.deep.equal([]);
  });

  it('winston is loaded once there is something to log (a warning)', async () => {
    const { result, loaded } = await runWatched(['check', '--config', '{c.json}'], env, { 'c.json': { ...config, start_dat: '2026-09-30' } });
    expect(ofType(result.messages, 'LOG').map((message) => message.log.level)).to.deep.equal(['WARN']);
    expect(loaded).to.deep.equal(['winston']);
  });
});
