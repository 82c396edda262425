import { isJsonObject } from '../protocol/json';
import type { JsonObject } from '../protocol/messages';

/** Least time between two redraws of the status line. */
const REDRAW_INTERVAL_MS = 100;

/** The day every scope of a usage state has been read through (the least cursor), if any. */
function readThrough(state: JsonObject): string | undefined {
  if (!isJsonObject(state.accounts)) return undefined;
  const days = Object.values(state.accounts)
    .map((cursor) => (isJsonObject(cursor) ? cursor.start_date : undefined))
    .filter((day): day is string => typeof day === 'string')
    .sort();
  return days[0];
}

/**
 * Progress of a sync on a terminal: one status line, redrawn in place, and a line per finished
 * stream. Without a terminal (cron, CI, a pipe) it prints nothing.
 */
export class SyncProgress {
  private readonly records = new Map<string, number>();
  private readonly through = new Map<string, string>();
  private finishedStreams = 0;
  private current = '';
  private lastDraw = 0;

  /** @param terminal the terminal to draw on; undefined for none */
  constructor(
    private readonly terminal: NodeJS.WritableStream | undefined,
    private readonly streamCount: number,
    /** Requests and retries so far, counted by the Twilio client. */
    private readonly traffic: { readonly requests: number; readonly retries: number } = { requests: 0, retries: 0 },
    private readonly now: () => number = Date.now,
  ) {}

  record(stream: string): void {
    this.records.set(stream, (this.records.get(stream) ?? 0) + 1);
    this.current = stream;
    this.draw();
  }

  checkpoint(stream: string, state: JsonObject): void {
    const day = readThrough(state);
    if (day) this.through.set(stream, day);
    this.current = stream;
    this.draw();
  }

  streamFinished(stream: string, outcome: 'landed' | 'failed'): void {
    this.finishedStreams += 1;
    if (!this.terminal) return;
    const through = this.through.get(stream);
    const detail = `${(this.records.get(stream) ?? 0).toLocaleString('en-US')} records${through ? `, read through ${through}` : ''}`;
    this.terminal.write(`\r\x1b[K${outcome === 'landed' ? '✓' : '✗'} ${stream}: ${outcome === 'landed' ? detail : `failed after ${detail}`}\n`);
    this.current = '';
  }

  /** Clears the status line, so that another line can be printed (it is redrawn on the next event). */
  clearLine(): void {
    if (this.terminal && this.current) this.terminal.write('\r\x1b[K');
    this.lastDraw = 0;
  }

  private draw(): void {
    if (!this.terminal || !this.current) return;
    const now = this.now();
    if (now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    const through = this.through.get(this.current);
    const records = (this.records.get(this.current) ?? 0).toLocaleString('en-US');
    this.terminal.write(
      `\r\x1b[K[${this.finishedStreams}/${this.streamCount} streams done] ${this.current}: ${records} records${through ? `, through ${through}` : ''}; ${this.traffic.requests.toLocaleString('en-US')} requests, ${this.traffic.retries.toLocaleString('en-US')} retries`,
    );
  }
}
