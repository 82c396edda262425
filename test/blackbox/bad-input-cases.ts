/**
 * Bad input, as a table: what the connector is given, and what it must answer. The bad-input test
 * checks the answers and scans them for leaks, and the README's troubleshooting table has a row for
 * every case.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { FailureType } from '../../source-twilio-costs/protocol/messages';
import type { Dataset } from '../../tools/simulator/dataset';
import type { FaultRule } from '../../tools/simulator/faults';
import { startSimulator } from '../../tools/simulator/server';
import { type CliResult, runCli } from '../helpers/cli';
import { usageCatalog } from './read-checks';

/** Distinctive secrets for configs whose credentials never reach Twilio, or are wrong. */
export const BAD_INPUT_SECRETS = { apiKeySecret: 'Qx7-bad-input-key-secret-Zr49wPk', authToken: 'Tk3-bad-input-auth-token-Vb81nHs' } as const;

/**
 * A file given to the CLI: JSON content, raw text, a path that cannot be read, or one that never
 * ends (/dev/zero, or a FIFO a writer fills without end), whose stated size is 0.
 */
type InputFile = { json: unknown } | { text: string } | { unreadable: 'missing' | 'directory' } | { endless: 'device' | 'fifo' };

export interface CaseInput {
  config?: InputFile;
  catalog?: InputFile;
  state?: InputFile;
  /** The environment; `{simulator}` in a value is the simulator's URL. */
  env?: Record<string, string>;
  /** Extra arguments; replaces the usual --config/--catalog/--state ones when set. */
  args?: string[];
  /** How the simulator fails requests: the case gets one of its own, over the same data. */
  faults?: readonly FaultRule[];
}

export interface BadInputCase {
  /** What is wrong, as the README's troubleshooting table says it. */
  problem: string;
  /** check, discover, read, or something else entirely. */
  command: string;
  input(valid: ValidInput): CaseInput;
  /** The message that answers: its type, and what it must say. */
  answer: { type: 'CONNECTION_STATUS'; status: 'FAILED' | 'SUCCEEDED'; message: RegExp } | { type: 'TRACE'; failureType: FailureType; message: RegExp; stream?: string };
  /** A WARN log the run must also print. */
  warning?: RegExp;
  exitCode: number;
}

/** A valid API-key config for the simulator's dataset, and its parts. */
export interface ValidInput {
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  mainSid: string;
  dataset: Dataset;
}

export function validInput(dataset: Dataset): ValidInput {
  const key = dataset.apiKeys.find((candidate) => candidate.kind === 'standard');
  const credentials = { auth_type: 'api_key', api_key_sid: key?.sid, api_key_secret: key?.secret };
  return { config: { account_sid: dataset.mainAccountSid, credentials, start_date: '2026-10-01', end_date: '2026-10-02' }, credentials, mainSid: dataset.mainAccountSid, dataset };
}

const json = (value: unknown): InputFile => ({ json: value });
const withConfig = (valid: ValidInput, changes: Record<string, unknown>): CaseInput => ({ config: json({ ...valid.config, ...changes }) });
const withCredentials = (valid: ValidInput, credentials: Record<string, unknown>): CaseInput => withConfig(valid, { credentials });
const without = (object: Record<string, unknown>, field: string): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([key]) => key !== field));
const streamState = (name: string, state: unknown): unknown => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state } });
const failed = (message: RegExp): BadInputCase['answer'] => ({ type: 'CONNECTION_STATUS', status: 'FAILED', message });
const configError = (message: RegExp, stream?: string): BadInputCase['answer'] => ({ type: 'TRACE', failureType: 'config_error', message, ...(stream ? { stream } : {}) });

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  {
    problem: 'the config file is not JSON',
    command: 'check',
    // The secret sits right where the syntax error is: a parser message quoting the text would show it.
    input: (valid) => ({ config: { text: `{"account_sid": "${valid.mainSid}", "credentials": {"auth_type": "api_key", "api_key_secret": ${BAD_INPUT_SECRETS.apiKeySecret}}}` } }),
    answer: failed(/^The config file \S+ is not valid JSON \(a syntax error\)\.$/),
    exitCode: 0,
  },
  {
    problem: 'the config file is cut short',
    command: 'check',
    input: (valid) => ({ config: { text: JSON.stringify(valid.config).slice(0, 60) } }),
    answer: failed(/^The config file \S+ is not valid JSON \((?:it ends too early|a syntax error at line 1, column \d+)\)\.$/),
    exitCode: 0,
  },
  { problem: 'the config file does not exist', command: 'check', input: () => ({ config: { unreadable: 'missing' } }), answer: failed(/^Cannot read the config file \S+: ENOENT\.$/), exitCode: 0 },
  { problem: 'the config file cannot be read (a directory)', command: 'check', input: () => ({ config: { unreadable: 'directory' } }), answer: failed(/^Cannot read the config file \S+: EISDIR\.$/), exitCode: 0 },
  {
    problem: 'the config file is larger than 8 MiB',
    command: 'check',
    input: (valid) => ({ config: { text: JSON.stringify(valid.config) + ' '.repeat(8 * 1024 * 1024) } }),
    answer: failed(/^The config file \S+ holds more than 8 MiB; this source reads config files of at most that\.$/),
    exitCode: 0,
  },
  {
    problem: 'the config file is /dev/zero',
    command: 'check',
    input: () => ({ config: { endless: 'device' } }),
    answer: failed(/^The config file \/dev\/zero holds more than 8 MiB; this source reads config files of at most that\.$/),
    exitCode: 0,
  },
  {
    problem: 'the config file is a FIFO that never ends',
    command: 'check',
    input: () => ({ config: { endless: 'fifo' } }),
    answer: failed(/^The config file \S+ holds more than 8 MiB; this source reads config files of at most that\.$/),
    exitCode: 0,
  },
  {
    problem: 'the config nests arrays or objects 100,000 deep',
    command: 'check',
    input: (valid) => ({ config: { text: `{"account_sid": "${valid.mainSid}", "start_date": ${'['.repeat(100_000)}${']'.repeat(100_000)}}` } }),
    answer: failed(/^The config file \S+ nests arrays or objects more than 64 levels deep; no input of this source is nested that deep\.$/),
    exitCode: 0,
  },
  {
    problem: 'the config nests objects 100,000 deep (discover)',
    command: 'discover',
    input: () => ({ config: { text: `${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}` } }),
    answer: configError(/^The config file \S+ nests arrays or objects more than 64 levels deep; /),
    exitCode: 1,
  },
  { problem: 'the config is a JSON array, not an object', command: 'check', input: (valid) => ({ config: json([valid.config]) }), answer: failed(/^The config must be a JSON object\.$/), exitCode: 0 },
  { problem: 'account_sid is missing', command: 'check', input: (valid) => ({ config: json(without(valid.config, 'account_sid')) }), answer: failed(/^Invalid config: account_sid is required\.$/), exitCode: 0 },
  { problem: 'credentials is missing', command: 'check', input: (valid) => ({ config: json(without(valid.config, 'credentials')) }), answer: failed(/^Invalid config: credentials is required\.$/), exitCode: 0 },
  {
    problem: 'credentials.api_key_secret is missing',
    command: 'check',
    input: (valid) => withCredentials(valid, without(valid.credentials, 'api_key_secret')),
    answer: failed(/^Invalid config: credentials\.api_key_secret is required\.$/),
    exitCode: 0,
  },
  {
    problem: 'credentials.auth_token is missing',
    command: 'check',
    input: (valid) => withCredentials(valid, { auth_type: 'auth_token' }),
    answer: failed(/^Invalid config: credentials\.auth_token is required\.$/),
    exitCode: 0,
  },
  {
    problem: 'an unknown field (a misspelt start_date)',
    command: 'check',
    input: (valid) => ({ config: json({ ...without(valid.config, 'start_date'), start_dat: '2026-10-01' }) }),
    answer: { type: 'CONNECTION_STATUS', status: 'SUCCEEDED', message: /^Connected to Twilio with API key SK/ },
    warning: /^The config field "start_dat" is not a setting of this source and is ignored \(did you mean "start_date"\?\)\.$/,
    exitCode: 0,
  },
  { problem: 'account_sid is a number', command: 'check', input: (valid) => withConfig(valid, { account_sid: 42 }), answer: failed(/^Invalid config: account_sid must be string\.$/), exitCode: 0 },
  {
    problem: 'credentials is a string',
    command: 'check',
    input: (valid) => withConfig(valid, { credentials: BAD_INPUT_SECRETS.authToken }),
    answer: failed(/^Invalid config: credentials must be object\.$/),
    exitCode: 0,
  },
  { problem: 'max_concurrency is a string', command: 'check', input: (valid) => withConfig(valid, { max_concurrency: '4' }), answer: failed(/^Invalid config: max_concurrency must be integer\.$/), exitCode: 0 },
  {
    problem: 'lookback_days is not a number (discover)',
    command: 'discover',
    input: (valid) => withConfig(valid, { lookback_days: 'three' }),
    answer: configError(/^Invalid config: lookback_days must be integer\.$/),
    exitCode: 1,
  },
  {
    problem: 'account_sid is malformed',
    command: 'check',
    input: (valid) => withConfig(valid, { account_sid: 'AC123' }),
    answer: failed(/^Invalid config: account_sid is malformed: expected AC followed by 32 hex characters\.$/),
    exitCode: 0,
  },
  {
    problem: 'credentials.api_key_sid is malformed (an Account SID)',
    command: 'check',
    input: (valid) => withCredentials(valid, { ...valid.credentials, api_key_sid: valid.mainSid }),
    answer: failed(/^Invalid config: credentials\.api_key_sid is malformed: expected SK followed by 32 hex characters\.$/),
    exitCode: 0,
  },
  {
    problem: 'credentials.auth_type is unknown',
    command: 'check',
    input: (valid) => withCredentials(valid, { ...valid.credentials, auth_type: 'oauth' }),
    answer: failed(/^Invalid config: credentials\.auth_type must be one of "api_key", "auth_token", got "oauth"\.$/),
    exitCode: 0,
  },
  {
    problem: 'start_date is after end_date',
    command: 'check',
    input: (valid) => withConfig(valid, { start_date: '2026-10-02', end_date: '2026-09-01' }),
    answer: failed(/^Invalid config: start_date 2026-10-02 is after end_date 2026-09-01\.$/),
    exitCode: 0,
  },
  {
    problem: 'start_date is in the future',
    command: 'check',
    input: (valid) => withConfig(valid, { start_date: '2099-01-01', end_date: '2099-01-31' }),
    answer: failed(/^Invalid config: start_date 2099-01-01 is in the future \(today is \d{4}-\d{2}-\d{2} UTC\)\.$/),
    exitCode: 0,
  },
  {
    problem: 'start_date is before 2008',
    command: 'check',
    input: (valid) => withConfig(valid, { start_date: '2007-12-31' }),
    answer: failed(/^Invalid config: start_date 2007-12-31 is before 2008-01-01; Twilio has no usage that old\.$/),
    exitCode: 0,
  },
  {
    problem: 'start_date is not a real date',
    command: 'check',
    input: (valid) => withConfig(valid, { start_date: '2026-02-30' }),
    answer: failed(/^Invalid config: start_date must be a real date as YYYY-MM-DD\.$/),
    exitCode: 0,
  },
  { problem: 'lookback_days is negative', command: 'check', input: (valid) => withConfig(valid, { lookback_days: -1 }), answer: failed(/^Invalid config: lookback_days must be >= 0\.$/), exitCode: 0 },
  { problem: 'lookback_days is huge', command: 'check', input: (valid) => withConfig(valid, { lookback_days: 100_000 }), answer: failed(/^Invalid config: lookback_days must be <= 365\.$/), exitCode: 0 },
  { problem: 'max_concurrency is 0', command: 'check', input: (valid) => withConfig(valid, { max_concurrency: 0 }), answer: failed(/^Invalid config: max_concurrency must be >= 1\.$/), exitCode: 0 },
  {
    problem: 'subaccount_sids holds a malformed SID',
    command: 'check',
    input: (valid) => ({ config: json({ ...valid.config, credentials: { auth_type: 'auth_token', auth_token: BAD_INPUT_SECRETS.authToken }, subaccount_sids: ['AC1'] }) }),
    answer: failed(/^Invalid config: subaccount_sids\.0 is malformed: expected AC followed by 32 hex characters\.$/),
    exitCode: 0,
  },
  {
    problem: 'subaccount_sids with an API key',
    command: 'check',
    input: (valid) => withConfig(valid, { subaccount_sids: [valid.mainSid] }),
    answer: failed(/^Invalid config: subaccount_sids needs the auth_token credentials; an API key cannot read subaccounts\.$/),
    exitCode: 0,
  },
  {
    problem: 'TWILIO_API_BASE_URL is plain http to a host that is not loopback',
    command: 'check',
    input: (valid) => ({ config: json(valid.config), env: { TWILIO_API_BASE_URL: 'http://api.twilio.com' } }),
    answer: failed(/^TWILIO_API_BASE_URL uses plain http to api\.twilio\.com, which is not a loopback host; use https so credentials are not sent in clear text\.$/),
    exitCode: 0,
  },
  {
    problem: 'TWILIO_API_BASE_URL has a query',
    command: 'check',
    input: (valid) => ({ config: json(valid.config), env: { TWILIO_API_BASE_URL: 'https://proxy.example.com/twilio?region=ie1' } }),
    answer: failed(/^TWILIO_API_BASE_URL must not have a query or a fragment: only a scheme, a host and an optional path prefix\.$/),
    exitCode: 0,
  },
  {
    problem: 'TWILIO_API_BASE_URL holds credentials',
    command: 'check',
    input: (valid) => ({ config: json(valid.config), env: { TWILIO_API_BASE_URL: `https://user:${BAD_INPUT_SECRETS.apiKeySecret}@api.twilio.com` } }),
    answer: failed(/^TWILIO_API_BASE_URL must not contain credentials\.$/),
    exitCode: 0,
  },
  {
    problem: 'a wrong API key secret',
    command: 'check',
    input: (valid) => withCredentials(valid, { ...valid.credentials, api_key_secret: BAD_INPUT_SECRETS.apiKeySecret }),
    answer: failed(/^Twilio rejected the credentials \(HTTP 401, error 20003\) on \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records\.json\. Check the account SID/),
    exitCode: 0,
  },
  {
    problem: 'the credentials are far too long (a 1 MB Auth Token)',
    command: 'check',
    input: (valid) => withCredentials(valid, { auth_type: 'auth_token', auth_token: BAD_INPUT_SECRETS.authToken.repeat(32 * 1024) }),
    answer: failed(
      /^Twilio refused the request's headers as too large \(HTTP 431\) on \/2010-04-01\/Accounts\.json: the credentials are far longer than Twilio's, whose Auth Tokens and API key secrets are 32 characters\. Check credentials\.auth_token or credentials\.api_key_secret\.$/,
    ),
    exitCode: 0,
  },
  {
    problem: 'the credentials may not read the account (HTTP 403)',
    command: 'check',
    input: (valid) => ({ config: json(valid.config), faults: [{ fault: { kind: 'twilio-error', status: 403 } }] }),
    answer: failed(/^The credentials may not read \/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Usage\/Records\.json \(HTTP 403, error 20403\)\. A Standard API key reads only its own account/),
    exitCode: 0,
  },
  {
    problem: 'account_sid names no account the credentials can see (HTTP 404)',
    command: 'check',
    input: (valid) => withConfig(valid, { account_sid: `AC${'0'.repeat(31)}9` }),
    answer: failed(
      /^Twilio at 127\.0\.0\.1:\d+ answered HTTP 404, error 20404 for \/2010-04-01\/Accounts\/AC0{31}9\/Usage\/Records\.json: no such account there\. Check account_sid, and TWILIO_API_BASE_URL if it is set/,
    ),
    exitCode: 0,
  },
  {
    problem: 'TWILIO_API_BASE_URL has a path prefix that answers 404',
    command: 'check',
    input: (valid) => ({ config: json({ ...valid.config, credentials: { auth_type: 'auth_token', auth_token: valid.dataset.accounts[0]?.authToken } }), env: { TWILIO_API_BASE_URL: '{simulator}/not-twilio' } }),
    answer: failed(
      /^Twilio at 127\.0\.0\.1:\d+ answered HTTP 404, error 20404 for \/not-twilio\/2010-04-01\/Accounts\.json: no such account there\. Check account_sid, and TWILIO_API_BASE_URL if it is set \(its path prefix must lead to Twilio's API\)\.$/,
    ),
    exitCode: 0,
  },
  {
    problem: 'SOURCE_TWILIO_COSTS_FETCH_PLAN is neither dense nor sparse (discover)',
    command: 'discover',
    input: (valid) => ({ config: json(valid.config), env: { SOURCE_TWILIO_COSTS_FETCH_PLAN: 'Dense' } }),
    answer: configError(/^SOURCE_TWILIO_COSTS_FETCH_PLAN must be "dense" or "sparse", got "Dense"\.$/),
    exitCode: 1,
  },
  {
    problem: 'SOURCE_TWILIO_COSTS_WINDOW_ROWS is not a positive integer (read)',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog()), env: { SOURCE_TWILIO_COSTS_WINDOW_ROWS: '0' } }),
    answer: configError(/^SOURCE_TWILIO_COSTS_WINDOW_ROWS must be a positive integer \(the most needed rows a chunk of a usage window holds\), got "0"\.$/),
    exitCode: 1,
  },
  {
    problem: 'the catalog file is not JSON',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: { text: '{"streams": [' } }),
    answer: configError(/^The catalog file \S+ is not valid JSON \((?:it ends too early|a syntax error at line 1, column \d+)\)\.$/),
    exitCode: 1,
  },
  {
    problem: 'the catalog names a stream this source does not have',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_recordz'])) }),
    answer: configError(/^The catalog names the stream "usage_recordz", which this source does not have\. Streams: usage_records, usage_costs, /),
    exitCode: 1,
  },
  {
    problem: 'the catalog asks for a sync mode that does not exist',
    command: 'read',
    input: (valid) => {
      const catalog = usageCatalog(['usage_records']) as { streams: Array<Record<string, unknown>> };
      return { config: json(valid.config), catalog: json({ streams: catalog.streams.map((entry) => ({ ...entry, sync_mode: 'INVALID' })) }) };
    },
    answer: configError(/^The catalog asks for sync_mode "INVALID" on "usage_records"; use full_refresh or incremental\.$/),
    exitCode: 1,
  },
  {
    problem: 'the catalog lists a stream twice',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records', 'usage_costs', 'usage_records'])) }),
    answer: configError(/^The catalog lists the stream "usage_records" twice; list each stream once\.$/),
    exitCode: 1,
  },
  {
    problem: 'the catalog selects no streams',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog([])) }),
    answer: configError(/^The catalog selects no streams: a read would do nothing\./),
    exitCode: 1,
  },
  {
    problem: 'read without a catalog',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), args: ['read', '--config', '{config.json}'] }),
    answer: configError(/^read needs --catalog FILE\. usage: /),
    exitCode: 1,
  },
  {
    problem: 'the state file is not JSON',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: { text: '[{"type": "STREAM", ' } }),
    answer: configError(/^The state file is not valid JSON \((?:it ends too early|a syntax error at line 1, column \d+)\)\.$/),
    exitCode: 1,
  },
  {
    problem: 'the state file does not exist',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: { unreadable: 'missing' } }),
    answer: configError(/^Cannot read the state file \S+: ENOENT\.$/),
    exitCode: 1,
  },
  {
    problem: 'a legacy state (one object for all streams)',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: json({ usage_records: { accounts: { [valid.mainSid]: { start_date: '2026-10-01' } } } }) }),
    answer: configError(/^The state file holds a legacy state object; this source reads per-stream state: a JSON array of STREAM state messages\.$/),
    exitCode: 1,
  },
  {
    problem: 'a LEGACY or GLOBAL state message',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: json([{ type: 'LEGACY', data: { usage_records: {} } }]) }),
    answer: configError(/^State message 0 has type "LEGACY"; this source reads only STREAM state messages\.$/),
    exitCode: 1,
  },
  {
    problem: 'a state for a stream this source does not have',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: json([streamState('usage_recordz', { accounts: {} })]) }),
    answer: configError(/^The state names the stream "usage_recordz", which this source does not have\. Streams: usage_records, /),
    exitCode: 1,
  },
  {
    problem: 'two states for one stream',
    command: 'read',
    input: (valid) => ({
      config: json(valid.config),
      catalog: json(usageCatalog(['usage_records'])),
      state: json([streamState('usage_records', { accounts: {} }), streamState('usage_costs', { accounts: {} }), streamState('usage_records', null)]),
    }),
    answer: configError(/^The state holds two states for the stream "usage_records" \(messages 0 and 2\); send one per stream\.$/),
    exitCode: 1,
  },
  {
    problem: 'the state file is larger than 8 MiB',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: { text: `[${' '.repeat(8 * 1024 * 1024)}]` } }),
    answer: configError(/^The state file \S+ holds more than 8 MiB; this source reads state files of at most that\.$/),
    exitCode: 1,
  },
  {
    problem: 'a stream state that is not an object',
    command: 'read',
    input: (valid) => ({ config: json(valid.config), catalog: json(usageCatalog(['usage_records'])), state: json([streamState('usage_records', 'yesterday')]) }),
    answer: configError(/^The state of stream "usage_records" is not a JSON object\.$/),
    exitCode: 1,
  },
  {
    problem: 'a cursor that is not a date',
    command: 'read',
    input: (valid) => ({
      config: json(valid.config),
      catalog: json(usageCatalog(['usage_records'])),
      state: json([streamState('usage_records', { accounts: { [valid.mainSid]: { start_date: 'last tuesday' } } })]),
    }),
    answer: configError(
      /^Stream usage_records failed: The state of stream usage_records is not one this source wrote: the cursor of "AC[0-9a-f]{32}" is not \{"start_date": "YYYY-MM-DD"\}\. Reset the stream or send its last state\.$/,
      'usage_records',
    ),
    exitCode: 1,
  },
  { problem: 'an unknown command', command: 'fetch', input: () => ({ args: ['fetch'] }), answer: configError(/^Unknown command "fetch"\. usage: /), exitCode: 1 },
];

const FILE_FLAGS = [
  ['config', '--config'],
  ['catalog', '--catalog'],
  ['state', '--state'],
] as const;

/** Runs one case against the simulator at `baseUrl` (for the cases whose check reaches Twilio). */
export async function runBadInputCase(badCase: BadInputCase, valid: ValidInput, baseUrl: string): Promise<CliResult> {
  const input = badCase.input(valid);
  const files: Record<string, unknown> = {};
  const unreadableDirectories: string[] = [];
  const writers: Array<ReturnType<typeof spawn>> = [];
  const args: string[] = input.args ?? [badCase.command];
  for (const [name, flag] of FILE_FLAGS) {
    const file = input[name];
    if (file === undefined) continue;
    if ('endless' in file && file.endless === 'device') {
      args.push(flag, '/dev/zero');
      continue;
    }
    if ('endless' in file) {
      const directory = mkdtempSync(path.join(tmpdir(), 'twilio-costs-fifo-'));
      unreadableDirectories.push(directory);
      const fifo = path.join(directory, `${name}.json`);
      spawnSync('mkfifo', [fifo]);
      // The writer blocks until the CLI opens the FIFO, then writes until it is closed (SIGPIPE).
      writers.push(spawn('sh', ['-c', `yes '{"a": 1}' > "${fifo}"`], { stdio: 'ignore' }));
      args.push(flag, fifo);
      continue;
    }
    if ('unreadable' in file) {
      // A directory where a file should be cannot be read, even by root.
      const directory = mkdtempSync(path.join(tmpdir(), 'twilio-costs-unreadable-'));
      unreadableDirectories.push(directory);
      if (!input.args) args.push(flag, file.unreadable === 'directory' ? directory : path.join(directory, `${name}.json`));
      continue;
    }
    files[`${name}.json`] = 'json' in file ? file.json : file.text;
    if (!input.args) args.push(flag, `{${name}.json}`);
  }
  const faulty = input.faults ? await startSimulator({ dataset: valid.dataset, faults: { seed: 1, rules: input.faults } }) : undefined;
  const simulatorUrl = faulty?.baseUrl ?? baseUrl;
  const env = Object.fromEntries(Object.entries(input.env ?? {}).map(([name, value]) => [name, value.replace('{simulator}', simulatorUrl)]));
  try {
    return await runCli(args, { env: { TWILIO_API_BASE_URL: simulatorUrl, ...env }, files });
  } finally {
    await faulty?.close();
    for (const writer of writers) writer.kill();
    for (const directory of unreadableDirectories) rmSync(directory, { recursive: true, force: true });
  }
}
