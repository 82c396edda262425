/**
 * `source-twilio-costs sync`: the connector's own discover and read, run in this process with
 * objects and landed in a local DuckDB file, for teams without an ELT platform. It consumes the
 * protocol messages exactly as a platform would, so there is no second way of fetching from
 * Twilio: records are staged per stream, and at every STATE they are upserted together with that
 * state in one transaction. The next run reads incrementally from the states in the file.
 */
import path from 'node:path';

import { parseCommandOptions } from '../command-options';
import { nonNegativeNumberFromEnv, type ResolvedConfig } from '../config';
import type { ConfiguredStream } from '../protocol/catalog';
import { ConnectorError } from '../protocol/errors';
import type { AirbyteStream } from '../protocol/messages';
import { SecretRedactor } from '../protocol/output';
import { readConfigFile, runRead } from '../protocol/runner';
import { secretsOfRawConfig } from '../protocol/spec-secrets';
import { describeStream, type Stream } from '../protocol/stream';
import { type SourceEnvironment, TwilioCostsSource } from '../source';
import { columnsOf, rowTexts } from './columns';
import { ConnectorRun } from './connector-run';
import { DEFAULT_DATABASE_PATH, DuckDbLanding, type LandingTable, type RowTexts } from './duckdb-landing';
import { SyncError } from './errors';
import { SyncProgress } from './progress';
import { onStopSignal } from './stop-signals';
import { SyncSummary } from './summary';

/**
 * Seconds between states, so between commits. Shorter than the connector's default: a commit is
 * cheap here, and a sync killed midway then loses at most this much work.
 */
const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 5;

const USAGE = 'usage: source-twilio-costs sync --config FILE [--duckdb PATH] [--streams a,b]';

export interface SyncEnvironment extends SourceEnvironment {
  SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS?: string;
}

export interface SyncOptions {
  /** The arguments after `sync`. */
  argv: string[];
  env: SyncEnvironment;
  /** Errors and warnings always; progress only when it is a terminal. */
  stderr: NodeJS.WriteStream;
}

interface SyncArguments {
  configPath: string;
  databasePath: string;
  /** undefined = every stream */
  streams: string[] | undefined;
}

/** A stream the sync lands, with how it is read. */
interface SelectedStream {
  stream: Stream;
  incremental: boolean;
  table: LandingTable;
}

function parseSyncArguments(argv: string[]): SyncArguments {
  const values = parseCommandOptions(argv, { config: { type: 'string' }, duckdb: { type: 'string' }, streams: { type: 'string' } }, USAGE, (message) => new SyncError(message));
  if (!values.config) throw new SyncError(`sync needs --config FILE. ${USAGE}`);
  const streams = values.streams
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (streams !== undefined && streams.length === 0) throw new SyncError(`--streams names no stream: give stream names separated by commas, or leave it out to sync every stream. ${USAGE}`);
  return { configPath: values.config, databasePath: values.duckdb ?? DEFAULT_DATABASE_PATH, streams };
}

function checkpointIntervalMs(env: SyncEnvironment): number {
  return nonNegativeNumberFromEnv(env.SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS, DEFAULT_CHECKPOINT_INTERVAL_SECONDS) * 1000;
}

function landingTable(stream: AirbyteStream): LandingTable {
  const primaryKey = (stream.source_defined_primary_key ?? []).map((fieldPath) => {
    if (fieldPath.length !== 1 || fieldPath[0] === undefined) throw new SyncError(`Stream ${stream.name} has a nested primary key, which sync cannot land.`);
    return fieldPath[0];
  });
  return { name: stream.name, columns: columnsOf(stream.json_schema), primaryKey };
}

/** The discovered streams to land (every one without `names`), each with its table. */
function selectStreams(streams: readonly Stream[], names: string[] | undefined): SelectedStream[] {
  const byName = new Map(streams.map((stream) => [stream.name, stream]));
  const unknown = (names ?? []).filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new SyncError(`Unknown stream${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Streams: ${[...byName.keys()].join(', ')}.`);
  const chosen = names ? [...new Set(names)].map((name) => byName.get(name) as Stream) : streams;
  return chosen.map((stream) => {
    const described = describeStream(stream);
    return { stream, incremental: described.supported_sync_modes.includes('incremental'), table: landingTable(described) };
  });
}

/** How the read reads each selected stream: incrementally where it can, from the state in the file. */
function configuredStreams(selected: readonly SelectedStream[]): ConfiguredStream[] {
  return selected.map(({ stream, incremental }) => ({ stream, syncMode: incremental ? 'incremental' : 'full_refresh' }));
}

/**
 * The config file, read and validated once as the connector reads it (the same checks and
 * messages); its warnings go to stderr. Returns it with the secrets its raw text held, masked in
 * every line sync prints and in every message of the read.
 */
function loadConfig(source: TwilioCostsSource, configPath: string, stderr: NodeJS.WritableStream): { config: ResolvedConfig; secrets: string[] } {
  const redactor = new SecretRedactor();
  try {
    const raw = readConfigFile(configPath);
    const secrets = secretsOfRawConfig(source.spec(), raw);
    redactor.add(secrets);
    for (const warning of source.configWarnings(raw)) stderr.write(`WARN: ${redactor.redactText(warning)}\n`);
    return { config: source.parseConfig(raw), secrets };
  } catch (error) {
    if (error instanceof ConnectorError) throw new SyncError(redactor.redactText(error.message));
    throw error;
  }
}

/** A failure as one line: a sync or connector error says what to do; anything else is at least named, never a stack trace. */
function failureLine(error: unknown): string {
  if (error instanceof SyncError || error instanceof ConnectorError) return `sync: ${error.message}`;
  return `sync failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Runs one sync and returns the process exit code. On SIGINT or SIGTERM it closes the database
 * once the commit in progress has ended and exits 130 or 143; what landed before stays, and the
 * next sync resumes from it.
 */
export async function runSync(options: SyncOptions): Promise<number> {
  const startedAt = Date.now();
  let landing: DuckDbLanding | undefined;
  let stopped = false;
  /** Closes the database; a failure to close is reported as a line. */
  const release = async (): Promise<void> => {
    try {
      await landing?.close();
    } catch (error) {
      options.stderr.write(`${failureLine(error)}\n`);
    }
  };
  const removeSignalHandlers = onStopSignal(async (signal) => {
    stopped = true;
    await release();
    options.stderr.write(`sync: stopped by ${signal}; what landed before stays, and the next sync resumes from it.\n`);
  });
  try {
    const args = parseSyncArguments(options.argv);
    const traffic = { requests: 0, retries: 0 };
    const source = new TwilioCostsSource(options.env, undefined, { onRequest: () => (traffic.requests += 1), onRetry: () => (traffic.retries += 1) });
    const { config, secrets } = loadConfig(source, args.configPath, options.stderr);
    // Discover: the source's streams, as objects.
    const selected = selectStreams(source.streams(config), args.streams);
    landing = await DuckDbLanding.open(args.databasePath);
    for (const { table } of selected) await landing.prepare(table);
    const states = await landing.savedStates(selected.filter(({ incremental }) => incremental).map(({ stream }) => stream.name));
    const request = { config, configured: configuredStreams(selected), states };
    const run = new ConnectorRun((sink) => runRead(source, request, { sink, checkpointIntervalMs: checkpointIntervalMs(options.env), secrets }));
    const progress = new SyncProgress(options.stderr.isTTY ? options.stderr : undefined, selected.length, traffic);
    const summary = new SyncSummary(selected.length);
    const landed = await land(run, selected, landing, progress, summary, options.stderr);
    const exitCode = await run.exitCode;
    options.stderr.write(`${summary.line(path.resolve(args.databasePath), Date.now() - startedAt)}\n`);
    return exitCode === 0 && landed ? 0 : 1;
  } catch (error) {
    // Once a signal has stopped the sync, the landing it closed fails whatever was under way: the
    // signal's own message and exit code say what happened.
    if (!stopped) options.stderr.write(`${failureLine(error)}\n`);
    return 1;
  } finally {
    if (!stopped) {
      removeSignalHandlers();
      await release();
    }
  }
}

/**
 * Lands a read's messages: records wait per stream until the STATE that covers them, then land
 * with it. A full-refresh stream has no cursor to resume from, so it replaces its table only once
 * it is complete. Returns false when a stream failed (what it read before its last state stays).
 */
async function land(run: ConnectorRun, selected: readonly SelectedStream[], landing: DuckDbLanding, progress: SyncProgress, summary: SyncSummary, stderr: NodeJS.WritableStream): Promise<boolean> {
  const byName = new Map(selected.map((entry) => [entry.stream.name, entry]));
  const pending = new Map<string, RowTexts[]>(selected.map((entry) => [entry.stream.name, []]));
  const report = (text: string): void => {
    progress.clearLine();
    stderr.write(`${text}\n`);
  };
  let succeeded = true;
  for await (const message of run.messages()) {
    if (message.type === 'RECORD') {
      const entry = byName.get(message.record.stream);
      if (!entry) continue;
      pending.get(entry.stream.name)?.push(rowTexts(message.record.data, message.record.emitted_at, entry.table));
      progress.record(entry.stream.name);
      summary.record(entry.stream.name, message.record.data);
    } else if (message.type === 'STATE') {
      const name = message.state.stream.stream_descriptor.name;
      const entry = byName.get(name);
      if (!entry?.incremental) continue;
      await landing.commit(entry.table, pending.get(name) ?? [], { state: message.state.stream.stream_state });
      pending.set(name, []);
      progress.checkpoint(name, message.state.stream.stream_state);
    } else if (message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS') {
      const name = message.trace.stream_status.stream_descriptor.name;
      const entry = byName.get(name);
      const status = message.trace.stream_status.status;
      if (!entry || (status !== 'COMPLETE' && status !== 'INCOMPLETE')) continue;
      if (status === 'COMPLETE' && !entry.incremental) await landing.commit(entry.table, pending.get(name) ?? [], { replaceAll: true });
      pending.set(name, []);
      const outcome = status === 'COMPLETE' ? 'landed' : 'failed';
      progress.streamFinished(name, outcome);
      summary.streamFinished(name, outcome);
    } else if (message.type === 'TRACE' && message.trace.type === 'ERROR') {
      succeeded = false;
      report(`sync: ${message.trace.error.message}`);
    } else if (message.type === 'LOG' && (message.log.level === 'WARN' || message.log.level === 'ERROR' || message.log.level === 'FATAL')) {
      report(`${message.log.level}: ${message.log.message}`);
    }
  }
  progress.clearLine();
  return succeeded;
}
