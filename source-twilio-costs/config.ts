import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { ErrorObject } from 'ajv';

import { addDays, type Day, dayOf, firstOfMonthBefore, isValidDay, minDay } from './dates';
import type { CONFIG_VALIDATORS } from './generated/config-validators';
import type { SourceConfig } from './generated/types';
import { ConfigError } from './protocol/errors';
import { isJsonObject } from './protocol/json';
import type { ConnectorSpecification } from './protocol/messages';
import { resolveBaseUrl } from './twilio/base-url';

/** The package root, where spec.json and schemas/ live (dist/ sits beside them). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

export function loadSpec(): ConnectorSpecification {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'spec.json'), 'utf8')) as ConnectorSpecification;
}

export type Credentials = { mode: 'api_key'; apiKeySid: string; apiKeySecret: string } | { mode: 'auth_token'; authToken: string };

/** The config after validation, with every default applied. */
export interface ResolvedConfig {
  accountSid: string;
  credentials: Credentials;
  startDate: Day;
  endDate: Day;
  /** Today, UTC: the last day Twilio can have data for (and that day is still incomplete). */
  today: Day;
  lookbackDays: number;
  maxConcurrency: number;
  /** Auth Token mode: the subaccounts to read (undefined = all). */
  subaccountSids: ReadonlySet<string> | undefined;
  baseUrl: URL;
}

const EARLIEST_START: Day = '2008-01-01';

function describeAjvError(error: ErrorObject): string {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'config';
  if (error.keyword === 'required') return `${field === 'config' ? '' : `${field}.`}${String(error.params.missingProperty)} is required`;
  if (error.keyword === 'pattern' && /_sids?(\.\d+)?$/.test(field)) return `${field} is malformed: expected ${field.includes('api_key') ? 'SK' : 'AC'} followed by 32 hex characters`;
  if (error.keyword === 'format') return `${field} must be a real date as YYYY-MM-DD`;
  return `${field} ${error.message ?? 'is invalid'}`;
}

/**
 * spec.json's compiled validators, loaded with the first config parsed: `spec` parses none, and
 * loading them (with ajv's date format) was a sixth of its start. A plain require, since parsing
 * is synchronous.
 */
function configValidators(): typeof CONFIG_VALIDATORS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily and synchronously, as said above: an import would load it with this file
  return (require('./generated/config-validators') as typeof import('./generated/config-validators')).CONFIG_VALIDATORS;
}

/**
 * Validates a raw config against spec.json and resolves defaults. Errors name the field. The
 * `credentials` oneOf is validated against the branch its auth_type names, so the message says
 * what is wrong with that branch rather than listing both. The validators are spec.json's schema
 * compiled at build time (scripts/gen-validators.js), so nothing is compiled when the connector starts.
 */
export class ConfigParser {
  private readonly knownFields: readonly string[];
  private readonly knownBranchFields: Map<string, readonly string[]>;

  constructor(spec: ConnectorSpecification) {
    const schema = spec.connectionSpecification as { properties: Record<string, { oneOf?: Array<{ properties: { auth_type: { const: string } } }> }> };
    const branches = schema.properties.credentials?.oneOf ?? [];
    this.knownFields = Object.keys(schema.properties);
    this.knownBranchFields = new Map(branches.map((branch) => [branch.properties.auth_type.const, Object.keys(branch.properties)]));
  }

  parse(raw: unknown, env: { TWILIO_API_BASE_URL?: string }, now: Date): ResolvedConfig {
    if (!isJsonObject(raw)) throw new ConfigError('The config must be a JSON object.');
    const config = structuredClone(raw) as Record<string, unknown>;
    const problems: string[] = [];
    const validators = configValidators();
    const validateBranch = new Map(Object.entries(validators.credentials));
    if (!validators.root(config)) problems.push(...(validators.root.errors ?? []).map(describeAjvError));
    const credentials = config.credentials;
    if (isJsonObject(credentials)) {
      const authType = credentials.auth_type;
      const validate = typeof authType === 'string' ? validateBranch.get(authType) : undefined;
      if (!validate) {
        problems.push(`credentials.auth_type must be one of ${[...validateBranch.keys()].map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(authType ?? null)}`);
      } else if (!validate(credentials)) {
        problems.push(...(validate.errors ?? []).map((error) => describeAjvError({ ...error, instancePath: `/credentials${error.instancePath}` })));
      }
    }
    if (problems.length > 0) throw new ConfigError(`Invalid config: ${[...new Set(problems)].join('; ')}.`);
    return this.resolve(config as SourceConfig, env, now);
  }

  /**
   * Fields the spec does not name. They are accepted (the spec allows additional properties, so a
   * newer platform may add some), but a misspelt field would otherwise fall back to its default
   * without a word: each gets a warning, with the field it was probably meant to be.
   */
  unknownFields(raw: unknown): string[] {
    if (!isJsonObject(raw)) return [];
    const warnings = describeUnknownFields(raw, this.knownFields, '');
    const credentials = raw.credentials;
    const branchFields = isJsonObject(credentials) ? this.knownBranchFields.get(String(credentials.auth_type)) : undefined;
    if (isJsonObject(credentials) && branchFields) warnings.push(...describeUnknownFields(credentials, branchFields, 'credentials.'));
    return warnings;
  }

  private resolve(config: SourceConfig, env: { TWILIO_API_BASE_URL?: string }, now: Date): ResolvedConfig {
    const today = dayOf(now);
    const startDate = config.start_date ?? firstOfMonthBefore(today, 12);
    const endDate = minDay(config.end_date ?? today, today);
    for (const [field, value] of [
      ['start_date', config.start_date],
      ['end_date', config.end_date],
    ] as const) {
      if (value !== undefined && !isValidDay(value)) throw new ConfigError(`Invalid config: ${field} must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}.`);
    }
    if (startDate < EARLIEST_START) throw new ConfigError(`Invalid config: start_date ${startDate} is before ${EARLIEST_START}; Twilio has no usage that old.`);
    if (startDate > today) throw new ConfigError(`Invalid config: start_date ${startDate} is in the future (today is ${today} UTC).`);
    if (config.end_date !== undefined && config.end_date < startDate) {
      throw new ConfigError(`Invalid config: start_date ${startDate} is after end_date ${config.end_date}.`);
    }
    const credentials: Credentials =
      config.credentials.auth_type === 'api_key'
        ? { mode: 'api_key', apiKeySid: config.credentials.api_key_sid, apiKeySecret: config.credentials.api_key_secret }
        : { mode: 'auth_token', authToken: config.credentials.auth_token };
    if (config.subaccount_sids !== undefined && credentials.mode !== 'auth_token') {
      throw new ConfigError('Invalid config: subaccount_sids needs the auth_token credentials; an API key cannot read subaccounts.');
    }
    return {
      accountSid: normalizeAccountSid(config.account_sid),
      credentials,
      startDate,
      endDate,
      today,
      lookbackDays: config.lookback_days ?? 3,
      maxConcurrency: config.max_concurrency ?? 4,
      subaccountSids: config.subaccount_sids ? new Set(config.subaccount_sids.map(normalizeAccountSid)) : undefined,
      baseUrl: resolveBaseUrl(env.TWILIO_API_BASE_URL),
    };
  }
}

function describeUnknownFields(object: Record<string, unknown>, known: readonly string[], prefix: string): string[] {
  return Object.keys(object)
    .filter((field) => !known.includes(field))
    .map((field) => {
      const closest = known.find((candidate) => editDistance(candidate.toLowerCase(), field.toLowerCase()) <= 2);
      return `The config field "${prefix}${field}" is not a setting of this source and is ignored${closest ? ` (did you mean "${prefix}${closest}"?)` : ''}.`;
    });
}

/** Levenshtein distance, for "did you mean" hints on short field names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * A non-negative number from an environment variable (a tuning knob such as a timeout), or the
 * fallback when it is unset, empty or not such a number: a typo in a knob must not stop a sync.
 */
export function nonNegativeNumberFromEnv(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The last day whose data the cursor may claim as read: yesterday (today is still incomplete). */
export function lastCompleteDay(config: ResolvedConfig): Day {
  return minDay(config.endDate, addDays(config.today, -1));
}

/** Twilio writes SIDs as "AC" + lower-case hex; configs may not. */
export function normalizeAccountSid(sid: string): string {
  return `AC${sid.slice(2).toLowerCase()}`;
}
