/**
 * JSON with object keys sorted at every depth: equal values give equal text. Plan comparisons run
 * it on every record of every read, so an object of plain values (a record's data) is left to
 * JSON.stringify with its sorted keys, several times faster than assembling the text here.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += `${index > 0 ? ',' : ''}${canonicalJson(value[index])}`;
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  // JSON.stringify would leave out an undefined field, and apply the key list to nested objects too.
  if (
    keys.every((key) => {
      const item = object[key];
      return item === null || (typeof item !== 'object' && item !== undefined);
    })
  )
    return JSON.stringify(object, keys);
  let text = '{';
  for (const key of keys) text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(object[key])}`;
  return `${text}}`;
}
