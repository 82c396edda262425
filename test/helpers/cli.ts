import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Message, parseJsonLines, parseMessages } from './protocol';

export const CLI_PATH = path.resolve(__dirname, '../../dist/main.js');

/**
 * The timeout of a test that runs the CLI: far beyond what its reads take on an idle machine
 * (seconds; a minute for the longest), so that a machine loaded many times over does not fail it,
 * while a hang still ends.
 */
export const CLI_TEST_TIMEOUT_MS = 600_000;

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  messages: Message[];
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Files to write into a fresh temp dir; each `{file}` in args is replaced by its path. */
  files?: Record<string, unknown>;
  /**
   * Skip validating each message against the protocol schema (about 0.15 ms a message): for a read
   * that repeats one already validated, whose output is only compared.
   */
  jsonOnly?: boolean;
}

/** Writes JSON (or raw text) files into a new temporary directory and returns their paths. */
export function writeFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    paths[name] = file;
  }
  return paths;
}

/** Removes the temporary directories writeFiles made for these paths. */
export function removeFiles(paths: Record<string, string>): void {
  for (const dir of new Set(Object.values(paths).map((file) => path.dirname(file)))) rmSync(dir, { recursive: true, force: true });
}

/** Runs the built CLI as a child process and validates every stdout line as an AirbyteMessage. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const paths = options.files ? writeFiles(options.files) : {};
  const resolvedArgs = args.map((arg) => arg.replace(/^\{(.+)\}$/, (whole, name: string) => paths[name] ?? whole));
  const child = spawn(process.execPath, [CLI_PATH, ...resolvedArgs], {
    env: { PATH: process.env.PATH ?? '', SOURCE_TWILIO_COSTS_RETRY_BASE_MS: '5', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  removeFiles(paths);
  return { exitCode, stdout, stderr, messages: options.jsonOnly ? parseJsonLines(stdout) : parseMessages(stdout) };
}
