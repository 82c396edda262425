import { isJsonObject } from '../protocol/json';
/**
 * A stream's JSON Schema as typed DuckDB columns, and its records as the text DuckDB casts to those
 * types. Values travel as text and are cast by DuckDB, so a decimal printed by the connector
 * ("2192.84855") lands as exactly that DECIMAL, with no float in between. Pure: no DuckDB here.
 */
import type { JsonObject } from '../protocol/messages';

/**
 * Money: the connector prints exact decimals with at most 9 places (see money.ts), so 38 digits
 * with 9 after the point hold every value it can print, exactly.
 */
export const DECIMAL_TYPE = 'DECIMAL(38,9)';

export type ColumnType = 'VARCHAR' | 'BOOLEAN' | 'BIGINT' | typeof DECIMAL_TYPE | 'DATE' | 'TIMESTAMPTZ';

export interface Column {
  name: string;
  type: ColumnType;
}

/** When each row was read: Airbyte's emitted_at, kept so a row's age is visible. */
export const EXTRACTED_AT_COLUMN: Column = { name: '_airbyte_extracted_at', type: 'TIMESTAMPTZ' };

/** The column type of one property schema; anything not a single scalar type is kept as JSON text. */
export function columnTypeOf(property: unknown): ColumnType {
  if (!isJsonObject(property)) return 'VARCHAR';
  const declared = Array.isArray(property.type) ? property.type : [property.type];
  const types = declared.filter((type) => type !== 'null');
  if (types.length !== 1) return 'VARCHAR';
  switch (types[0]) {
    case 'boolean':
      return 'BOOLEAN';
    case 'integer':
      return 'BIGINT';
    case 'number':
      return DECIMAL_TYPE;
    case 'string':
      if (property.format === 'date') return 'DATE';
      if (property.format === 'date-time') return 'TIMESTAMPTZ';
      return 'VARCHAR';
    default:
      return 'VARCHAR';
  }
}

/** One column per schema property, in schema order, then the extraction time. */
export function columnsOf(jsonSchema: JsonObject): Column[] {
  const properties = isJsonObject(jsonSchema.properties) ? jsonSchema.properties : {};
  const columns = Object.entries(properties).map(([name, property]) => ({ name, type: columnTypeOf(property) }));
  return [...columns, EXTRACTED_AT_COLUMN];
}

/** A value as the text DuckDB casts to the column's type; null stays null. */
export function columnText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // String() of a JSON number is the shortest text that reads back as the same number: the exact
  // decimal the connector printed. Objects and arrays are kept as JSON text.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A record's values in column order, as text; the last column is the extraction time. */
export function rowTexts(record: JsonObject, emittedAt: number, columns: readonly Column[]): Array<string | null> {
  return columns.map((column) => (column === EXTRACTED_AT_COLUMN ? new Date(emittedAt).toISOString() : columnText(record[column.name])));
}

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
