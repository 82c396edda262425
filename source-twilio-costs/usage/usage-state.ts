import { PlacementMemory, PlacementMemoryError } from '../costs/placement-memory';
import { addDays, type Day, dayOffset, isValidDay } from '../dates';
import { ConfigError } from '../protocol/errors';
import { isJsonObject } from '../protocol/json';
import type { JsonObject } from '../protocol/messages';
import { CategoryDays, setBits } from './category-days';

/** What a scope's cursor keeps between syncs. */
export interface ScopeCursor {
  /** The last day read completely: the next incremental sync starts lookback_days before the day after it. */
  startDate: Day;
  /**
   * The categories emitted non-zero on the days the next sync reads again, with those days. That
   * sync emits a zero row (a tombstone) for each such (category, day) gone to zero, so a restated
   * day overwrites its old rows downstream, and no zero row anywhere else.
   */
  recent?: CategoryDays;
  /** A first-version state's recent categories, without their days: counted on every day the next sync reads again. */
  recentOnEveryDay?: string[];
  /** What the numbers proved about the account's placement (usage_costs, focus_costs): the prior of its next windows. */
  placementMemory?: PlacementMemory;
}

export interface UsageStreamState {
  accounts: Record<string, ScopeCursor>;
  /**
   * Optional cursor for every scope without one of its own. This source never writes it; it lets a
   * hand-written state (Airbyte's acceptance "abnormal state", a migration) hold for accounts it
   * cannot name in advance.
   */
  start_date?: Day;
}

/**
 * The state format this source writes. Version 1 (no "version") kept each scope's recent categories
 * by name; version 2 keeps their days too, compactly: every category name once per state (in
 * "categories"), and per scope the indices of its recent categories grouped by the days they were
 * non-zero on, written as offsets from the scope's cursor ("-2..1" is the four days from two before
 * the cursor to the one after, "-2,0" two days), so a state for 10,000 accounts stays a few MiB.
 * The cost streams' scopes may also keep a "placement": their placement memory, each entry
 * [category index, parent index or null, first day, last day] with the days as offsets from the cursor.
 */
const STATE_VERSION = 2;

/** A day offset further than this from its cursor is not one this source wrote. */
const MAX_DAY_OFFSET = 36_525;

const DAY_OFFSETS = /^-?\d+(\.\.-?\d+)?(,-?\d+(\.\.-?\d+)?)*$/;

/** Validates a usage stream's input state, naming what is wrong with it. */
export function parseUsageState(streamName: string, state: JsonObject | undefined): UsageStreamState {
  if (state === undefined || Object.keys(state).length === 0) return { accounts: {} };
  const fail = (detail: string): never => {
    throw new ConfigError(`The state of stream ${streamName} is not one this source wrote: ${detail}. Reset the stream or send its last state.`);
  };
  const version = state.version ?? 1;
  if (version !== 1 && version !== STATE_VERSION) return fail(`its "version" is ${JSON.stringify(version)}, and this source reads versions 1 and ${STATE_VERSION}`);
  const names = state.categories ?? [];
  if (!isStringList(names)) return fail('its "categories" is not a list of strings');
  const listed = state.accounts;
  if (!isJsonObject(listed)) return fail('it has no "accounts" object');
  const floor = state.start_date;
  if (floor !== undefined && (typeof floor !== 'string' || !isValidDay(floor))) fail('its "start_date" is not "YYYY-MM-DD"');
  // Most scopes share their keys: each is read once per state.
  const keys = new Map<string, DayOffsets | undefined>();
  const accounts: Record<string, ScopeCursor> = {};
  for (const [id, cursor] of Object.entries(listed)) {
    if (!isJsonObject(cursor) || typeof cursor.start_date !== 'string' || !isValidDay(cursor.start_date)) {
      return fail(`the cursor of ${JSON.stringify(id)} is not {"start_date": "YYYY-MM-DD"}`);
    }
    const recentOnEveryDay = cursor.recent_categories;
    if (recentOnEveryDay !== undefined && !isStringList(recentOnEveryDay)) return fail(`recent_categories of ${JSON.stringify(id)} is not a list of strings`);
    const recent = cursor.recent === undefined ? undefined : parseRecentDays(cursor.start_date, cursor.recent, names, keys, (detail) => fail(`the "recent" of ${JSON.stringify(id)} ${detail}`));
    const placementMemory = cursor.placement === undefined ? undefined : parsePlacement(cursor.start_date, cursor.placement, names, (detail) => fail(`the "placement" of ${JSON.stringify(id)} ${detail}`));
    accounts[id] = {
      startDate: cursor.start_date,
      ...(recent && recent.size > 0 ? { recent } : {}),
      ...(recentOnEveryDay ? { recentOnEveryDay } : {}),
      ...(placementMemory && placementMemory.size > 0 ? { placementMemory } : {}),
    };
  }
  return { accounts, ...(typeof floor === 'string' ? { start_date: floor } : {}) };
}

/** The days of a key: bit i of the mask is the cursor's day plus `first` + i. */
interface DayOffsets {
  first: number;
  mask: bigint;
}

/** A key of day offsets ("-2..1", "-2,0") as a mask, or undefined if it is not one this source writes. */
function dayOffsetsOf(key: string): DayOffsets | undefined {
  if (!DAY_OFFSETS.test(key)) return undefined;
  const runs = key.split(',').map((run) => {
    const [first, last] = run.split('..').map(Number) as [number, number | undefined];
    return [first, last ?? first] as const;
  });
  if (runs.some(([first, last]) => first > last || Math.abs(first) > MAX_DAY_OFFSET || Math.abs(last) > MAX_DAY_OFFSET)) return undefined;
  const first = Math.min(...runs.map(([start]) => start));
  let mask = 0n;
  for (const [start, last] of runs) mask |= ((1n << BigInt(last - start + 1)) - 1n) << BigInt(start - first);
  return { first, mask };
}

/** A scope's recent days as written: category indices under keys of day offsets from its cursor. */
function parseRecentDays(startDate: Day, recent: unknown, names: readonly string[], keys: Map<string, DayOffsets | undefined>, fail: (detail: string) => never): CategoryDays {
  if (!isJsonObject(recent)) return fail('is not an object');
  const parsed: Array<[string, DayOffsets]> = [];
  for (const key of Object.keys(recent)) {
    if (!keys.has(key)) keys.set(key, dayOffsetsOf(key));
    const offsets = keys.get(key);
    if (!offsets) return fail(`has the key ${JSON.stringify(key)}, which is not day offsets from its start_date (such as "-2..1" or "-2,0")`);
    parsed.push([key, offsets]);
  }
  const earliest = Math.min(0, ...parsed.map(([, offsets]) => offsets.first));
  const days = new CategoryDays(addDays(startDate, earliest));
  for (const [key, { first, mask }] of parsed) {
    const indices = recent[key];
    if (!Array.isArray(indices) || !indices.every((index) => typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < names.length)) {
      return fail(`lists under ${JSON.stringify(key)} something other than indices into "categories" (0..${names.length - 1})`);
    }
    const shifted = mask << BigInt(first - earliest);
    for (const index of indices as number[]) days.addMask(names[index] as string, shifted);
  }
  return days;
}

/** A scope's placement memory as written: entries of category indices and day offsets, checked as PlacementMemory.parse checks its own JSON. */
function parsePlacement(startDate: Day, placement: unknown, names: readonly string[], fail: (detail: string) => never): PlacementMemory {
  if (!Array.isArray(placement)) return fail('is not a list');
  const nameAt = (index: unknown): string | undefined => (typeof index === 'number' && Number.isInteger(index) ? names[index] : undefined);
  const dayAt = (offset: unknown): Day | undefined => (typeof offset === 'number' && Number.isInteger(offset) && Math.abs(offset) <= MAX_DAY_OFFSET ? addDays(startDate, offset) : undefined);
  const entries = placement.map((entry: unknown, index) => {
    const [category, parent, first, last] = Array.isArray(entry) && entry.length === 4 ? (entry as unknown[]) : [];
    const named = { category: nameAt(category), parent: parent === null ? null : nameAt(parent), first: dayAt(first), last: dayAt(last) };
    if (named.category === undefined || named.parent === undefined || named.first === undefined || named.last === undefined) {
      return fail(`entry ${index} is not [category index, parent index or null, first day offset, last day offset] with indices into "categories" (0..${names.length - 1})`);
    }
    return [named.category, named.parent, named.first, named.last];
  });
  try {
    return PlacementMemory.parse({ v: 1, p: entries });
  } catch (error) {
    if (error instanceof PlacementMemoryError) return fail(`is not a placement memory (${error.message})`);
    throw error;
  }
}

/** A scope's input cursor: its own, else the state's floor for every scope, else none (a first sync). */
export function inputCursorOf(state: UsageStreamState, scopeId: string): ScopeCursor | undefined {
  return state.accounts[scopeId] ?? (state.start_date ? { startDate: state.start_date } : undefined);
}

/**
 * The state to checkpoint: the input's cursors (scopes not read this sync keep theirs) overwritten
 * by the scopes' current ones, and the input's floor kept as it was.
 */
export function serializeUsageState(input: UsageStreamState, cursors: ReadonlyMap<string, ScopeCursor | undefined>): JsonObject {
  return new UsageStateWriter(input).write(cursors);
}

/**
 * Writes a sync's checkpoints from one input state. A sync checkpoints after every window, and an
 * ISV's input state holds thousands of scopes it does not read: each of those is written once per
 * category table (which changes only when a read scope brings a new name), not once per checkpoint.
 */
export class UsageStateWriter {
  /** The names the input's scopes use, but for those a checkpoint overwrites (by their ids). */
  private inputNames: { overwritten: string; names: ReadonlySet<string> } | undefined;
  /** Per scope of the input: how it was last written, and under which category table. */
  private readonly inputWritten = new Map<string, { table: string; written: JsonObject }>();
  /** Each mask's offsets key, by first offset and mask, across scopes and checkpoints. */
  private readonly keys = new Map<string, string>();

  constructor(private readonly input: UsageStreamState) {}

  write(cursors: ReadonlyMap<string, ScopeCursor | undefined>): JsonObject {
    const current: Record<string, ScopeCursor> = { ...this.input.accounts };
    for (const [id, cursor] of cursors) if (cursor) current[id] = cursor;
    const isInput = (id: string, cursor: ScopeCursor): boolean => this.input.accounts[id] === cursor;
    const names = new Set(this.namesOfInputBeside(cursors));
    for (const [id, cursor] of cursors) if (cursor && !isInput(id, cursor)) for (const name of namesOf(cursor)) names.add(name);
    const categories = [...names].sort();
    const table = categories.join('\n');
    const indexOf = new Map(categories.map((category, index) => [category, index]));
    const accounts: Record<string, JsonObject> = {};
    for (const [id, cursor] of Object.entries(current)) {
      const known = isInput(id, cursor) ? this.inputWritten.get(id) : undefined;
      if (known?.table === table) {
        accounts[id] = known.written;
        continue;
      }
      const written = this.cursorJson(cursor, indexOf);
      if (isInput(id, cursor)) this.inputWritten.set(id, { table, written });
      accounts[id] = written;
    }
    return { version: STATE_VERSION, ...(this.input.start_date ? { start_date: this.input.start_date } : {}), ...(categories.length > 0 ? { categories } : {}), accounts };
  }

  /** The names the input's cursors use, but for the scopes these cursors overwrite: worked out again only when those scopes change. */
  private namesOfInputBeside(cursors: ReadonlyMap<string, ScopeCursor | undefined>): ReadonlySet<string> {
    const overwritten = [...cursors].flatMap(([id, cursor]) => (cursor && this.input.accounts[id] !== cursor ? [id] : []));
    const key = overwritten.join('\n');
    if (this.inputNames?.overwritten === key) return this.inputNames.names;
    const skipped = new Set(overwritten);
    const names = new Set<string>();
    for (const [id, cursor] of Object.entries(this.input.accounts)) if (!skipped.has(id)) for (const name of namesOf(cursor)) names.add(name);
    this.inputNames = { overwritten: key, names };
    return names;
  }

  private cursorJson(cursor: ScopeCursor, indexOf: ReadonlyMap<string, number>): JsonObject {
    const written: JsonObject = { start_date: cursor.startDate };
    if (cursor.recent && cursor.recent.size > 0) written.recent = writeRecentDays(cursor.startDate, cursor.recent, indexOf, this.keys);
    if (cursor.recentOnEveryDay) written.recent_categories = cursor.recentOnEveryDay;
    if (cursor.placementMemory && cursor.placementMemory.size > 0) written.placement = writePlacement(cursor.startDate, cursor.placementMemory, indexOf);
    return written;
  }
}

/** The category names a cursor writes: its recent categories and those its placement memory names. */
function namesOf(cursor: ScopeCursor): string[] {
  const names = [...(cursor.recent?.categories() ?? [])];
  for (const { category, parent } of cursor.placementMemory?.placements() ?? []) names.push(...(parent === null ? [category] : [category, parent]));
  return names;
}

/** Category indices grouped by the day offsets (from the cursor) they were non-zero on; `keys` caches each mask's key across scopes. */
function writeRecentDays(startDate: Day, recent: CategoryDays, indexOf: ReadonlyMap<string, number>, keys: Map<string, string>): JsonObject {
  const first = dayOffset(startDate, recent.base);
  const byDays = new Map<string, number[]>();
  for (const [category, mask] of recent.masksByCategory()) {
    const cached = `${first}:${mask.toString(36)}`;
    let key = keys.get(cached);
    if (key === undefined) {
      key = offsetsKey(setBits(mask).map((bit) => first + bit));
      keys.set(cached, key);
    }
    const indices = byDays.get(key) ?? [];
    indices.push(indexOf.get(category) as number);
    byDays.set(key, indices);
  }
  // In the order of their first category, so the same days write the same state whatever order they were read in.
  const groups = [...byDays].map(([key, indices]) => [key, indices.sort((a, b) => a - b)] as const).sort(([, a], [, b]) => (a[0] as number) - (b[0] as number));
  const written: JsonObject = {};
  for (const [key, indices] of groups) written[key] = indices;
  return written;
}

/** A placement memory's entries by category index, with their days as offsets from the cursor. */
function writePlacement(startDate: Day, memory: PlacementMemory, indexOf: ReadonlyMap<string, number>): Array<Array<number | null>> {
  return memory
    .placements()
    .map(({ category, parent, firstDay, lastDay }) => [indexOf.get(category) as number, parent === null ? null : (indexOf.get(parent) as number), dayOffset(startDate, firstDay), dayOffset(startDate, lastDay)]);
}

/** Ascending offsets as runs: three or more consecutive ones as "first..last", the rest one by one. */
function offsetsKey(offsets: readonly number[]): string {
  const parts: string[] = [];
  for (let start = 0; start < offsets.length;) {
    let end = start;
    while (end + 1 < offsets.length && offsets[end + 1] === (offsets[end] as number) + 1) end += 1;
    if (end - start >= 2) parts.push(`${offsets[start]}..${offsets[end]}`);
    else for (let index = start; index <= end; index += 1) parts.push(String(offsets[index]));
    start = end + 1;
  }
  return parts.join(',');
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
