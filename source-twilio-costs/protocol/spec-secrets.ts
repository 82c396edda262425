import { isJsonObject } from './json';
import type { ConnectorSpecification } from './messages';

/** The names of the fields a connection specification marks `airbyte_secret`, at any depth (in every oneOf branch). */
function secretFieldNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) secretFieldNames(item, names);
    return names;
  }
  if (!isJsonObject(schema)) return names;
  if (isJsonObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) if (isJsonObject(property) && property.airbyte_secret === true) names.add(name);
  }
  for (const value of Object.values(schema)) secretFieldNames(value, names);
  return names;
}

/**
 * The text of every field of a raw config that the spec marks secret, wherever it sits: before a
 * config is validated nothing is known of its shape, and a secret must be masked before the first
 * word is logged about the config (a warning that names an unknown field may name a secret pasted
 * as a key). A field is taken by its name at any depth, so a secret misplaced in another branch is
 * still masked.
 */
export function secretsOfRawConfig(spec: ConnectorSpecification, raw: unknown): string[] {
  const names = secretFieldNames(spec.connectionSpecification);
  const secrets: string[] = [];
  const pending: unknown[] = [raw];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (Array.isArray(value)) pending.push(...(value as unknown[]));
    if (!isJsonObject(value)) continue;
    for (const [name, field] of Object.entries(value)) {
      if (names.has(name) && typeof field === 'string') secrets.push(field);
      else pending.push(field);
    }
  }
  return secrets;
}
