import { closeSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { type ConfiguredStream, resolveCatalog } from './catalog';
import { asConnectorError, ConfigError, type ConnectorError } from './errors';
import { parseJsonInput } from './json';
import { Logger } from './logger';
import { type ConnectorSpecification, errorTraceMessage, type JsonObject } from './messages';
import { MessageOutput, type MessageSink, OutputClosedError } from './output';
import { inDependencyOrder, readStreams } from './read-loop';
import { secretsOfRawConfig } from './spec-secrets';
import { parseInputState } from './state';
import { describeStream, type Stream } from './stream';

/** A source, as the runner sees it: Airbyte's four commands over a validated config. */
export interface Source<Config> {
  spec(): ConnectorSpecification;
  /** Validates and completes the raw config; throws ConfigError naming the field. */
  parseConfig(raw: unknown): Config;
  /** Values that must never be printed. */
  secrets(config: Config): string[];
  /** Things in the raw config worth a warning that do not stop the run (an unknown field, say). */
  configWarnings?(raw: unknown): string[];
  /**
   * Tries the connection. A ConnectorError with a config or transient failure type is a failed
   * connection; anything else (a bug) is a system error.
   */
  check(config: Config, logger: Logger): Promise<{ succeeded: boolean; message: string }>;
  streams(config: Config): Stream[];
  /**
   * Prepares a read of the configured streams (from `streams`, each after those it depends on),
   * before any is read, and returns them in the order to read them: where a source sets up what its
   * streams share in one read. Without it, they are read as configured.
   */
  prepareRead?(config: Config, configured: readonly ConfiguredStream[]): readonly ConfiguredStream[];
}

export interface RunOptions {
  argv: string[];
  /** Where the messages go: stdout as JSON lines, or a consumer in this process. */
  sink: MessageSink;
  checkpointIntervalMs: number;
}

/** What a read needs, as objects: what `read` makes of its files, and what `sync` hands over in its own process. */
export interface ReadRequest<Config> {
  config: Config;
  /** The streams to read (from `streams(config)`), each with its sync mode. */
  configured: readonly ConfiguredStream[];
  /** The input state of each stream that has one, by stream name. */
  states: ReadonlyMap<string, JsonObject>;
}

export interface InProcessReadOptions {
  /** Where the messages go: a consumer in this process. */
  sink: MessageSink;
  checkpointIntervalMs: number;
  /** Values to mask besides those the source derives from the config: the secrets the raw config held. */
  secrets: readonly string[];
}

const USAGE = 'usage: spec | check --config FILE | discover --config FILE | read --config FILE --catalog FILE [--state FILE] [--debug]';

/**
 * The largest config, catalog or state file read. This source's own are a few KiB (a state holds
 * a cursor per account); the limit only keeps a wrong file (a log, a dump) from being parsed whole.
 */
export const MAX_INPUT_FILE_BYTES = 8 * 1024 * 1024;

/** Exit code of a run whose output was closed by its reader: nothing more could be reported. */
export const OUTPUT_CLOSED_EXIT_CODE = 1;

/** Bytes asked of the file at a time. */
const INPUT_READ_CHUNK_BYTES = 64 * 1024;

/**
 * An input file's text, read up to MAX_INPUT_FILE_BYTES and no further. The bytes read are what
 * count, not the size the file states: /dev/zero, a FIFO or a process substitution state 0 and
 * never end.
 */
function readInputText(path: string, what: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(INPUT_READ_CHUNK_BYTES);
    let bytes = 0;
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      bytes += read;
      if (bytes > MAX_INPUT_FILE_BYTES) {
        throw new ConfigError(`The ${what} file ${path} holds more than ${MAX_INPUT_FILE_BYTES / (1024 * 1024)} MiB; this source reads ${what} files of at most that.`);
      }
      chunks.push(Buffer.from(chunk.subarray(0, read)));
    }
    return Buffer.concat(chunks, bytes).toString('utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readJsonFile(path: string, what: string): unknown {
  return parseJsonInput(readInputText(path, what), `The ${what} file ${path}`);
}

/** The config file's JSON, read as every command reads it: its size checked, and errors that name the file and the cause. */
export function readConfigFile(path: string): unknown {
  return readJsonFile(path, 'config');
}

/**
 * Reads and validates the config, first logging what is odd about it (even if it then fails). Its
 * secrets are registered for masking before anything is said about it: those the spec marks, as
 * soon as the file is read, then whatever the source derives from the validated config.
 */
function loadConfig<Config>(source: Source<Config>, path: string, output: MessageOutput, logger: Logger): Config {
  const raw = readJsonFile(path, 'config');
  output.addSecrets(secretsOfRawConfig(source.spec(), raw));
  for (const warning of source.configWarnings?.(raw) ?? []) logger.warn(warning);
  const config = source.parseConfig(raw);
  output.addSecrets(source.secrets(config));
  return config;
}

function requireOption(value: string | undefined, flag: string, command: string): string {
  if (!value) throw new ConfigError(`${command} needs --${flag} FILE. ${USAGE}`);
  return value;
}

/**
 * Runs one Airbyte command and returns the process exit code. Failures become a TRACE ERROR with
 * the right failure type (the stack trace only in its stack_trace field), except in `check`,
 * where a config problem is a CONNECTION_STATUS FAILED and exit 0, as the protocol asks.
 */
export async function runCommand<Config>(source: Source<Config>, options: RunOptions): Promise<number> {
  const output = new MessageOutput(options.sink);
  let logger = new Logger(output);
  return reportingFailures(
    output,
    () => logger,
    async () => {
      const { positionals, values } = parseCommandLine(options.argv);
      const command = positionals[0] ?? '';
      logger = new Logger(output, values.debug === true);
      if (positionals.length !== 1) throw new ConfigError(`Expected one command. ${USAGE}`);
      switch (command) {
        case 'spec':
          await output.write({ type: 'SPEC', spec: source.spec() });
          return 0;
        case 'check':
          return await runCheck(source, requireOption(values.config, 'config', command), output, logger);
        case 'discover': {
          const config = loadConfig(source, requireOption(values.config, 'config', command), output, logger);
          await output.write({ type: 'CATALOG', catalog: { streams: source.streams(config).map(describeStream) } });
          return 0;
        }
        case 'read': {
          const config = loadConfig(source, requireOption(values.config, 'config', command), output, logger);
          const streams = source.streams(config);
          const configured = resolveCatalog(readJsonFile(requireOption(values.catalog, 'catalog', command), 'catalog'), streams, (warning) => logger.warn(warning));
          const states: Map<string, JsonObject> = values.state
            ? parseInputState(
                readInputText(values.state, 'state'),
                streams.map((stream) => stream.name),
              )
            : new Map<string, JsonObject>();
          return (await readConfigured(source, { config, configured, states }, output, logger, options.checkpointIntervalMs)) ? 0 : 1;
        }
        default:
          throw new ConfigError(`Unknown command ${JSON.stringify(command)}. ${USAGE}`);
      }
    },
  );
}

/**
 * A read in this process, with objects instead of files: the same read loop and messages as the
 * `read` command, written to `sink`, and its exit code. What `sync` runs.
 */
export async function runRead<Config>(source: Source<Config>, request: ReadRequest<Config>, options: InProcessReadOptions): Promise<number> {
  const output = new MessageOutput(options.sink);
  output.addSecrets(options.secrets);
  output.addSecrets(source.secrets(request.config));
  const logger = new Logger(output);
  return reportingFailures(
    output,
    () => logger,
    async () => ((await readConfigured(source, request, output, logger, options.checkpointIntervalMs)) ? 0 : 1),
  );
}

/** Reads the configured streams, each after those it depends on, as the source prepares them; false when one failed. */
function readConfigured<Config>(source: Source<Config>, request: ReadRequest<Config>, output: MessageOutput, logger: Logger, checkpointIntervalMs: number): Promise<boolean> {
  const ordered = inDependencyOrder(request.configured);
  return readStreams(source.prepareRead?.(request.config, ordered) ?? ordered, { output, logger, states: request.states, checkpointIntervalMs });
}

/**
 * Runs a command's body and returns its exit code. A failure becomes a TRACE ERROR with the right
 * failure type (the stack trace only in its stack_trace field) and exit code 1; once the output's
 * reader is gone there is no one left to tell, and nothing more to read for.
 */
async function reportingFailures(output: MessageOutput, logger: () => Logger, body: () => Promise<number>): Promise<number> {
  try {
    try {
      return await body();
    } catch (thrown) {
      if (thrown instanceof OutputClosedError) throw thrown;
      await logger().drain();
      await output.write(errorTraceMessage(traceFields(asConnectorError(thrown), thrown)));
      return 1;
    } finally {
      await logger().drain();
      await output.flush();
    }
  } catch (thrown) {
    if (thrown instanceof OutputClosedError) return OUTPUT_CLOSED_EXIT_CODE;
    throw thrown;
  }
}

/** The command line's command and options; a malformed one is a config error that shows the usage. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { config: { type: 'string' }, catalog: { type: 'string' }, state: { type: 'string' }, debug: { type: 'boolean' } },
    });
  } catch (thrown) {
    if (thrown instanceof TypeError && (thrown as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new ConfigError(`${thrown.message}. ${USAGE}`);
    throw thrown;
  }
}

async function runCheck<Config>(source: Source<Config>, configPath: string, output: MessageOutput, logger: Logger): Promise<number> {
  let result: { succeeded: boolean; message: string };
  try {
    const config = loadConfig(source, configPath, output, logger);
    result = await source.check(config, logger);
  } catch (thrown) {
    const error = asConnectorError(thrown);
    if (error.failureType === 'system_error') throw thrown;
    result = { succeeded: false, message: error.message };
  }
  await logger.drain();
  await output.write({ type: 'CONNECTION_STATUS', connectionStatus: { status: result.succeeded ? 'SUCCEEDED' : 'FAILED', message: result.message } });
  return 0;
}

function traceFields(error: ConnectorError, thrown: unknown): Parameters<typeof errorTraceMessage>[0] {
  return {
    message: error.message,
    internalMessage: error.internalMessage,
    // A config error is the user's to fix; a stack trace would only bury the message.
    stackTrace: error.failureType !== 'config_error' && thrown instanceof Error ? thrown.stack : undefined,
    failureType: error.failureType,
  };
}
