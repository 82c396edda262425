import { ConfigParser, loadSpec, type ResolvedConfig } from '../../../source-twilio-costs/config';
import type { DayRange } from '../../../source-twilio-costs/dates';
import type { JsonObject } from '../../../source-twilio-costs/protocol/messages';
import type { DailyUsage } from '../../../source-twilio-costs/usage/daily-usage';
import type { UsageScope } from '../../../source-twilio-costs/usage/usage-scope';
import type { WindowPlan, WindowRead, WindowReadOptions } from '../../../source-twilio-costs/usage/window-reader';

/** The main account of the configs below. */
export const MAIN_SID = 'AC0123456789abcdef0123456789abcdef';
/** Their "now": today is 2026-11-25, the last complete day 2026-11-24. */
export const NOW = new Date('2026-11-25T10:00:00Z');

/** A config as the connector parses it, with an API key unless `fields` say otherwise. */
export function configOf(fields: JsonObject): ResolvedConfig {
  return new ConfigParser(loadSpec()).parse({ account_sid: MAIN_SID, credentials: { auth_type: 'api_key', api_key_sid: 'SK0123456789abcdef0123456789abcdef', api_key_secret: 'a-secret' }, ...fields }, {}, NOW);
}

export const scopeOf = (accountSid: string, skippable: boolean): UsageScope => ({ id: accountSid, accountSid, includeSubaccounts: false, skippable });

/** A day's usage record of one category, as the window reader hands it on: usage and price the same decimal. */
export function usage(accountSid: string, category: string, day: string, price: string): DailyUsage {
  return {
    accountSid,
    category,
    categoryKey: category.toLowerCase(),
    description: null,
    startDate: day,
    endDate: day,
    count: null,
    countUnit: null,
    usage: price,
    usageUnit: 'usd',
    price,
    priceUnit: 'USD',
    asOf: null,
    apiVersion: null,
    uri: null,
  };
}

export function planOf(needed: readonly string[]): WindowPlan {
  return { kind: 'sparse', listed: new Map(needed.map((category) => [category, [category]])), active: new Set(needed), needed: new Set(needed), requests: 1 + needed.length };
}

/** What the scripted reader does with one window: a plan and rows, or a failure; each step may first wait for the test. */
export interface WindowScript {
  waitFor?: Promise<void>;
  planWaitsFor?: Promise<void>;
  endWaitsFor?: Promise<void>;
  needed?: readonly string[];
  rows?: DailyUsage[];
  failure?: Error;
}

export interface ReaderCall {
  scope: string;
  range: DayRange;
  options: WindowReadOptions;
}

/** A window reader that plays a script per (account, window start) and remembers what it was asked. */
export class ScriptedReader {
  readonly calls: ReaderCall[] = [];

  constructor(private readonly script: (scope: UsageScope, range: DayRange) => WindowScript) {}

  async *read(scope: UsageScope, range: DayRange, _keep: ReadonlySet<string>, options: WindowReadOptions): AsyncGenerator<WindowRead> {
    this.calls.push({ scope: scope.accountSid, range, options });
    const window = this.script(scope, range);
    await window.waitFor;
    if (window.failure) throw window.failure;
    await window.planWaitsFor;
    yield { kind: 'plan', plan: planOf(window.needed ?? []) };
    const rows = window.rows ?? [];
    if (rows.length > 0) yield { kind: 'rows', records: rows };
    await window.endWaitsFor;
    yield { kind: 'chunk-end', range, placement: undefined };
  }

  async dailyTotals(): Promise<DailyUsage[]> {
    return [];
  }
}

export function deferred(): { promise: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}
