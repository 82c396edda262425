/**
 * The acceptance harness: runs the built connector the way Airbyte's Connector Acceptance Tests
 * (CAT) run its image (config, catalog and state as files, stdout parsed as protocol messages)
 * against the local Twilio simulator, driven by acceptance-test-config.yml.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import { expect } from 'chai';
import { parse } from 'yaml';

import { sampleDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { canonicalJson } from '../helpers/canonical-json';
import { type CliResult, runCli } from '../helpers/cli';
import { COMPARE_EVERY_READ, expectEveryPlanReadsTheSame, planDependentRecordCount } from '../helpers/plan-parity';
import { type Message, ofType } from '../helpers/protocol';
import { ACCEPTANCE_CONFIG_SCHEMA } from './acceptance-config-schema';

export const ROOT = path.resolve(__dirname, '../..');

/** CAT's default config path. Our suite reads the simulator's config in its place. */
export const SECRETS_CONFIG_PATH = 'secrets/config.json';
export const SIMULATOR_CONFIG_PATH = 'integration_tests/simulator_config.json';

export type JsonObject = { [key: string]: unknown };

export function readJson<T = JsonObject>(relative: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, relative), 'utf8')) as T;
}

export interface IgnoredField {
  name: string;
  bypass_reason?: string;
}
type IgnoredFields = Record<string, IgnoredField[]>;

/** The parts of CAT's acceptance-test-config.yml this suite reads (the file is validated whole). */
export interface AcceptanceConfig {
  connector_image: string;
  test_strictness_level?: 'high' | 'low';
  acceptance_tests: {
    spec: { tests: Array<{ spec_path?: string; config_path?: string }> };
    connection: { tests: Array<{ config_path?: string; status?: 'succeed' | 'failed' | 'exception' }> };
    discovery: { tests: Array<{ config_path?: string }> };
    basic_read: {
      tests: Array<{
        config_path?: string;
        configured_catalog_path?: string;
        empty_streams?: Array<{ name: string; bypass_reason?: string }>;
        expect_records?: { path?: string; exact_order?: boolean; bypass_reason?: string };
        ignored_fields?: IgnoredFields;
        validate_schema?: boolean;
      }>;
    };
    full_refresh: { tests: Array<{ config_path?: string; configured_catalog_path?: string; ignored_fields?: IgnoredFields }> };
    incremental: {
      tests: Array<{
        config_path?: string;
        configured_catalog_path?: string;
        future_state?: { future_state_path?: string; missing_streams?: Array<{ name: string; bypass_reason?: string }>; bypass_reason?: string };
        skip_comprehensive_incremental_tests?: boolean;
      }>;
    };
  };
}

/** At the connector root, where CAT looks for it; every path inside is relative to the root. */
export const ACCEPTANCE_CONFIG_PATH = 'acceptance-test-config.yml';

/** Parses acceptance-test-config.yml and checks it against CAT's format (unknown keys are errors, as in CAT). */
export function loadAcceptanceConfig(): AcceptanceConfig {
  const parsed: unknown = parse(readFileSync(path.join(ROOT, ACCEPTANCE_CONFIG_PATH), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(ACCEPTANCE_CONFIG_SCHEMA);
  if (!validate(parsed)) throw new Error(`${ACCEPTANCE_CONFIG_PATH} is not in CAT's format: ${JSON.stringify(validate.errors)}`);
  return parsed as AcceptanceConfig;
}

/** The first test of a section: CAT runs each; this project declares one per section. */
export function firstTest<T>(section: { tests: T[] }): T {
  expect(section.tests.length, 'a section declares its test').to.be.greaterThan(0);
  return section.tests[0] as T;
}

/** A config named in acceptance-test-config.yml; secrets/config.json means the simulator's. */
export function configAt(configPath: string | undefined): JsonObject {
  return readJson(configPath === undefined || configPath === SECRETS_CONFIG_PATH ? SIMULATOR_CONFIG_PATH : configPath);
}

/** Fields that legitimately differ between two reads of the same data, per stream, from every ignored_fields of the config. */
export function volatileFields(config: AcceptanceConfig): Map<string, Set<string>> {
  const fields = new Map<string, Set<string>>();
  const sections = [firstTest(config.acceptance_tests.basic_read).ignored_fields, firstTest(config.acceptance_tests.full_refresh).ignored_fields];
  for (const section of sections) {
    for (const [stream, ignored] of Object.entries(section ?? {})) {
      const set = fields.get(stream) ?? new Set<string>();
      for (const field of ignored) set.add(field.name);
      fields.set(stream, set);
    }
  }
  return fields;
}

export function withoutFields(data: JsonObject, fields: ReadonlySet<string> | undefined): JsonObject {
  if (!fields || fields.size === 0) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !fields.has(key)));
}

/** DeepDiff(ignore_order=True) is empty exactly when the two lists are equal as multisets. */
export function sameMultiset(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string, number>();
  for (const item of a) counts.set(canonicalJson(item), (counts.get(canonicalJson(item)) ?? 0) + 1);
  for (const item of b) {
    const key = canonicalJson(item);
    const left = counts.get(key) ?? 0;
    if (left === 0) return false;
    counts.set(key, left - 1);
  }
  return true;
}

// ---- catalogs ---------------------------------------------------------------------------------

export interface DiscoveredStream {
  name: string;
  namespace?: string;
  json_schema: JsonObject;
  supported_sync_modes: string[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
}

export interface ConfiguredStream {
  stream: DiscoveredStream;
  sync_mode: string;
  destination_sync_mode: string;
  cursor_field?: string[];
  primary_key?: string[][];
}

export interface ConfiguredCatalog {
  streams: ConfiguredStream[];
}

/** CAT's catalog for a basic read at high strictness: every discovered stream but the empty ones, first sync mode. */
export function catalogFromDiscovery(streams: readonly DiscoveredStream[], emptyStreams: readonly string[] = []): ConfiguredCatalog {
  return {
    streams: streams
      .filter((stream) => !emptyStreams.includes(stream.name))
      .map((stream) => ({
        stream,
        sync_mode: stream.supported_sync_modes[0] as string,
        destination_sync_mode: 'append',
        ...(stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
        ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
      })),
  };
}

/** CAT's configured catalog from a file: each entry's stream object replaced by the discovered one. */
export function configuredCatalogFromFile(relative: string, discovered: readonly DiscoveredStream[]): ConfiguredCatalog {
  const file = readJson<ConfiguredCatalog>(relative);
  return {
    streams: file.streams.map((entry) => {
      const stream = discovered.find((candidate) => candidate.name === entry.stream.name);
      expect(stream, `${relative} names ${entry.stream.name}, which discover does not list`).to.not.equal(undefined);
      return { ...entry, stream: stream as DiscoveredStream };
    }),
  };
}

/** The streams of a catalog that support a sync mode, with that mode forced (CAT's full_refresh and incremental catalogs). */
export function restrictToMode(catalog: ConfiguredCatalog, mode: 'full_refresh' | 'incremental'): ConfiguredCatalog {
  return {
    streams: catalog.streams
      .filter((entry) => entry.stream.supported_sync_modes.includes(mode))
      .map((entry) => {
        if (mode === 'full_refresh') return { ...entry, sync_mode: mode };
        const cursor = entry.cursor_field ?? entry.stream.default_cursor_field;
        expect(cursor, `incremental stream ${entry.stream.name} has a cursor`).to.not.equal(undefined);
        return { ...entry, sync_mode: mode, cursor_field: cursor as string[] };
      }),
  };
}

export const streamNames = (catalog: ConfiguredCatalog): string[] => catalog.streams.map((entry) => entry.stream.name);

// ---- state ------------------------------------------------------------------------------------

export type StateInput = Array<{ type: 'STREAM'; stream: { stream_descriptor: { name: string; namespace?: string }; stream_state: JsonObject } }>;

/** CAT's state input after a read: the latest stream_state per stream, as a list of STREAM states. */
export function latestStateInput(messages: readonly Message[], carried: StateInput = []): StateInput {
  const latest = new Map<string, StateInput[number]>();
  for (const entry of carried) latest.set(entry.stream.stream_descriptor.name, entry);
  for (const message of ofType([...messages], 'STATE')) {
    expect(message.state.type, 'a STREAM state').to.equal('STREAM');
    const descriptor = message.state.stream.stream_descriptor as { name: string; namespace?: string };
    latest.set(descriptor.name, { type: 'STREAM', stream: { stream_descriptor: descriptor, stream_state: message.state.stream.stream_state as JsonObject } });
  }
  return [...latest.values()];
}

// ---- running the connector --------------------------------------------------------------------

/** Values of the config's fields that the spec marks airbyte_secret. */
export function secretValues(spec: JsonObject, config: unknown): string[] {
  const secrets: string[] = [];
  const walk = (schema: unknown, value: unknown): void => {
    if (typeof schema !== 'object' || schema === null || typeof value !== 'object' || value === null) return;
    const node = schema as JsonObject;
    const properties = (node.properties ?? {}) as Record<string, JsonObject>;
    for (const [key, property] of Object.entries(properties)) {
      const item = (value as JsonObject)[key];
      if (property.airbyte_secret === true && (typeof item === 'string' || typeof item === 'number')) secrets.push(String(item));
      walk(property, item);
    }
    for (const branch of (node.oneOf ?? []) as unknown[]) walk(branch, value);
  };
  walk(spec.connectionSpecification, config);
  return secrets.filter((secret) => secret.length > 0);
}

export interface ReadInput {
  config: JsonObject;
  catalog: unknown;
  state?: unknown;
  /**
   * Compare the read across fetch plans: the basic read of every stream does, as the acceptance
   * suite's representative; TEST_PLAN_PARITY=all compares every read.
   */
  comparePlans?: boolean;
}

/**
 * The connector as CAT sees it, with output hygiene asserted on every run: runCli already parses
 * every stdout line as a valid AirbyteMessage whose payload matches its type; here, no secret of the
 * config appears in stdout or stderr, and a read speaks only of the streams it was configured with.
 * Beyond CAT, a read that succeeds with usage rows must read the same under every fetch plan.
 */
export class AcceptanceConnector {
  /** Inputs already compared across plans: a case that repeats a read (full refresh) pays once. */
  private readonly planComparedInputs = new Set<string>();

  private constructor(
    readonly simulator: RunningSimulator,
    private readonly specFile: JsonObject,
  ) {}

  static async start(): Promise<AcceptanceConnector> {
    return new AcceptanceConnector(await startSimulator({ dataset: sampleDataset() }), readJson('spec.json'));
  }

  close(): Promise<void> {
    return this.simulator.close();
  }

  private env(): Record<string, string> {
    // A STATE after every finished window, so reads have several checkpoints to resume from.
    return { TWILIO_API_BASE_URL: this.simulator.baseUrl, SOURCE_TWILIO_COSTS_CHECKPOINT_INTERVAL_SECONDS: '0' };
  }

  private expectNoSecrets(result: CliResult, config: unknown): void {
    for (const secret of secretValues(this.specFile, config)) {
      expect(result.stdout.includes(secret), 'a secret of the config in stdout').to.equal(false);
      expect(result.stderr.includes(secret), 'a secret of the config in stderr').to.equal(false);
    }
  }

  async spec(): Promise<CliResult> {
    return runCli(['spec'], { env: this.env() });
  }

  async check(config: JsonObject): Promise<CliResult> {
    const result = await runCli(['check', '--config', '{config.json}'], { env: this.env(), files: { 'config.json': config } });
    this.expectNoSecrets(result, config);
    return result;
  }

  async discover(config: JsonObject): Promise<CliResult> {
    const result = await runCli(['discover', '--config', '{config.json}'], { env: this.env(), files: { 'config.json': config } });
    this.expectNoSecrets(result, config);
    return result;
  }

  async read(input: ReadInput): Promise<CliResult> {
    const files: Record<string, unknown> = { 'config.json': input.config, 'catalog.json': input.catalog };
    const args = ['read', '--config', '{config.json}', '--catalog', '{catalog.json}'];
    if (input.state !== undefined) {
      files['state.json'] = input.state;
      args.push('--state', '{state.json}');
    }
    const result = await runCli(args, { env: this.env(), files });
    this.expectNoSecrets(result, input.config);
    expectOnlyConfiguredStreams(result.messages, input.catalog);
    await this.expectEveryPlanReadsTheSame(input, result);
    return result;
  }

  /**
   * Issue 10 for the acceptance reads asked for, once per distinct input. A read that fails, or reads no
   * usage row (a future state), has no output for a plan to change, so it is not compared.
   */
  private async expectEveryPlanReadsTheSame(input: ReadInput, result: CliResult): Promise<void> {
    if (!(input.comparePlans === true || COMPARE_EVERY_READ) || result.exitCode !== 0 || planDependentRecordCount(result.messages) === 0) return;
    const key = canonicalJson([input.config, input.catalog, input.state ?? null]);
    if (this.planComparedInputs.has(key)) return;
    this.planComparedInputs.add(key);
    await expectEveryPlanReadsTheSame(result.messages, { dataset: this.simulator.dataset, config: input.config, catalog: input.catalog, state: input.state, env: this.env() });
  }

  /** Discovers with a config and returns the streams, after CAT's test_discover assertions. */
  async discoveredStreams(config: JsonObject): Promise<DiscoveredStream[]> {
    const result = await this.discover(config);
    expect(result.exitCode, result.stderr).to.equal(0);
    const catalogs = ofType(result.messages, 'CATALOG');
    expect(catalogs, 'exactly one CATALOG').to.have.length(1);
    return catalogs[0]?.catalog.streams as DiscoveredStream[];
  }
}

/** Records, states and stream statuses of a read name only configured streams, with the same namespace. */
export function expectOnlyConfiguredStreams(messages: readonly Message[], catalog: unknown): void {
  const configured = new Set(((catalog as { streams?: Array<{ stream?: { name?: string; namespace?: string } }> }).streams ?? []).map((entry) => `${entry.stream?.namespace ?? ''}/${entry.stream?.name ?? ''}`));
  for (const message of messages) {
    let key: string | undefined;
    if (message.type === 'RECORD') key = `${message.record.namespace ?? ''}/${message.record.stream}`;
    else if (message.type === 'STATE' && message.state.stream) key = `${message.state.stream.stream_descriptor.namespace ?? ''}/${message.state.stream.stream_descriptor.name}`;
    else if (message.type === 'TRACE' && message.trace.type === 'STREAM_STATUS') {
      const descriptor = message.trace.stream_status.stream_descriptor;
      key = `${descriptor.namespace ?? ''}/${descriptor.name}`;
    }
    if (key !== undefined) expect(configured.has(key), `${message.type} for ${key}, which the catalog does not configure`).to.equal(true);
  }
}

export const recordMessages = (messages: readonly Message[], stream?: string): Message[] => ofType([...messages], 'RECORD').filter((message) => stream === undefined || message.record.stream === stream);

export function hasSecretsConfig(): boolean {
  return existsSync(path.join(ROOT, SECRETS_CONFIG_PATH));
}
