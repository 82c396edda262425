import { mkdtempSync, openSync, read, rmdirSync, unlinkSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DayRange } from '../dates';
import { type DailyUsage, parseDailyUsage } from './daily-usage';

/**
 * What a consumer of usage windows uses of a window's rows, from least to most: its daily totals
 * (usage_costs' residual scope), the amounts of every needed row a chunk of days at a time
 * (reconciliation places a chunk whole), or every needed row whole as it comes (usage_records
 * emits them as Twilio sent them). A window is kept for the consumers read after the one reading
 * it, as much as the most demanding of them uses: each use is served by what is kept for a later one.
 */
export type RowUse = 'totals' | 'chunks' | 'rows';

const ROW_USES: readonly RowUse[] = ['totals', 'chunks', 'rows'];

/** The use that serves all of `uses` (undefined for none). */
export function widestUse(uses: Iterable<RowUse>): RowUse | undefined {
  let widest: RowUse | undefined;
  for (const use of uses) if (widest === undefined || ROW_USES.indexOf(use) > ROW_USES.indexOf(widest)) widest = use;
  return widest;
}

/**
 * A row for the spill file, positionally: the amounts first, then the rest when the row is kept
 * whole. Arrays, not objects, so that writing and reading back stays cheap.
 */
function encodeRow(record: DailyUsage, whole: boolean): Array<string | null> {
  const amounts = [record.startDate, record.category, record.count, record.countUnit, record.usage, record.usageUnit, record.price, record.priceUnit];
  return whole ? [...amounts, record.endDate, record.description, record.asOf, record.apiVersion, record.uri, record.accountSid] : amounts;
}

/** A spilled row back as a record; fields that were not kept are null. */
export function decodeRow(row: Array<string | null>, accountSid: string): DailyUsage {
  const [startDate, category, count, countUnit, usage, usageUnit, price, priceUnit, endDate, description, asOf, apiVersion, uri, rowAccountSid] = row;
  return parseDailyUsage(
    {
      account_sid: rowAccountSid ?? accountSid,
      category,
      description,
      start_date: startDate,
      end_date: endDate ?? startDate,
      count,
      count_unit: countUnit,
      usage,
      usage_unit: usageUnit,
      price,
      price_unit: priceUnit,
      as_of: asOf,
      api_version: apiVersion,
      uri,
    },
    accountSid,
  );
}

/** Encoded rows of the stored categories, by category (every stored one, even with no rows): whole, or their amounts. */
export function rowsByCategory(records: readonly DailyUsage[], stored: ReadonlySet<string>, whole: boolean): Map<string, Array<Array<string | null>>> {
  const byCategory = new Map<string, Array<Array<string | null>>>();
  for (const category of stored) byCategory.set(category, []);
  for (const record of records) byCategory.get(record.categoryKey)?.push(encodeRow(record, whole));
  return byCategory;
}

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
  /** The use its rows were kept for: whole rows for 'rows', their amounts otherwise. */
  keptFor: RowUse;
  chunks: readonly CachedChunk[];
}

/** A window being written: rows page by page, chunk by chunk, then complete() publishes it. */
export interface WindowReservation {
  /** Appends rows of the chunk being written, one segment per category. */
  append(rowsByCategory: ReadonlyMap<string, readonly unknown[]>): Promise<void>;
  /** Closes the chunk being written: the rows appended since the last one cover `range`. */
  endChunk(range: DayRange): void;
  complete(window: Omit<CachedWindow, 'chunks' | 'keptFor'>): void;
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

/** The spill file could not be written: what went wrong, for the one warning. */
function spillFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The usage windows read so far in this run, for a later reader of the same scope and days: the
 * other usage stream (they run one after another) or usage_costs' residual scope. Only the plan
 * is kept in memory; rows go to a temporary file that is unlinked as soon as it is opened, so it
 * never outlives the process, and that stops growing at `maxBytes` (later windows are then not
 * cached, and their readers ask Twilio again).
 *
 * The cache only saves requests, so it never fails a read: when the file cannot be created or
 * written (no TMPDIR, a full disk, no permission), it warns once and gives up: the windows being
 * written are abandoned, nothing more is reserved, and their readers ask Twilio again.
 */
export class FetchedWindowCache {
  private readonly windows = new Map<string, Promise<CachedWindow | undefined>>();
  /** How to abandon each window still being written, for when the cache gives up. */
  private readonly unsettled = new Set<() => void>();
  private fd: number | undefined;
  private size = 0;
  private gaveUp = false;

  /** @param warn where the one warning goes when the cache gives up (the reader passes it on to the stream's log) */
  constructor(
    private readonly maxBytes: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** The cached window under `key`, waiting for it while it is being written; undefined if none. */
  find(key: string): Promise<CachedWindow | undefined> | undefined {
    return this.windows.get(key);
  }

  /**
   * Claims `key` for a window about to be read and kept for `keptFor`, synchronously, so that a
   * reader that starts later waits for it instead of asking Twilio. Undefined when the cache is
   * full or has given up, or the key is taken.
   */
  reserve(key: string, keptFor: RowUse): WindowReservation | undefined {
    if (this.gaveUp || this.size >= this.maxBytes || this.windows.has(key)) return undefined;
    let settle: (window: CachedWindow | undefined) => void = () => undefined;
    this.windows.set(key, new Promise((resolve) => (settle = resolve)));
    const chunks: CachedChunk[] = [];
    let segments = new Map<string, Segment[]>();
    let settled = false;
    const finish = (window: CachedWindow | undefined): void => {
      if (settled) return;
      settled = true;
      this.unsettled.delete(abandon);
      if (window === NOT_CACHED) this.windows.delete(key);
      settle(window);
    };
    const abandon = (): void => finish(NOT_CACHED);
    this.unsettled.add(abandon);
    return {
      append: async (rowsByCategory) => {
        // An abandoned window (the cache gave up) is read to its end by its reader, uncached.
        if (settled) return;
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
        try {
          await Promise.all(writes);
        } catch (error) {
          this.giveUp(error);
        }
      },
      endChunk: (range) => {
        chunks.push({ range, segments });
        segments = new Map();
      },
      complete: (window) => finish({ ...window, keptFor, chunks }),
      abandon,
    };
  }

  /**
   * Stops caching after the spill file failed: every window being written is abandoned (its
   * waiters read Twilio themselves). Windows already complete were written in full and stay.
   */
  private giveUp(error: unknown): void {
    if (this.gaveUp) return;
    this.gaveUp = true;
    this.warn(
      `Cannot keep usage rows in a temporary file under ${tmpdir()} (${spillFailure(error)}), so later streams of this run ask Twilio again for the windows they share. Point TMPDIR to a writable directory with free space to save those requests.`,
    );
    for (const abandon of [...this.unsettled]) abandon();
  }

  /** The JSON value written as one segment. */
  async readSegment(segment: Segment): Promise<unknown> {
    const buffer = Buffer.alloc(segment.length);
    await new Promise<void>((resolve, reject) => read(this.file(), buffer, 0, segment.length, segment.offset, (error) => (error ? reject(error) : resolve())));
    return JSON.parse(buffer.toString('utf8')) as unknown;
  }

  /** Writes all of `bytes` at `offset`; a short write (a disk filling up) is a failure too. */
  private writeAt(bytes: Buffer, offset: number): Promise<void> {
    return new Promise((resolve, reject) =>
      write(this.file(), bytes, 0, bytes.length, offset, (error, written) => {
        if (error) reject(error);
        else if (written < bytes.length) reject(new Error(`wrote ${written} of ${bytes.length} bytes`));
        else resolve();
      }),
    );
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
