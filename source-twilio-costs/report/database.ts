/**
 * The DuckDB file `sync` wrote, opened read-only for as long as the report's queries take. DuckDB
 * lets one process write a file or several read it, so a report never changes the file, and a sync
 * started meanwhile is kept out only while the queries run, never while the page is drawn.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

import { importOptionalPackage } from '../optional-package';
import { ReportError } from './errors';

/** A query's cells as text: the report's SQL casts every value to VARCHAR, so amounts arrive as exact decimals. */
export type TextRow = ReadonlyArray<string | null>;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A DuckDB database file says so in bytes 8 to 11 of its header. */
const DUCKDB_MAGIC = { offset: 8, bytes: 'DUCK' };

/**
 * Whether a file is a DuckDB database, by its header: DuckDB itself would read a path ending in
 * .csv or .parquet as data to query, not as a database, and fail with a message about something else.
 */
function isDuckDbFile(path: string): boolean {
  const header = Buffer.alloc(DUCKDB_MAGIC.offset + DUCKDB_MAGIC.bytes.length);
  const descriptor = openSync(path, 'r');
  try {
    const read = readSync(descriptor, header, 0, header.length, 0);
    return read === header.length && header.subarray(DUCKDB_MAGIC.offset).toString('latin1') === DUCKDB_MAGIC.bytes;
  } finally {
    closeSync(descriptor);
  }
}

const notDuckDb = (path: string): ReportError => new ReportError(`${path} is not a DuckDB database, so sync did not write it. Pass the file sync wrote with --duckdb.`);

/** Why DuckDB would not open a file, as the user can act on it. */
function openFailure(path: string, error: unknown): ReportError {
  const text = errorText(error);
  const lock = /Could not set lock on file .*Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(text);
  if (lock) {
    return new ReportError(`${path} is open for writing in another process (${lock[1]}, PID ${lock[2]}), most likely a sync that is still running; run report once it has finished.`);
  }
  if (/not a valid DuckDB database file/.test(text)) return notDuckDb(path);
  return new ReportError(`Cannot open the DuckDB database ${path}: ${text}`);
}

export class ReportDatabase {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens the file read-only; a missing file, a folder, another kind of file or a writer's lock is a ReportError. */
  static async open(path: string): Promise<ReportDatabase> {
    let isDuckDb: boolean;
    try {
      if (!statSync(path).isFile()) throw new ReportError(`${path} is not a file. Pass the DuckDB file sync wrote with --duckdb.`);
      isDuckDb = isDuckDbFile(path);
    } catch (error) {
      if (error instanceof ReportError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? errorText(error);
      throw new ReportError(`Cannot read ${path} (${code}). Run sync first (it writes twilio-costs.duckdb), or pass the file it wrote with --duckdb.`);
    }
    if (!isDuckDb) throw notDuckDb(path);
    const duckdb = await importOptionalPackage(
      () => import('@duckdb/node-api'),
      'report',
      '@duckdb/node-api',
      (message) => new ReportError(message),
    );
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    } catch (error) {
      throw openFailure(path, error);
    }
    try {
      return new ReportDatabase(path, instance, await instance.connect());
    } catch (error) {
      instance.closeSync();
      throw openFailure(path, error);
    }
  }

  /** Runs a query whose columns are all VARCHAR; a DuckDB failure names what the report was reading. */
  async rows(reading: string, sql: string, values: readonly string[] = []): Promise<TextRow[]> {
    try {
      const rows = (await this.connection.runAndReadAll(sql, [...values])).getRows();
      return rows.map((row) => row.map((value) => (value === null ? null : String(value))));
    } catch (error) {
      throw new ReportError(`DuckDB failed reading ${reading} from ${this.path}: ${errorText(error)}`);
    }
  }

  /** The base tables of the file's main schema, by name, each with its columns and their types. */
  async tables(): Promise<Map<string, Map<string, string>>> {
    const rows = await this.rows(
      'the list of tables',
      "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE'",
    );
    const tables = new Map<string, Map<string, string>>();
    for (const [table, column, type] of rows) {
      const columns = tables.get(String(table)) ?? new Map<string, string>();
      columns.set(String(column), String(type));
      tables.set(String(table), columns);
    }
    return tables;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
