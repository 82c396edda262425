import { constants } from 'node:os';

/** The signals that ask a sync to stop: Ctrl-C, and what cron, systemd and `kill` send. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export type StopSignal = (typeof STOP_SIGNALS)[number];

/** What a shell reports for a process a signal ended: 130 for SIGINT, 143 for SIGTERM. */
export function exitCodeFor(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * On the first SIGINT or SIGTERM, runs `stop` (which tidies up) and then exits with the signal's
 * conventional code. The exit is explicit because the read may still have requests in flight or a
 * backoff timer pending, which would otherwise keep the process alive. A second signal while `stop`
 * runs exits at once. Returns a function that removes the handlers.
 */
export function onStopSignal(stop: (signal: StopSignal) => Promise<void>): () => void {
  let stopping = false;
  const handle = (signal: StopSignal): void => {
    if (stopping) process.exit(exitCodeFor(signal));
    stopping = true;
    void stop(signal).finally(() => process.exit(exitCodeFor(signal)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handle);
  };
}
