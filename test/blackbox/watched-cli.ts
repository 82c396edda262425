import { spawn } from 'node:child_process';
import { CLI_PATH, removeFiles, writeFiles, type CliOptions } from '../helpers/cli';
import { parseMessages, type Message } from '../helpers/protocol';

export interface WatchedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every complete stdout line; a line cut off by a kill is dropped, as a platform would drop it. */
  messages: Message[];
}

/**
 * Runs the built CLI like runCli, but shows each stdout line to `watch` as it is printed, with a
 * way to SIGKILL the process: for faults that follow the read's progress, and for kills.
 */
export async function runCliWatched(args: string[], options: CliOptions, watch: (line: string, kill: () => void) => void): Promise<WatchedRun> {
  const paths = options.files ? writeFiles(options.files) : {};
  const resolvedArgs = args.map((arg) => arg.replace(/^\{(.+)\}$/, (whole, name: string) => paths[name] ?? whole));
  const child = spawn(process.execPath, [CLI_PATH, ...resolvedArgs], {
    env: { PATH: process.env.PATH ?? '', SOURCE_TWILIO_COSTS_RETRY_BASE_MS: '5', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  let stdout = '';
  let stderr = '';
  let scanned = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (let end = stdout.indexOf('\n', scanned); end >= 0; end = stdout.indexOf('\n', scanned)) {
      const line = stdout.slice(scanned, end);
      scanned = end + 1;
      watch(line, kill);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, closeSignal) => resolve([code, closeSignal])));
  removeFiles(paths);
  return { exitCode, signal, stdout, stderr, messages: parseMessages(stdout.slice(0, stdout.lastIndexOf('\n') + 1)) };
}

/** A STATE line whose cursors are not empty: the read has committed something. */
export function isStateWithCursors(line: string): boolean {
  if (!line.startsWith('{"type":"STATE"')) return false;
  const state = (JSON.parse(line) as Message).state.stream.stream_state as { accounts?: Record<string, unknown> };
  return Object.keys(state.accounts ?? {}).length > 0;
}
