/**
 * Plan parity (issue 10): dense and sparse reads emit identical rows.
 *
 * The connector reads a usage window densely (Daily.json, every category) or sparsely
 * (Daily.json?Category=… per needed category), choosing by request count (usage/fetch-plan.ts).
 * That choice is about cost only: whatever a read is given, the usage streams' records and final
 * states must not depend on it. SOURCE_TWILIO_COSTS_FETCH_PLAN forces a plan, so a black-box case
 * that reads usage rows checks this by reading its input again under the plans it did not use and
 * comparing the outputs record by record.
 *
 * Each comparison read runs against its own fault-free simulator over the same dataset, so it
 * neither adds to the case's request log nor meets the case's faults (which are drawn per request,
 * so another plan would meet others). A case whose read met faults and still completed is thus
 * compared with clean reads, which is what its data must equal anyway.
 *
 * Every comparison costs two more reads, so `npm test` compares one representative read of each
 * kind (a suite's strongest: the year whose leaves are checked against the truth, an incremental
 * re-read, API-key mode, a fault, a skipped subaccount, a resume, a read without the window cache,
 * a sync before and after a restatement, an acceptance read); the other reads with usage rows are
 * compared only when TEST_PLAN_PARITY=all (COMPARE_EVERY_READ), each with a comment naming where
 * its kind is compared. A new kind of read ends with
 * `await expectEveryPlanReadsTheSame(result.messages, { dataset, config, catalog, state, env })`,
 * called before the case changes the dataset (a restatement), since the comparison reads it as it
 * is then; a read of a kind already compared calls it under `if (COMPARE_EVERY_READ)`. A case that
 * leaves it out altogether says why: it fails on purpose or is cut short.
 */
import { expect } from 'chai';

import type { Dataset } from '../../tools/simulator/dataset';
import { startSimulator } from '../../tools/simulator/server';
import { canonicalJson } from './canonical-json';
import { runCli } from './cli';
import { expectWellFormedRead, type Message, traceErrors } from './protocol';

/** How a read chooses its fetch plans: the connector's own choice, or one plan forced for every window. */
export type FetchPlanChoice = 'auto' | 'dense' | 'sparse';
const FETCH_PLAN_CHOICES: readonly FetchPlanChoice[] = ['auto', 'dense', 'sparse'];

/** The environment that makes the connector read with `plan`. */
export function fetchPlanEnv(plan: FetchPlanChoice): Record<string, string> {
  return plan === 'auto' ? {} : { SOURCE_TWILIO_COSTS_FETCH_PLAN: plan };
}

/** The streams whose rows come from usage windows, by primary key (as the README documents them). */
export const PLAN_DEPENDENT_STREAMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['usage_records', ['account_sid', 'category', 'start_date', 'end_date']],
  ['usage_costs', ['account_sid', 'category', 'start_date']],
  ['focus_costs', ['x_AccountSid', 'x_TwilioCategory', 'ChargePeriodStart']],
  ['usage_categories', ['category']],
]);

/**
 * Fields that differ between any two reads of the same data, plan or not: Twilio's `as_of` is the
 * time it computed the answer (acceptance-test-config.yml ignores it for the same reason).
 */
export const VOLATILE_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([['usage_records', ['as_of']]]);

/**
 * Whether to compare the plans on every read with usage rows, not only on the representative ones:
 * TEST_PLAN_PARITY=all, worth running when the planner, the reader or a stream changes. Cases
 * compared only then show as pending in `npm test`.
 */
export const COMPARE_EVERY_READ = process.env.TEST_PLAN_PARITY === 'all';

/** What a read was given: the same input must give the same output, whatever the plan. */
export interface DatasetReadInput {
  dataset: Dataset;
  config: unknown;
  catalog: unknown;
  state?: unknown;
  /** The environment of the read besides TWILIO_API_BASE_URL and the plan, which the comparison sets. */
  env?: Readonly<Record<string, string>>;
}

/**
 * The part of a read's output that must not depend on the plan: per plan-dependent stream, every
 * record (data only, so no emitted_at; volatile fields left out) by primary key, and the stream
 * state of the stream's last STATE. LOG and TRACE messages are left out: they describe the plan.
 * A key emitted twice keeps both records, so a plan that repeats or drops a row shows too. Amounts
 * are compared as parsed JSON numbers: the simulator's are whole nano-units, which a double holds
 * exactly.
 */
interface PlanIndependentOutput {
  /** Stream → JSON of the primary key's values → the data of every record with that key. */
  records: Map<string, Map<string, Array<Record<string, unknown>>>>;
  /** Stream → canonical JSON of its last stream_state. */
  finalStates: Map<string, string>;
}

/** The plan-independent output of reads already taken apart: a reference read is compared with each other plan's. */
const planIndependentOutputs = new WeakMap<readonly Message[], PlanIndependentOutput>();

function planIndependentOutput(messages: readonly Message[]): PlanIndependentOutput {
  const known = planIndependentOutputs.get(messages);
  if (known !== undefined) return known;
  const records = new Map<string, Map<string, Array<Record<string, unknown>>>>();
  const finalStates = new Map<string, string>();
  for (const message of messages) {
    if (message.type === 'RECORD') {
      const stream = String(message.record.stream);
      const key = PLAN_DEPENDENT_STREAMS.get(stream);
      if (key === undefined) continue;
      const data = message.record.data as Record<string, unknown>;
      let byKey = records.get(stream);
      if (byKey === undefined) records.set(stream, (byKey = new Map<string, Array<Record<string, unknown>>>()));
      // Key fields are scalars, whose JSON is canonical.
      const id = JSON.stringify(key.map((field) => data[field]));
      const withKey = byKey.get(id);
      if (withKey === undefined) byKey.set(id, [data]);
      else withKey.push(data);
    } else if (message.type === 'STATE' && message.state.type === 'STREAM') {
      const stream = String(message.state.stream.stream_descriptor.name);
      if (PLAN_DEPENDENT_STREAMS.has(stream)) finalStates.set(stream, canonicalJson(message.state.stream.stream_state));
    }
  }
  const output = { records, finalStates };
  planIndependentOutputs.set(messages, output);
  return output;
}

/** A record's data as canonical JSON, without the fields no plan decides: to show, and to compare records that share a key. */
function recordText(data: Record<string, unknown>, volatile: readonly string[]): string {
  if (volatile.length === 0) return canonicalJson(data);
  const kept: Record<string, unknown> = {};
  for (const field of Object.keys(data)) if (!volatile.includes(field)) kept[field] = data[field];
  return canonicalJson(kept);
}

/**
 * Whether two records hold the same fields with the same values, volatile fields aside. Compared
 * field by field rather than as text: a year's read is some hundred thousand records a plan.
 */
function sameRecord(a: Record<string, unknown>, b: Record<string, unknown>, volatile: readonly string[]): boolean {
  const fields = Object.keys(a).filter((field) => !volatile.includes(field));
  if (fields.length !== Object.keys(b).filter((field) => !volatile.includes(field)).length) return false;
  return fields.every((field) => Object.hasOwn(b, field) && sameValue(a[field], b[field]));
}

const sameValue = (left: unknown, right: unknown): boolean => left === right || (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null && canonicalJson(left) === canonicalJson(right));

/** Whether two lists of records with the same key are the same, in any order. */
function sameRecords(left: ReadonlyArray<Record<string, unknown>>, right: ReadonlyArray<Record<string, unknown>>, volatile: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  if (left.length === 1) return sameRecord(left[0] as Record<string, unknown>, right[0] as Record<string, unknown>, volatile);
  const texts = (records: ReadonlyArray<Record<string, unknown>>): string =>
    records
      .map((data) => recordText(data, volatile))
      .sort()
      .join('\n');
  return texts(left) === texts(right);
}

/** Differences shown per stream and in all, at most: enough to see the pattern, short enough to read. */
const SHOWN_DIFFERENCES = 5;

/**
 * How the plan-dependent output of read `b` differs from that of read `a`, in words (empty when
 * they are the same): records missing, extra or different by primary key, and final states.
 */
export function planOutputDifferences(a: { label: string; messages: readonly Message[] }, b: { label: string; messages: readonly Message[] }): string[] {
  const left = planIndependentOutput(a.messages);
  const right = planIndependentOutput(b.messages);
  const differences: string[] = [];
  const streams = new Set([...left.records.keys(), ...right.records.keys(), ...left.finalStates.keys(), ...right.finalStates.keys()]);
  for (const stream of [...streams].sort()) {
    const volatile = VOLATILE_FIELDS.get(stream) ?? [];
    const leftRecords = left.records.get(stream) ?? new Map<string, Array<Record<string, unknown>>>();
    const rightRecords = right.records.get(stream) ?? new Map<string, Array<Record<string, unknown>>>();
    const keys = [...new Set([...leftRecords.keys(), ...rightRecords.keys()])].sort();
    const differing = keys.filter((key) => !sameRecords(leftRecords.get(key) ?? [], rightRecords.get(key) ?? [], volatile));
    const shown = (records: ReadonlyArray<Record<string, unknown>> | undefined): string =>
      (records ?? [])
        .map((data) => recordText(data, volatile))
        .sort()
        .join(' | ') || '(none)';
    for (const key of differing.slice(0, SHOWN_DIFFERENCES)) {
      differences.push(`${stream} ${key}:\n    ${a.label}: ${shown(leftRecords.get(key))}\n    ${b.label}: ${shown(rightRecords.get(key))}`);
    }
    if (differing.length > SHOWN_DIFFERENCES) differences.push(`${stream}: ${differing.length - SHOWN_DIFFERENCES} more keys differ`);
    if (left.finalStates.get(stream) !== right.finalStates.get(stream)) {
      differences.push(`${stream} final state:\n    ${a.label}: ${left.finalStates.get(stream) ?? '(none)'}\n    ${b.label}: ${right.finalStates.get(stream) ?? '(none)'}`);
    }
  }
  return differences;
}

/** Records of the plan-dependent streams in a read's output. */
export function planDependentRecordCount(messages: readonly Message[]): number {
  return messages.filter((message) => message.type === 'RECORD' && PLAN_DEPENDENT_STREAMS.has(String(message.record.stream))).length;
}

/** The streams a configured catalog names. */
function catalogStreams(catalog: unknown): string[] {
  return ((catalog as { streams?: Array<{ stream?: { name?: string } }> }).streams ?? []).map((entry) => String(entry.stream?.name));
}

/** Reads `input` under `plan` against a fresh fault-free simulator over the input's dataset, and checks it succeeded. */
async function readUnderPlan(input: DatasetReadInput, plan: FetchPlanChoice): Promise<Message[]> {
  const simulator = await startSimulator({ dataset: input.dataset });
  try {
    const withState = input.state !== undefined;
    const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}', ...(withState ? ['--state', '{state.json}'] : [])], {
      env: { ...input.env, TWILIO_API_BASE_URL: simulator.baseUrl, ...fetchPlanEnv(plan) },
      files: { 'config.json': input.config, 'catalog.json': input.catalog, ...(withState ? { 'state.json': input.state } : {}) },
      // The reference read was validated message by message; this one repeats it to be compared.
      jsonOnly: true,
    });
    expect(result.exitCode, `the ${plan} plan's read: ${result.stderr}`).to.equal(0);
    expect(traceErrors(result.messages), `the ${plan} plan's read`).to.deep.equal([]);
    expectWellFormedRead(result.messages, catalogStreams(input.catalog));
    return result.messages;
  } finally {
    await simulator.close();
  }
}

/**
 * Issue 10's check for one black-box case: `reference` is the output of a successful read of
 * `input` under `referencePlan` (the connector's own choice, unless the case forced one); the input
 * is read again under each other plan, side by side, and every read must emit the same records of
 * the usage streams, by primary key and field by field, and the same final states.
 */
export async function expectEveryPlanReadsTheSame(reference: readonly Message[], input: DatasetReadInput, referencePlan: FetchPlanChoice = 'auto'): Promise<void> {
  // A reference without usage rows would make the comparison pass whatever the plans emit.
  expect(planDependentRecordCount(reference), 'usage rows in the read whose plans are compared').to.be.greaterThan(0);
  const others = FETCH_PLAN_CHOICES.filter((plan) => plan !== referencePlan);
  const outputs = await Promise.all(others.map((plan) => readUnderPlan(input, plan)));
  others.forEach((plan, index) => {
    const differences = planOutputDifferences({ label: `${referencePlan} plan`, messages: reference }, { label: `${plan} plan`, messages: outputs[index] as Message[] });
    if (differences.length > 0) expect.fail(`the ${plan} plan does not emit what the ${referencePlan} plan emits:\n${differences.join('\n')}`);
  });
}
