/**
 * A stream's JSON Schema as typed DuckDB columns, and its records as the text DuckDB casts to those
 * types. Values travel as text and are cast by DuckDB, so a decimal printed by the connector
 * ("2192.84855") lands as exactly that DECIMAL, with no float in between. Pure: no DuckDB here.
 */
import { DECIMAL_SCALE, DecimalFormatError, formatDecimal, parseDecimal } from '../money';
import { isJsonObject } from '../protocol/json';
import type { JsonObject } from '../protocol/messages';
import { SyncError } from './errors';

/**
 * Money and other numbers: 29 digits before the point and 9 after hold every amount Twilio sends
 * today (5 places, sometimes a few more). A value it cannot hold exactly fails the landing rather
 * than be rounded (DuckDB would round a tenth place away without a word).
 */
export const DECIMAL_TYPE = 'DECIMAL(38,9)';
const DECIMAL_PLACES = 9;
const DECIMAL_WHOLE_DIGITS = 29;

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

/** Why a decimal text does not fit DECIMAL_TYPE exactly, or undefined when it does. */
function decimalMisfit(text: string): string | undefined {
  let value: bigint;
  try {
    value = parseDecimal(text);
  } catch (error) {
    if (error instanceof DecimalFormatError) return `not a decimal with at most ${DECIMAL_PLACES} places`;
    throw error;
  }
  if (value % 10n ** BigInt(DECIMAL_SCALE - DECIMAL_PLACES) !== 0n) return `more than ${DECIMAL_PLACES} decimal places`;
  if ((value < 0n ? -value : value) >= 10n ** BigInt(DECIMAL_SCALE + DECIMAL_WHOLE_DIGITS)) return `more than ${DECIMAL_WHOLE_DIGITS} digits before the point`;
  return undefined;
}

/** What the landing needs of a stream's table to turn its records into rows. */
export interface RowShape {
  name: string;
  columns: readonly Column[];
  primaryKey: readonly string[];
}

/**
 * A record's values in column order, as text; the last column is the extraction time. A decimal
 * is the exact text the connector printed, written without an exponent ("1e-7" as "0.0000001");
 * one that DECIMAL_TYPE cannot hold exactly is a SyncError naming the record.
 */
export function rowTexts(record: JsonObject, emittedAt: number, table: RowShape): Array<string | null> {
  return table.columns.map((column) => {
    if (column === EXTRACTED_AT_COLUMN) return new Date(emittedAt).toISOString();
    const text = columnText(record[column.name]);
    if (column.type !== DECIMAL_TYPE || text === null) return text;
    const misfit = decimalMisfit(text);
    if (misfit !== undefined) {
      const key = table.primaryKey.map((field) => `${field} ${String(record[field])}`).join(', ');
      throw new SyncError(`${table.name}.${column.name} is ${text} in the record with ${key}, which ${DECIMAL_TYPE} cannot hold exactly (${misfit}): sync stops rather than round it. What landed before stays.`);
    }
    return formatDecimal(parseDecimal(text));
  });
}

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
