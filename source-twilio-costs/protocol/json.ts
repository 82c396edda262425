import { ConfigError } from './errors';
import type { JsonObject } from './messages';

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the text of an input file. A syntax error is described by line and column only: V8's own
 * message quotes the text around the error, and a config file holds secrets.
 */
export function parseJsonInput(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${what} is not valid JSON (${syntaxErrorPlace(error, text)}).`);
  }
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
