/**
 * CAT's record checks for a basic read (test_core.py TestBasicRead): Draft-7 validation with strict
 * integers and checked date/date-time formats, the structure check, and (fail_on_extra_columns) no
 * top-level field the schema does not declare.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import type { JsonObject } from './harness';

/** CAT's date-time shape; it then asks pendulum to parse the value, here Date.parse. */
const CAT_DATE_TIME = /^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$/;
/** Ours, stricter: a full RFC 3339 timestamp with its offset, as timestamp_with_timezone needs. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isCatDateTime(value: string): boolean {
  return CAT_DATE_TIME.test(value) && RFC3339_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** One validator per stream schema. Ajv's `integer` rejects 1.5, and JSON 1.0 parses to 1, as CAT's strict integers want. */
export function recordValidator(schema: JsonObject): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: isCatDateTime });
  return ajv.compile(schema);
}

/** The field paths a record has: /a, /a/b, /list/[] and so on. */
export function recordPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item) => recordPaths(item, `${prefix}/[]`))].filter((path) => path !== '');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [`${prefix}/${key}`, ...recordPaths(item, `${prefix}/${key}`)]);
  }
  return prefix === '' ? [] : [prefix];
}

/** The field paths a schema declares, through properties, items and oneOf/anyOf branches. */
export function schemaPaths(schema: unknown, prefix = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonObject;
  const paths: string[] = [];
  for (const [key, child] of Object.entries((node.properties ?? {}) as JsonObject)) paths.push(`${prefix}/${key}`, ...schemaPaths(child, `${prefix}/${key}`));
  if (node.items) paths.push(`${prefix}/[]`, ...schemaPaths(node.items, `${prefix}/[]`));
  for (const branch of [...((node.oneOf ?? []) as unknown[]), ...((node.anyOf ?? []) as unknown[])]) paths.push(...schemaPaths(branch, prefix));
  return [...new Set(paths)];
}

/** Every problem of one record against its stream's schema; empty when it passes. */
export function recordProblems(data: JsonObject, schema: JsonObject, validate: ValidateFunction): string[] {
  const problems: string[] = [];
  if (!validate(data)) problems.push(...(validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`));
  const declared = new Set(schemaPaths(schema));
  if (!recordPaths(data).some((path) => declared.has(path))) problems.push('shares no field with its schema');
  const properties = (schema.properties ?? {}) as JsonObject;
  for (const field of Object.keys(data)) if (!(field in properties)) problems.push(`/${field} is not in the schema`);
  return problems;
}

/** A primary key's value in a record: one value per key path. */
export function primaryKeyOf(data: JsonObject, primaryKey: readonly string[][]): unknown[] {
  return primaryKey.map((path) => path.reduce<unknown>((value, field) => (typeof value === 'object' && value !== null ? (value as JsonObject)[field] : undefined), data));
}
