import { ConfigError } from './errors';
import type { JsonObject } from './messages';

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deep arrays and objects may nest in an input file. This source's config, catalog and state
 * nest less than 10 levels; validating, cloning or printing a value recurses, so a value nested
 * 100,000 deep would overflow the stack there instead of being refused here.
 */
export const MAX_INPUT_NESTING = 64;

/**
 * Parses the text of an input file. A syntax error is described by line and column only: V8's own
 * message quotes the text around the error, and a config file holds secrets.
 */
export function parseJsonInput(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(what);
    throw new ConfigError(`${what} is not valid JSON (${syntaxErrorPlace(error, text)}).`);
  }
  if (nestingExceeds(value, MAX_INPUT_NESTING)) throw tooDeep(what);
  return value;
}

function tooDeep(what: string): ConfigError {
  return new ConfigError(`${what} nests arrays or objects more than ${MAX_INPUT_NESTING} levels deep; no input of this source is nested that deep.`);
}

/** Whether arrays and objects nest deeper than `limit`, measured without recursion. */
function nestingExceeds(root: unknown, limit: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}

function syntaxErrorPlace(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/i.test(message) || text.trim() === '') return 'it ends too early';
  const position = /at position (\d+)/.exec(message);
  if (!position) return 'a syntax error';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `a syntax error at line ${line}, column ${column}`;
}
