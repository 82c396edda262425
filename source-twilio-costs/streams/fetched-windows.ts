import { mkdtempSync, openSync, read, rmdirSync, unlinkSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DayRange } from '../dates';

/** A run of bytes in the spill file. */
export interface Segment {
  offset: number;
  length: number;
}

/** One chunk of a cached window: its days, and where each category's rows of those days are. */
export interface CachedChunk {
  range: DayRange;
  segments: ReadonlyMap<string, readonly Segment[]>;
}

/** What a window's aggregate showed, and where the rows that were read are on disk. */
export interface CachedWindow {
  /** Lower-cased category → Twilio's spellings, for every category Twilio lists. */
  listed: ReadonlyMap<string, readonly string[]>;
  /** Categories with any count, usage or price in the window. */
  active: ReadonlySet<string>;
  /** Categories whose rows were written: a later reader needing any other must read Twilio itself. */
  stored: ReadonlySet<string>;
  /** What was written of each row: its amounts only, or all of it. */
  fields: 'amounts' | 'all';
  chunks: readonly CachedChunk[];
}

/** A window being written: rows page by page, chunk by chunk, then complete() publishes it. */
export interface WindowReservation {
  /** Appends rows of the chunk being written, one segment per category. */
  append(rowsByCategory: ReadonlyMap<string, readonly unknown[]>): Promise<void>;
  /** Closes the chunk being written: the rows appended since the last one cover `range`. */
  endChunk(range: DayRange): void;
  complete(window: Omit<CachedWindow, 'chunks'>): void;
  /** The window was not read to the end: readers waiting for it read Twilio themselves. */
  abandon(): void;
}

/**
 * Rows per segment: small enough that a segment's text is a short-lived young-generation string,
 * not a large object that only a full garbage collection frees.
 */
const SEGMENT_ROWS = 200;

/** Unsettled reservations resolve to this: the window is not in the cache. */
const NOT_CACHED = undefined;

/**
 * The usage windows read so far in this run, for a later reader of the same scope and days: the
 * other usage stream (they run one after another) or usage_costs' residual scope. Only the plan
 * is kept in memory; rows go to a temporary file that is unlinked as soon as it is opened, so it
 * never outlives the process, and that stops growing at `maxBytes` (later windows are then not
 * cached, and their readers ask Twilio again).
 */
export class FetchedWindowCache {
  private readonly windows = new Map<string, Promise<CachedWindow | undefined>>();
  private fd: number | undefined;
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached window under `key`, waiting for it while it is being written; undefined if none. */
  find(key: string): Promise<CachedWindow | undefined> | undefined {
    return this.windows.get(key);
  }

  /**
   * Claims `key` for a window about to be read, synchronously, so that a reader that starts later
   * waits for it instead of asking Twilio. Undefined when the cache is full or the key is taken.
   */
  reserve(key: string): WindowReservation | undefined {
    if (this.size >= this.maxBytes || this.windows.has(key)) return undefined;
    let settle: (window: CachedWindow | undefined) => void = () => undefined;
    this.windows.set(key, new Promise((resolve) => (settle = resolve)));
    const chunks: CachedChunk[] = [];
    let segments = new Map<string, Segment[]>();
    let settled = false;
    const finish = (window: CachedWindow | undefined): void => {
      if (settled) return;
      settled = true;
      if (window === NOT_CACHED) this.windows.delete(key);
      settle(window);
    };
    return {
      append: async (rowsByCategory) => {
        const writes: Promise<void>[] = [];
        for (const [category, rows] of rowsByCategory) {
          for (let start = 0; start < rows.length; start += SEGMENT_ROWS) {
            const bytes = Buffer.from(JSON.stringify(rows.slice(start, start + SEGMENT_ROWS)));
            const segment = { offset: this.size, length: bytes.length };
            // Offsets are claimed synchronously, so windows written side by side never overlap.
            this.size += bytes.length;
            const list = segments.get(category);
            if (list) list.push(segment);
            else segments.set(category, [segment]);
            writes.push(this.writeAt(bytes, segment.offset));
          }
        }
        await Promise.all(writes);
      },
      endChunk: (range) => {
        chunks.push({ range, segments });
        segments = new Map();
      },
      complete: (window) => finish({ ...window, chunks }),
      abandon: () => finish(NOT_CACHED),
    };
  }

  /** The JSON value written as one segment. */
  async readSegment(segment: Segment): Promise<unknown> {
    const buffer = Buffer.alloc(segment.length);
    await new Promise<void>((resolve, reject) =>
      read(this.file(), buffer, 0, segment.length, segment.offset, (error) => (error ? reject(error) : resolve())),
    );
    return JSON.parse(buffer.toString('utf8')) as unknown;
  }

  private writeAt(bytes: Buffer, offset: number): Promise<void> {
    return new Promise((resolve, reject) => write(this.file(), bytes, 0, bytes.length, offset, (error) => (error ? reject(error) : resolve())));
  }

  /** Opens the spill file on first use and unlinks it at once: the data lives as long as the descriptor. */
  private file(): number {
    if (this.fd === undefined) {
      const directory = mkdtempSync(path.join(tmpdir(), 'source-twilio-costs-'));
      const file = path.join(directory, 'usage-windows');
      try {
        this.fd = openSync(file, 'w+', 0o600);
        unlinkSync(file);
      } finally {
        rmdirSync(directory);
      }
    }
    return this.fd;
  }
}
