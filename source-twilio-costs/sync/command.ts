/**
 * `source-twilio-costs sync`: the connector's own discover and read, landed in a local DuckDB file,
 * for teams without an ELT platform. It consumes the protocol messages exactly as a platform
 * would, so there is no second way of fetching from Twilio: records are staged per stream, and at
 * every STATE they are upserted together with that state in one transaction. The next run reads
 * incrementally from the states in the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseCommandOptions } from '../command-options';
import { nonNegativeNumberFromEnv } from '../config';
import type { AirbyteMessage, AirbyteStream, JsonObject } from '../protocol/messages';
import { TwilioCostsSource, type SourceEnvironment } from '../source';
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
  stream: AirbyteStream;
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

function traceErrorMessage(message: AirbyteMessage): string | undefined {
  return message.type === 'TRACE' && message.trace.type === 'ERROR' ? message.trace.error.message : undefined;
}

function landingTable(stream: AirbyteStream): LandingTable {
  const primaryKey = (stream.source_defined_primary_key ?? []).map((fieldPath) => {
    if (fieldPath.length !== 1 || fieldPath[0] === undefined) throw new SyncError(`Stream ${stream.name} has a nested primary key, which sync cannot land.`);
    return fieldPath[0];
  });
  return { name: stream.name, columns: columnsOf(stream.json_schema), primaryKey };
}

function selectStreams(catalog: AirbyteStream[], names: string[] | undefined): SelectedStream[] {
  const byName = new Map(catalog.map((stream) => [stream.name, stream]));
  const unknown = (names ?? []).filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new SyncError(`Unknown stream${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Streams: ${[...byName.keys()].join(', ')}.`);
  const chosen = names ? [...new Set(names)].map((name) => byName.get(name) as AirbyteStream) : catalog;
  return chosen.map((stream) => ({ stream, incremental: stream.supported_sync_modes.includes('incremental'), table: landingTable(stream) }));
}

function configuredCatalog(selected: readonly SelectedStream[]): JsonObject {
  return {
    streams: selected.map(({ stream, incremental }) => ({
      stream,
      sync_mode: incremental ? 'incremental' : 'full_refresh',
      destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
      ...(incremental && stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
      ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
    })),
  };
}

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));

/** The directory for the read's catalog and state files, under TMPDIR. */
function createWorkDir(): string {
  try {
    return mkdtempSync(path.join(tmpdir(), 'twilio-costs-sync-'));
  } catch (error) {
    throw new SyncError(`Cannot create a work directory under ${tmpdir()} (${errorCode(error)}). Point TMPDIR to a writable directory.`);
  }
}

/** Writes one of the read's input files into the work directory and returns its path. */
function writeWorkFile(workDir: string, name: string, content: unknown): string {
  const file = path.join(workDir, name);
  try {
    writeFileSync(file, JSON.stringify(content));
  } catch (error) {
    throw new SyncError(`Cannot write ${file} (${errorCode(error)}). Point TMPDIR to a writable directory with free space.`);
  }
  return file;
}

/** A failure as one line: a SyncError says what to do; anything else is at least named, never a stack trace. */
function failureLine(error: unknown): string {
  if (error instanceof SyncError) return `sync: ${error.message}`;
  return `sync failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Runs one sync and returns the process exit code. On SIGINT or SIGTERM it closes the database
 * once the commit in progress has ended, removes its work directory and exits 130 or 143; what
 * landed before stays, and the next sync resumes from it.
 */
export async function runSync(options: SyncOptions): Promise<number> {
  const startedAt = Date.now();
  let workDir: string | undefined;
  let landing: DuckDbLanding | undefined;
  let stopped = false;
  /** Closes the database and removes the work directory; a failure of either is reported as a line. */
  const release = async (): Promise<void> => {
    try {
      await landing?.close();
    } catch (error) {
      options.stderr.write(`${failureLine(error)}\n`);
    } finally {
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    }
  };
  const removeSignalHandlers = onStopSignal(async (signal) => {
    stopped = true;
    await release();
    options.stderr.write(`sync: stopped by ${signal}; what landed before stays, and the next sync resumes from it.\n`);
  });
  try {
    const args = parseSyncArguments(options.argv);
    workDir = createWorkDir();
    const traffic = { requests: 0, retries: 0 };
    const source = new TwilioCostsSource(options.env, undefined, { onRequest: () => (traffic.requests += 1), onRetry: () => (traffic.retries += 1) });
    const interval = checkpointIntervalMs(options.env);
    const catalog = await discover(source, args.configPath, interval);
    const selected = selectStreams(catalog, args.streams);
    landing = await DuckDbLanding.open(args.databasePath);
    for (const { table } of selected) await landing.prepare(table);
    const saved = await landing.savedStates(selected.filter(({ incremental }) => incremental).map(({ stream }) => stream.name));
    const states = [...saved].map(([name, state]) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state } }));
    const catalogPath = writeWorkFile(workDir, 'catalog.json', configuredCatalog(selected));
    const statePath = writeWorkFile(workDir, 'state.json', states);
    const run = new ConnectorRun(source, ['read', '--config', args.configPath, '--catalog', catalogPath, '--state', statePath], interval);
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

async function discover(source: TwilioCostsSource, configPath: string, interval: number): Promise<AirbyteStream[]> {
  const run = new ConnectorRun(source, ['discover', '--config', configPath], interval);
  let streams: AirbyteStream[] | undefined;
  let failure: string | undefined;
  for await (const message of run.messages()) {
    if (message.type === 'CATALOG') streams = message.catalog.streams;
    failure ??= traceErrorMessage(message);
  }
  await run.exitCode;
  if (!streams) throw new SyncError(failure ?? 'discover printed no catalog.');
  return streams;
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
