import { isValidDay, type Day } from '../dates';
import { ConfigError } from '../protocol/errors';
import { isJsonObject } from '../protocol/json';
import type { JsonObject } from '../protocol/messages';

/** What a scope's cursor keeps between syncs (a type, not an interface, so that it is plain JSON). */
export type ScopeCursor = {
  /** The last day read completely: the next incremental sync starts lookback_days before the day after it. */
  start_date: Day;
  /**
   * Categories emitted non-zero on the days the next sync reads again. That sync emits them again
   * even if they have gone to zero, so a restated day overwrites its old rows downstream.
   */
  recent_categories?: string[];
};

export interface UsageStreamState {
  accounts: Record<string, ScopeCursor>;
  /**
   * Optional cursor for every scope without one of its own. This source never writes it; it lets a
   * hand-written state (Airbyte's acceptance "abnormal state", a migration) hold for accounts it
   * cannot name in advance.
   */
  start_date?: Day;
}

/** Validates a usage stream's input state, naming what is wrong with it. */
export function parseUsageState(streamName: string, state: JsonObject | undefined): UsageStreamState {
  if (state === undefined || Object.keys(state).length === 0) return { accounts: {} };
  const fail = (detail: string): never => {
    throw new ConfigError(`The state of stream ${streamName} is not one this source wrote: ${detail}. Reset the stream or send its last state.`);
  };
  const listed = state.accounts;
  if (!isJsonObject(listed)) return fail('it has no "accounts" object');
  const floor = state.start_date;
  if (floor !== undefined && (typeof floor !== 'string' || !isValidDay(floor))) fail('its "start_date" is not "YYYY-MM-DD"');
  const accounts: Record<string, ScopeCursor> = {};
  for (const [id, cursor] of Object.entries(listed)) {
    if (!isJsonObject(cursor) || typeof cursor.start_date !== 'string' || !isValidDay(cursor.start_date)) {
      return fail(`the cursor of ${JSON.stringify(id)} is not {"start_date": "YYYY-MM-DD"}`);
    }
    const recent = cursor.recent_categories;
    if (recent !== undefined && !isStringList(recent)) return fail(`recent_categories of ${JSON.stringify(id)} is not a list of strings`);
    accounts[id] = { start_date: cursor.start_date, ...(recent ? { recent_categories: recent } : {}) };
  }
  return { accounts, ...(typeof floor === 'string' ? { start_date: floor } : {}) };
}

/** A scope's input cursor: its own, else the state's floor for every scope, else none (a first sync). */
export function inputCursorOf(state: UsageStreamState, scopeId: string): ScopeCursor | undefined {
  return state.accounts[scopeId] ?? (state.start_date ? { start_date: state.start_date } : undefined);
}

/**
 * The state to checkpoint: the input's cursors (scopes not read this sync keep theirs) overwritten
 * by the scopes' current ones, and the input's floor kept as it was.
 */
export function serializeUsageState(input: UsageStreamState, cursors: ReadonlyMap<string, ScopeCursor | undefined>): JsonObject {
  const accounts: Record<string, ScopeCursor> = { ...input.accounts };
  for (const [id, cursor] of cursors) if (cursor) accounts[id] = cursor;
  return { ...(input.start_date ? { start_date: input.start_date } : {}), accounts };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
