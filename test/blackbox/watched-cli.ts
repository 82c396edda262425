import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { CLI_PATH, type CliOptions, removeFiles, writeFiles } from '../helpers/cli';
import { type Message, parseMessages } from '../helpers/protocol';

export interface WatchedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every complete stdout line; a line cut off by a kill is dropped, as a platform would drop it. */
  messages: Message[];
  /** The process's peak resident memory (VmHWM), as last seen; undefined where /proc does not show it. */
  peakRssBytes: number | undefined;
}

/** How often the child's peak resident memory is looked at: it is a high-water mark, so only the last look before exit can miss any. */
const RSS_SAMPLE_INTERVAL_MS = 50;

/** A process's peak resident memory so far, from /proc (Linux); undefined elsewhere or once it is gone. */
function peakRssOf(pid: number | undefined): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
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
  let peakRssBytes: number | undefined;
  const sampler = setInterval(() => {
    peakRssBytes = peakRssOf(child.pid) ?? peakRssBytes;
  }, RSS_SAMPLE_INTERVAL_MS);
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
  clearInterval(sampler);
  removeFiles(paths);
  return { exitCode, signal, stdout, stderr, messages: parseMessages(stdout.slice(0, stdout.lastIndexOf('\n') + 1)), peakRssBytes };
}

/** A STATE line whose cursors are not empty: the read has committed something. */
export function isStateWithCursors(line: string): boolean {
  if (!line.startsWith('{"type":"STATE"')) return false;
  const state = (JSON.parse(line) as Message).state.stream.stream_state as { accounts?: Record<string, unknown> };
  return Object.keys(state.accounts ?? {}).length > 0;
}
