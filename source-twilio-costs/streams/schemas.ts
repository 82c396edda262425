import { readFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_ROOT } from '../config';
import type { JsonObject } from '../protocol/messages';

/** A stream's JSON Schema, from schemas/<stream>.json (the file is named after the stream). */
export function loadStreamSchema(streamName: string): JsonObject {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'schemas', `${streamName}.json`), 'utf8')) as JsonObject;
}
