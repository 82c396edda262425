/**
 * Checks of a read's output: what the two usage streams must add up to against the simulator's
 * dataset, what a state may claim, and where a stack trace may appear. Shared by the fault, resume,
 * bad-input and secrets tests.
 */
import { expect } from 'chai';

import type { Decimal } from '../../source-twilio-costs/money';
import type { Dataset, SimUsage } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import type { Message } from '../helpers/protocol';
import { daysOf, exact } from '../helpers/simulator-truth';

export type AuthMode = 'api_key' | 'auth_token';
export const USAGE_STREAMS = ['usage_records', 'usage_costs'] as const;
export const RESIDUAL_CATEGORY = 'subaccounts:unattributed';

/** A read's setup: the data, how the connector authenticates, and the days it reads. */
export interface UsageSetup {
  dataset: Dataset;
  mode: AuthMode;
  from: string;
  to: string;
}

/** An account the connector reads on its own, and the view Twilio gives of it. */
export interface ReadScope {
  sid: string;
  includeSubaccounts: boolean;
}

type Row = Record<string, unknown>;

/** An API key reads the whole bill as one scope; the Auth Token every listed, readable account alone. */
export function readScopes(setup: UsageSetup): ReadScope[] {
  const { dataset } = setup;
  if (setup.mode === 'api_key') return [{ sid: dataset.mainAccountSid, includeSubaccounts: true }];
  return dataset.accounts.filter((account) => account.listed && account.usageAnswers === undefined).map((account) => ({ sid: account.sid, includeSubaccounts: false }));
}

export function configFor(setup: UsageSetup, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { dataset } = setup;
  const key = dataset.apiKeys.find((candidate) => candidate.kind === 'standard');
  const credentials = setup.mode === 'api_key' ? { auth_type: 'api_key', api_key_sid: key?.sid, api_key_secret: key?.secret } : { auth_type: 'auth_token', auth_token: dataset.accounts[0]?.authToken };
  return { account_sid: dataset.mainAccountSid, credentials, start_date: setup.from, end_date: setup.to, ...extra };
}

/** A catalog of the two usage streams, incremental. */
export function usageCatalog(streams: readonly string[] = USAGE_STREAMS): unknown {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, default_cursor_field: ['start_date'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append_dedup',
      cursor_field: ['start_date'],
    })),
  };
}

function usageOn(dataset: Dataset, scope: ReadScope, day: string): ReadonlyMap<string, SimUsage> {
  const number = isoDateToDay(day);
  return dataset.scopeUsage(scope.sid, scope.includeSubaccounts, number, number);
}

const totalOf = (usage: ReadonlyMap<string, SimUsage>): Decimal => usage.get('totalprice')?.price ?? 0n;

/** A destination that keeps the latest row per primary key (Airbyte's append_dedup). */
export function latestPerKey(rows: readonly Row[], key: readonly string[]): Map<string, Row> {
  const latest = new Map<string, Row>();
  for (const row of rows) latest.set(key.map((field) => String(row[field])).join('|'), row);
  return latest;
}

const recordKey = (row: Row): string => `${String(row.account_sid)}|${String(row.category)}|${String(row.start_date)}|${String(row.end_date)}`;

function isZeroRow(row: Row): boolean {
  return exact(row.price ?? 0) === 0n && exact(row.usage ?? 0) === 0n && (row.count === null || exact(row.count) === 0n);
}

/** Every non-zero usage record of the dataset in the range, exactly, and nothing else but zero rows. */
export function expectUsageRecordsEqualDataset(rows: readonly Row[], setup: UsageSetup): void {
  const latest = latestPerKey(rows, ['account_sid', 'category', 'start_date', 'end_date']);
  let compared = 0;
  for (const scope of readScopes(setup)) {
    for (const day of daysOf(setup.from, setup.to)) {
      for (const [category, usage] of usageOn(setup.dataset, scope, day)) {
        const key = `${scope.sid}|${category}|${day}|${day}`;
        const row = latest.get(key);
        expect(row, `usage_records ${key}`).to.not.equal(undefined);
        expect(exact(row?.price), `price of ${key}`).to.equal(usage.price);
        expect(exact(row?.usage), `usage of ${key}`).to.equal(usage.usage);
        expect(row?.count === null ? null : exact(row?.count), `count of ${key}`).to.equal(usage.count);
        latest.delete(key);
        compared += 1;
      }
    }
  }
  expect(compared, 'non-zero records compared').to.be.greaterThan(100);
  const readSids = new Set(readScopes(setup).map((scope) => scope.sid));
  for (const [key, row] of latest) {
    expect(isZeroRow(row), `usage_records ${key} is not in the dataset, so it must be a zero row`).to.equal(true);
    expect(readSids.has(String(row.account_sid)), `usage_records ${key} belongs to a read account`).to.equal(true);
  }
}

/** The money a residual row of `day` must hold: the whole bill minus every account read on its own. */
function residualOn(setup: UsageSetup, day: string): Decimal {
  const whole = totalOf(usageOn(setup.dataset, { sid: setup.dataset.mainAccountSid, includeSubaccounts: true }, day));
  return readScopes(setup).reduce((rest, scope) => rest - totalOf(usageOn(setup.dataset, scope, day)), whole);
}

/** usage_costs: Σ rows = totalprice per account-day, and (Auth Token) all rows of a day = the whole bill. */
export function expectCostsReconcile(rows: readonly Row[], setup: UsageSetup): void {
  const latest = [...latestPerKey(rows, ['account_sid', 'category', 'start_date']).values()];
  const byAccountDay = new Map<string, Decimal>();
  const byDay = new Map<string, Decimal>();
  for (const row of latest) {
    const day = String(row.start_date);
    expect(day >= setup.from && day <= setup.to, `usage_costs row on ${day} is in the range`).to.equal(true);
    byDay.set(day, (byDay.get(day) ?? 0n) + exact(row.price));
    if (row.category === RESIDUAL_CATEGORY) continue;
    const key = `${String(row.account_sid)}|${day}`;
    byAccountDay.set(key, (byAccountDay.get(key) ?? 0n) + exact(row.price));
  }
  for (const scope of readScopes(setup)) {
    for (const day of daysOf(setup.from, setup.to)) {
      expect(byAccountDay.get(`${scope.sid}|${day}`) ?? 0n, `Σ usage_costs of ${scope.sid} on ${day}`).to.equal(totalOf(usageOn(setup.dataset, scope, day)));
    }
  }
  const main = { sid: setup.dataset.mainAccountSid, includeSubaccounts: true };
  for (const day of daysOf(setup.from, setup.to)) expect(byDay.get(day) ?? 0n, `whole bill on ${day}`).to.equal(totalOf(usageOn(setup.dataset, main, day)));
}

/** The records and the final state of both usage streams equal the dataset. */
export function expectUsageEqualsDataset(rows: { usage_records: readonly Row[]; usage_costs: readonly Row[] }, setup: UsageSetup): void {
  expectUsageRecordsEqualDataset(rows.usage_records, setup);
  expectCostsReconcile(rows.usage_costs, setup);
}

interface Cursor {
  start_date: string;
}

export function cursorsOf(state: Message): Record<string, Cursor> {
  return (state.state.stream.stream_state as { accounts: Record<string, Cursor> }).accounts;
}

/**
 * Every STATE claims only what was emitted before it: for each cursor, every day up to it has all
 * its records (usage_records) or reconciles (usage_costs), counting the records emitted earlier in
 * `messages` and the rows `before` (what an earlier run committed).
 */
export function expectEveryStateValid(messages: readonly Message[], setup: UsageSetup, before: { usage_records: readonly Row[]; usage_costs: readonly Row[] } = { usage_records: [], usage_costs: [] }): number {
  const records = new Map<string, Row>();
  for (const row of before.usage_records) records.set(recordKey(row), row);
  const costs = new Map<string, Row>();
  const costKey = (row: Row): string => `${String(row.account_sid)}|${String(row.category)}|${String(row.start_date)}`;
  for (const row of before.usage_costs) costs.set(costKey(row), row);
  const scopes = new Map(readScopes(setup).map((scope) => [scope.sid, scope]));
  let checked = 0;
  for (const message of messages) {
    if (message.type === 'RECORD' && message.record.stream === 'usage_records') records.set(recordKey(message.record.data), message.record.data);
    if (message.type === 'RECORD' && message.record.stream === 'usage_costs') costs.set(costKey(message.record.data), message.record.data);
    if (message.type !== 'STATE') continue;
    const stream = String(message.state.stream.stream_descriptor.name);
    if (stream !== 'usage_records' && stream !== 'usage_costs') continue;
    for (const [id, cursor] of Object.entries(cursorsOf(message))) {
      const through = cursor.start_date < setup.to ? cursor.start_date : setup.to;
      const scope = scopes.get(id);
      for (const day of daysOf(setup.from, through)) {
        if (stream === 'usage_records') {
          expect(scope, `a usage_records cursor for ${id}, which is not read`).to.not.equal(undefined);
          for (const [category, usage] of usageOn(setup.dataset, scope as ReadScope, day)) {
            const row = records.get(`${id}|${category}|${day}|${day}`);
            expect(row && exact(row.price), `a usage_records state claims ${id} through ${cursor.start_date}, before ${category} on ${day} was emitted`).to.equal(usage.price);
          }
        } else if (scope) {
          let sum = 0n;
          for (const row of costs.values()) if (row.account_sid === id && row.start_date === day && row.category !== RESIDUAL_CATEGORY) sum += exact(row.price);
          expect(sum, `a usage_costs state claims ${id} through ${cursor.start_date}, before ${day} reconciled`).to.equal(totalOf(usageOn(setup.dataset, scope, day)));
        } else {
          // The residual scope: the unattributed row of the day holds the rest of the whole bill.
          const row = costs.get(`${setup.dataset.mainAccountSid}|${RESIDUAL_CATEGORY}|${day}`);
          expect(row ? exact(row.price) : 0n, `a usage_costs state claims ${id} through ${cursor.start_date}, before the residual of ${day}`).to.equal(residualOn(setup, day));
        }
      }
      checked += 1;
    }
  }
  return checked;
}

/**
 * Along the states given, in order, per stream: no cursor's start_date decreases, and no cursor
 * disappears (a state without it would send that account back to start_date).
 */
export function expectNoStateMovesBackwards(states: readonly Message[]): void {
  const last = new Map<string, Map<string, string>>();
  for (const state of states) {
    const stream = String(state.state.stream.stream_descriptor.name);
    const cursors = cursorsOf(state);
    const previous = last.get(stream) ?? new Map<string, string>();
    for (const [id, before] of previous) {
      const now = cursors[id]?.start_date;
      expect(now, `a ${stream} state drops the cursor of ${id} (was ${before})`).to.not.equal(undefined);
      expect((now as string) >= before, `${stream} cursor of ${id} moved back from ${before} to ${String(now)}`).to.equal(true);
    }
    last.set(stream, new Map(Object.entries(cursors).map(([id, cursor]) => [id, cursor.start_date])));
  }
}

export interface UsageRows {
  usage_records: Row[];
  usage_costs: Row[];
}

const isUsageStream = (name: unknown): name is keyof UsageRows => name === 'usage_records' || name === 'usage_costs';

/** Per usage stream, the records emitted before its last STATE: what a destination has committed. */
export function committedRows(messages: readonly Message[]): UsageRows {
  const committed: UsageRows = { usage_records: [], usage_costs: [] };
  const pending: UsageRows = { usage_records: [], usage_costs: [] };
  for (const message of messages) {
    const stream: unknown = message.type === 'RECORD' ? message.record.stream : message.type === 'STATE' ? message.state.stream.stream_descriptor.name : undefined;
    if (!isUsageStream(stream)) continue;
    if (message.type === 'RECORD') {
      pending[stream].push(message.record.data);
    } else {
      committed[stream].push(...pending[stream]);
      pending[stream] = [];
    }
  }
  return committed;
}

/** Every record of the usage streams. */
export function allRows(messages: readonly Message[]): UsageRows {
  const rows: UsageRows = { usage_records: [], usage_costs: [] };
  for (const message of messages) {
    const stream: unknown = message.type === 'RECORD' ? message.record.stream : undefined;
    if (isUsageStream(stream)) rows[stream].push(message.record.data);
  }
  return rows;
}

/** The last STATE of each stream, as the --state input of the next attempt. */
export function lastStates(messages: readonly Message[]): unknown[] {
  const byStream = new Map<string, unknown>();
  for (const message of messages) if (message.type === 'STATE') byStream.set(String(message.state.stream.stream_descriptor.name), message.state);
  return [...byStream.values()];
}

const STACK_FRAME = /\n\s+at \S|\bat (?:async )?\S+ \(\/|\(node:internal|\.[jt]s:\d+:\d+\)/;

/** No stack trace anywhere but in a TRACE ERROR's stack_trace field; none on stderr either. */
export function expectNoStackTraceOutsideStackTraceFields(messages: readonly Message[], stderr: string): void {
  expect(STACK_FRAME.test(stderr), `a stack trace on stderr: ${stderr.slice(0, 300)}`).to.equal(false);
  for (const message of messages) {
    let shown: unknown = message;
    if (message.type === 'TRACE' && message.trace.type === 'ERROR') {
      const { stack_trace: _stackTrace, ...error } = message.trace.error as Record<string, unknown>;
      shown = error;
    }
    const text = JSON.stringify(shown).replace(/\\n/g, '\n');
    expect(STACK_FRAME.test(text), `a stack trace in a ${message.type} message: ${text.slice(0, 300)}`).to.equal(false);
  }
}
