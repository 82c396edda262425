/**
 * CAT's TestSpec lint rules (test_core.py) over a ConnectorSpecification, as pure functions that
 * return what is wrong (an empty list when the rule holds), each naming the JSON path it objects to.
 */
type Json = unknown;
type Node = Record<string, Json>;
export type Spec = { connectionSpecification: Node; advanced_auth?: Node; [key: string]: Json };

const isNode = (value: Json): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Visit {
  path: string[];
  node: Node;
}

/** Every object node under a root, with its path (array indexes as strings). */
function walk(root: Json, path: string[] = []): Visit[] {
  const visits: Visit[] = [];
  const visit = (value: Json, at: string[]): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...at, String(index)]));
    else if (isNode(value)) {
      visits.push({ path: at, node: value });
      for (const [key, child] of Object.entries(value)) visit(child, [...at, key]);
    }
  };
  visit(root, path);
  return visits;
}

/** True when the last path part is a property name (its parent key is `properties`), not a keyword. */
const isPropertyName = (path: readonly string[], index: number): boolean => path[index - 1] === 'properties';

/** Keys used as keywords at a node: a key of a `properties` object is a property name instead. */
function keywordNodes(root: Json, keyword: string): Visit[] {
  return walk(root).filter(({ node, path }) => keyword in node && path[path.length - 1] !== 'properties');
}

const show = (path: readonly string[]): string => `/${path.join('/')}`;

/** CAT's list of property names that must be secret (test_secret_is_properly_marked). */
export const CAT_SECRET_PROPERTY_NAMES = [
  'client_token',
  'access_token',
  'api_token',
  'token',
  'secret',
  'client_secret',
  'password',
  'key',
  'service_account_info',
  'service_account',
  'tenant_id',
  'certificate',
  'jwt',
  'credentials',
  'app_id',
  'appid',
  'refresh_token',
];
/** Ours, stricter: any property whose name says it holds a secret. */
const SECRET_NAME = /secret|token|password/i;
const RESERVED_PATH_PARTS = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'properties', 'items', 'type', 'prefixItems']);

/** The property a node belongs to: the nearest path part that is neither a keyword nor an index. */
function owningPropertyName(path: readonly string[]): string | undefined {
  for (let index = path.length - 1; index >= 0; index -= 1) {
    const part = path[index] as string;
    if (!/^\d+$/.test(part) && !RESERVED_PATH_PARTS.has(part)) return part;
  }
  return undefined;
}

function canHoldSecret(node: Node): boolean {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return types.some((type) => type === 'string' || type === 'integer' || type === 'number') && !node.const;
}

export function secretsMarked(spec: Spec): string[] {
  const problems: string[] = [];
  for (const { path, node } of walk(spec.connectionSpecification.properties, ['properties'])) {
    if (!('type' in node) || path[path.length - 1] === 'properties') continue;
    const name = owningPropertyName(path);
    if (name === undefined) continue;
    const secretByName = CAT_SECRET_PROPERTY_NAMES.includes(name.toLowerCase()) || SECRET_NAME.test(name);
    if (!secretByName) continue;
    if (canHoldSecret(node) && node.airbyte_secret !== true) problems.push(`${show(path)} may hold a secret but is not airbyte_secret`);
    if (!canHoldSecret(node) && node.airbyte_secret === true) problems.push(`${show(path)} cannot hold a secret but is airbyte_secret`);
  }
  return problems;
}

export function enumsUnique(spec: Spec): string[] {
  return keywordNodes(spec.connectionSpecification, 'enum')
    .filter(({ node }) => Array.isArray(node.enum) && new Set((node.enum as Json[]).map((item) => JSON.stringify(item))).size !== (node.enum as Json[]).length)
    .map(({ path }) => `${show(path)}/enum has duplicates`);
}

/** test_oneof_usage: an object parent, variants with properties, exactly one common `const` discriminator. */
export function oneOfUsage(spec: Spec): string[] {
  const problems: string[] = [];
  for (const keyword of ['oneOf', 'anyOf']) {
    for (const { path, node } of keywordNodes(spec.connectionSpecification, keyword)) {
      const where = `${show(path)}/${keyword}`;
      const variants = node[keyword];
      if (node.type !== 'object') problems.push(`${where}: the parent is not type object`);
      if (!Array.isArray(variants) || !variants.every((variant) => isNode(variant) && isNode(variant.properties))) {
        problems.push(`${where}: every variant needs properties`);
        continue;
      }
      const properties = variants.map((variant) => (variant as Node).properties as Record<string, Node>);
      const common = Object.keys(properties[0] ?? {}).filter((name) => properties.every((props) => name in props));
      if (common.length === 0) {
        problems.push(`${where}: the variants share no property`);
        continue;
      }
      const discriminators = common.filter((name) => properties.every((props) => 'const' in (props[name] as Node)));
      if (discriminators.length !== 1) {
        problems.push(`${where}: ${discriminators.length} common const properties instead of exactly one`);
        continue;
      }
      const discriminator = discriminators[0] as string;
      const values = properties.map((props) => (props[discriminator] as Node).const);
      // Ours, stricter: a discriminator must tell the variants apart.
      if (new Set(values.map((value) => JSON.stringify(value))).size !== values.length) problems.push(`${where}: ${discriminator} repeats a const`);
      properties.forEach((props, index) => {
        const property = props[discriminator] as Node;
        if ('default' in property && property.default !== property.const) problems.push(`${where}/${index}: default differs from const`);
        if ('enum' in property && JSON.stringify(property.enum) !== JSON.stringify([property.const])) problems.push(`${where}/${index}: enum is not [const]`);
      });
    }
  }
  return problems;
}

/** test_property_type_is_not_array: a list type has one entry, or two with "null" second. */
export function nullableTypesAsPairs(spec: Spec): string[] {
  return walk(spec.connectionSpecification)
    .filter(({ path, node }) => isPropertyName(path, path.length - 1) && Array.isArray(node.type))
    .filter(({ node }) => {
      const types = node.type as Json[];
      return !(types.length === 1 || (types.length === 2 && types[1] === 'null'));
    })
    .map(({ path }) => `${show(path)}/type must be [T] or [T, "null"]`);
}

export function objectsNotEmpty(spec: Spec): string[] {
  return walk(spec.connectionSpecification)
    .filter(({ path, node }) => path.length > 0 && node.type === 'object' && !('oneOf' in node))
    .filter(({ node }) => !isNode(node.properties) || Object.keys(node.properties).length === 0)
    .map(({ path }) => `${show(path)} is an object without properties`);
}

export function arrayItemsSimple(spec: Spec): string[] {
  return walk(spec.connectionSpecification)
    .filter(({ node }) => node.type === 'array' && 'items' in node)
    .filter(({ node }) => {
      const items = node.items;
      if (!isNode(items)) return true;
      return !('enum' in items) && !['object', 'string', 'number', 'integer'].includes(items.type as string);
    })
    .map(({ path }) => `${show(path)}/items must be one object schema of type object, string, number or integer, or an enum`);
}

const FORBIDDEN_KEYWORDS = ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', '$ref'];

/** test_forbidden_complex_types and test_defined_refs_exist_in_json_spec_file. */
export function noComplexKeywords(spec: Spec): string[] {
  const problems: string[] = [];
  for (const { path, node } of walk(spec)) {
    if (path[path.length - 1] === 'properties') continue;
    for (const keyword of FORBIDDEN_KEYWORDS) if (keyword in node) problems.push(`${show(path)} uses ${keyword}`);
  }
  return problems;
}

/** test_duplicate_order: within one object's properties, `order` is unique per group. */
export function ordersUnique(spec: Spec): string[] {
  const problems: string[] = [];
  for (const { path, node } of walk(spec.connectionSpecification)) {
    if (!isNode(node.properties) || path[path.length - 1] === 'properties') continue;
    const seen = new Set<string>();
    for (const [name, property] of Object.entries(node.properties)) {
      if (!isNode(property) || !('order' in property)) continue;
      const key = `${JSON.stringify(property.group ?? null)}#${String(property.order)}`;
      if (seen.has(key)) problems.push(`${show(path)}/properties/${name}: order ${String(property.order)} repeats`);
      seen.add(key);
    }
  }
  return problems;
}

/** test_nested_group: `group` only on top-level properties. */
export function groupsTopLevel(spec: Spec): string[] {
  return keywordNodes(spec.connectionSpecification, 'group')
    .filter(({ path }) => !(path.length === 2 && path[0] === 'properties'))
    .map(({ path }) => `${show(path)} has group below the top level`);
}

/** test_display_type: only on a oneOf node, dropdown or radio. */
export function displayTypes(spec: Spec): string[] {
  return keywordNodes(spec.connectionSpecification, 'display_type')
    .filter(({ node }) => !('oneOf' in node) || !['dropdown', 'radio'].includes(node.display_type as string))
    .map(({ path }) => `${show(path)}/display_type must sit on a oneOf and be dropdown or radio`);
}

/** test_additional_properties_is_true: additionalProperties, where present, is true (never false or a schema). */
export function additionalPropertiesTrue(root: Json): string[] {
  return keywordNodes(root, 'additionalProperties')
    .filter(({ node }) => node.additionalProperties !== true)
    .map(({ path }) => `${show(path)}/additionalProperties is not true`);
}

/** test_oauth_flow_parameters: advanced_auth names paths that exist in the config schema. */
export function oauthPathsExist(spec: Spec): string[] {
  const auth = spec.advanced_auth;
  if (!isNode(auth)) return [];
  const exists = (path: readonly string[]): boolean => {
    let node: Json = spec.connectionSpecification;
    for (const part of path) {
      if (!isNode(node) || !isNode(node.properties)) {
        const variants = isNode(node) && Array.isArray(node.oneOf) ? (node.oneOf as Json[]) : [];
        const found = variants.find((variant) => isNode(variant) && isNode(variant.properties) && part in variant.properties);
        if (!found) return false;
        node = ((found as Node).properties as Node)[part];
        continue;
      }
      node = node.properties[part];
      if (node === undefined) return false;
    }
    return true;
  };
  const paths: Array<readonly string[]> = [];
  if (Array.isArray(auth.predicate_key)) paths.push(auth.predicate_key as string[]);
  for (const { node } of walk(auth.oauth_config_specification)) if (Array.isArray(node.path_in_connector_config)) paths.push(node.path_in_connector_config as string[]);
  return paths.filter((path) => !exists(path)).map((path) => `advanced_auth names ${path.join('.')}, which the config schema does not have`);
}

/** Every rule, by the name CAT gives its test. */
export const SPEC_RULES: Record<string, (spec: Spec) => string[]> = {
  test_secret_is_properly_marked: secretsMarked,
  test_enum_usage: enumsUnique,
  test_oneof_usage: oneOfUsage,
  test_property_type_is_not_array: nullableTypesAsPairs,
  test_object_not_empty: objectsNotEmpty,
  test_array_type: arrayItemsSimple,
  test_forbidden_complex_types: noComplexKeywords,
  test_duplicate_order: ordersUnique,
  test_nested_group: groupsTopLevel,
  test_display_type: displayTypes,
  test_additional_properties_is_true: (spec) => additionalPropertiesTrue(spec.connectionSpecification),
  test_oauth_flow_parameters: oauthPathsExist,
};
