#!/usr/bin/env node
import { nonNegativeNumberFromEnv } from './config';
import { JsonLinesSink } from './protocol/output';
import { runCommand } from './protocol/runner';
import { TwilioCostsSource } from './source';

/** Seconds between intermediate STATE messages; Airbyte asks for about one a minute. */
const DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 60;

async function main(): Promise<void> {
  const command = process.argv[2];
  // `read` may follow its options; `sync` comes first.
  if (command === 'sync' || process.argv.slice(2).includes('read')) {
    // V8 doubles its young generation each time a scavenge finds much of it alive, up to 2 × 16 MB, and
    // a read's pages (parsed, picked from, dropped) keep it growing: pinned at its first size, peak RSS
    // fell by 26 MB on the 5-account two-year read (168 → 142 MB) and 29 MB on a two-day read
    // (123 → 94 MB), with no more CPU (18.5 → 16.4 s). Set here, before the first page is read, and
    // only for the commands that read pages: loading node:v8 is a few ms of every start.
    const { setFlagsFromString } = await import('node:v8');
    setFlagsFromString('--semi-space-growth-factor=1');
    // After each full GC, V8 lets the old generation grow to up to 4× what survived before the next
    // one. A read's live data is small (13 MB at the peak of the 5-account two-year backfill, in a
    // heap snapshot) and what fills the old generation is pages already dropped, so the heap sat at
    // 4–5× its live data: at most 2× instead, that read's peak RSS fell from 125–141 to 97–107 MB
    // for 5–13 % more CPU, and 63 accounts read side by side from ~200 to ~137 MB for 20 % more.
    setFlagsFromString('--heap-growing-percent=100');
  }
  // `sync` is not an Airbyte command: it runs a read itself and lands it in a local DuckDB file.
  // Loaded only here, so the Airbyte commands never load the landing.
  if (command === 'sync') {
    const { runSync } = await import('./sync/command.js');
    process.exitCode = await runSync({ argv: process.argv.slice(3), env: process.env, stderr: process.stderr });
    return;
  }
  // `report` draws the DuckDB file as an HTML page; loaded only here, with its chart library, so the
  // Airbyte commands never load it.
  if (command === 'report') {
    const { runReport } = await import('./report/command.js');
    process.exitCode = await runReport({ argv: process.argv.slice(3), stderr: process.stderr });
    return;
  }
  const source = new TwilioCostsSource(process.env);
  const stdout = new JsonLinesSink(process.stdout);
  const exitCode = await runCommand(source, {
    argv: process.argv.slice(2),
    sink: stdout,
    checkpointIntervalMs: nonNegativeNumberFromEnv(process.env.SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS, DEFAULT_CHECKPOINT_INTERVAL_SECONDS) * 1000,
  });
  if (stdout.closed) {
    process.stderr.write('source-twilio-costs: stdout was closed by its reader, so the command stopped.\n');
    // Requests still in flight would keep the process alive, reading for no one.
    process.exit(exitCode);
  }
  process.exitCode = exitCode;
}

void main();
