/**
 * Breaking changes between a released spec or catalog and the current one: CAT's SpecDiffChecker
 * and CatalogDiffChecker rules (utils/backward_compatibility.py), plus removed fields and changed
 * primary keys, which break destinations just as surely.
 */
type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const typesOf = (type: unknown): unknown[] => (Array.isArray(type) ? type : [type]);
const show = (path: readonly string[]): string => `/${path.join('/')}`;

/** Calls visit for every object node of the old tree that the new tree still has at the same path. */
function walkBoth(before: unknown, after: unknown, visit: (path: string[], before: Node, after: Node) => void, path: string[] = []): void {
  if (!isNode(before) || !isNode(after)) {
    if (Array.isArray(before) && Array.isArray(after)) before.forEach((item, index) => walkBoth(item, after[index], visit, [...path, String(index)]));
    return;
  }
  visit(path, before, after);
  for (const [key, child] of Object.entries(before)) if (key in after) walkBoth(child, after[key], visit, [...path, key]);
}

/** A type value that changed: for a spec a string may only widen to a list holding it; no list may lose an entry. */
function typeChange(path: string[], before: Node, after: Node, allowWidening: (old: unknown, next: unknown[]) => boolean): string | undefined {
  if (!('type' in before) || path[path.length - 1] === 'properties') return undefined;
  const old = before.type;
  const next = after.type;
  if (JSON.stringify(old) === JSON.stringify(next)) return undefined;
  if (!('type' in after)) return `${show(path)}: type ${JSON.stringify(old)} was removed`;
  if (Array.isArray(old)) {
    const lost = old.filter((entry) => !typesOf(next).includes(entry));
    return lost.length > 0 ? `${show(path)}: type lost ${JSON.stringify(lost)}` : undefined;
  }
  if (Array.isArray(next) && allowWidening(old, next)) return undefined;
  return `${show(path)}: type changed from ${JSON.stringify(old)} to ${JSON.stringify(next)}`;
}

/** Spec rules: no new required key, no changed or narrowed type, no removed enum value, no enum on an old property. */
export function specBreakingChanges(before: Node, after: Node): string[] {
  const problems: string[] = [];
  walkBoth(before.connectionSpecification, after.connectionSpecification, (path, old, next) => {
    if (path[path.length - 1] === 'properties') return;
    if (Array.isArray(next.required)) {
      const oldRequired = Array.isArray(old.required) ? (old.required as unknown[]) : [];
      for (const key of next.required as unknown[]) if (!oldRequired.includes(key)) problems.push(`${show(path)}: ${String(key)} became required`);
    }
    const type = typeChange(path, old, next, (oldType, nextTypes) => nextTypes.includes(oldType));
    if (type) problems.push(type);
    if (Array.isArray(old.enum) && Array.isArray(next.enum)) {
      const kept = new Set((next.enum as unknown[]).map((value) => JSON.stringify(value)));
      for (const value of old.enum) if (!kept.has(JSON.stringify(value))) problems.push(`${show(path)}: enum value ${JSON.stringify(value)} was removed`);
    }
    if (!('enum' in old) && 'enum' in next) problems.push(`${show(path)}: an enum was added to an existing property`);
  });
  return problems;
}

export interface CatalogStream {
  name: string;
  json_schema: Node;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
}

/** Catalog rules: no removed stream or field, no changed type (only [old] or [old, "null"] allowed), same cursor and primary key. */
export function catalogBreakingChanges(before: { streams: CatalogStream[] }, after: { streams: CatalogStream[] }): string[] {
  const problems: string[] = [];
  const current = new Map(after.streams.map((stream) => [stream.name, stream]));
  for (const old of before.streams) {
    const next = current.get(old.name);
    if (!next) {
      problems.push(`stream ${old.name} was removed`);
      continue;
    }
    walkBoth(old.json_schema, next.json_schema, (path, oldNode, nextNode) => {
      if (path[path.length - 1] === 'properties') {
        for (const field of Object.keys(oldNode)) if (!(field in nextNode)) problems.push(`${old.name}${show([...path, field])}: the field was removed`);
        return;
      }
      const type = typeChange(path, oldNode, nextNode, (oldType, nextTypes) => nextTypes.every((entry) => entry === oldType || entry === 'null'));
      if (type) problems.push(`${old.name}${type}`);
    });
    if (JSON.stringify(old.default_cursor_field) !== JSON.stringify(next.default_cursor_field)) {
      problems.push(`${old.name}: default_cursor_field changed from ${JSON.stringify(old.default_cursor_field)} to ${JSON.stringify(next.default_cursor_field)}`);
    }
    if (JSON.stringify(old.source_defined_primary_key) !== JSON.stringify(next.source_defined_primary_key)) {
      problems.push(`${old.name}: primary key changed from ${JSON.stringify(old.source_defined_primary_key)} to ${JSON.stringify(next.source_defined_primary_key)}`);
    }
  }
  return problems;
}

const majorOf = (version: string): number => {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new Error(`not a semantic version: ${version}`);
  return Number(match[1]);
};

/** A breaking change ships only with a new major version. */
export function breakingChangeAllowed(released: string, current: string): boolean {
  return majorOf(current) > majorOf(released);
}
