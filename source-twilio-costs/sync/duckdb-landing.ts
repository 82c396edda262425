/**
 * The DuckDB side of `sync`: one typed table per stream, upserted by primary key, and the Airbyte
 * state of every stream in `_airbyte_state` of the same file. A state is written in the same
 * transaction as the records it covers, so the file always holds records and states that agree:
 * a sync killed at any point resumes from the last state that landed, and nothing it covers is lost.
 *
 * @duckdb/node-api is an optional dependency (the Airbyte image leaves it out), so it is loaded
 * only when a sync opens a database.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

import { importOptionalPackage } from '../optional-package';
import type { JsonObject } from '../protocol/messages';
import { type Column, type ColumnType, DECIMAL_TYPE, quoteIdentifier } from './columns';
import { SyncError } from './errors';

type DuckDbModule = typeof import('@duckdb/node-api');

/** Where sync lands, and report reads, when no --duckdb is given. */
export const DEFAULT_DATABASE_PATH = 'twilio-costs.duckdb';

export const STATE_TABLE = '_airbyte_state';

/** How information_schema spells each column type. */
const INFORMATION_SCHEMA_TYPES: Record<ColumnType, string> = {
  VARCHAR: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  BIGINT: 'BIGINT',
  [DECIMAL_TYPE]: DECIMAL_TYPE,
  DATE: 'DATE',
  TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE',
};

/** A stream's table: its columns and primary key (top-level fields). */
export interface LandingTable {
  name: string;
  columns: readonly Column[];
  primaryKey: readonly string[];
}

/** One record's values, as text in column order. */
export type RowTexts = ReadonlyArray<string | null>;

const loadDuckDb = (): Promise<DuckDbModule> =>
  importOptionalPackage(
    () => import('@duckdb/node-api'),
    'sync',
    '@duckdb/node-api',
    (message) => new SyncError(message),
  );

const stagingName = (table: LandingTable): string => `_staging_${table.name}`;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class DuckDbLanding {
  /**
   * The statement or commit under way (sync runs them one at a time), which closing waits for:
   * closing the connection under a running statement is not safe.
   */
  private working: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<DuckDbLanding> {
    const duckdb = await loadDuckDb();
    let landing: DuckDbLanding;
    try {
      const instance = await duckdb.DuckDBInstance.create(path);
      landing = new DuckDbLanding(path, instance, await instance.connect());
    } catch (error) {
      throw new SyncError(`Cannot open the DuckDB database ${path}: ${errorText(error)}`);
    }
    try {
      await landing.requireTableName(STATE_TABLE);
      await landing.sql(`creating ${STATE_TABLE}`, `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (stream VARCHAR PRIMARY KEY, state VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL)`);
    } catch (error) {
      await landing.close();
      throw error;
    }
    return landing;
  }

  /**
   * Creates the stream's table, or adds the columns a newer schema has; a column whose type changed
   * is an error, since its values cannot be converted in place. Also creates the (temporary)
   * staging table records go through on their way in.
   */
  async prepare(table: LandingTable): Promise<void> {
    const target = quoteIdentifier(table.name);
    const definitions = table.columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`);
    const key = table.primaryKey.length > 0 ? `, PRIMARY KEY (${table.primaryKey.map(quoteIdentifier).join(', ')})` : '';
    await this.requireTableName(table.name);
    const preparing = `preparing table ${table.name}`;
    await this.sql(preparing, `CREATE TABLE IF NOT EXISTS ${target} (${definitions.join(', ')}${key})`);
    const existing = new Map(
      (await this.rows(preparing, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1", [table.name])).map(([name, type]) => [String(name), String(type)]),
    );
    for (const column of table.columns) {
      const type = existing.get(column.name);
      if (type === undefined) {
        await this.sql(preparing, `ALTER TABLE ${target} ADD COLUMN ${quoteIdentifier(column.name)} ${column.type}`);
      } else if (type !== INFORMATION_SCHEMA_TYPES[column.type]) {
        throw new SyncError(`Table ${table.name} has column ${column.name} as ${type}, but the stream now declares ${column.type}. Drop the table and its row in ${STATE_TABLE} to sync it afresh.`);
      }
    }
    const stagingColumns = ['_seq BIGINT', ...table.columns.map((column) => `${quoteIdentifier(column.name)} VARCHAR`)];
    await this.sql(preparing, `CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(stagingName(table))} (${stagingColumns.join(', ')})`);
  }

  /**
   * The saved state of each of `streams` that has one. A row that is not a JSON object (edited by
   * hand, say) is an error naming the row: reading from a guessed state could skip days.
   */
  async savedStates(streams: readonly string[]): Promise<Map<string, JsonObject>> {
    const rows = await this.rows(`reading ${STATE_TABLE}`, `SELECT stream, state FROM ${STATE_TABLE}`, []);
    const states = new Map<string, JsonObject>();
    for (const [stream, text] of rows) {
      const name = String(stream);
      if (!streams.includes(name)) continue;
      let state: unknown;
      try {
        state = JSON.parse(String(text));
      } catch {
        state = undefined;
      }
      if (typeof state !== 'object' || state === null || Array.isArray(state)) {
        throw new SyncError(
          `The saved state of stream ${name} in ${STATE_TABLE} of ${this.path} is not a JSON object, so sync cannot tell where to resume. Delete that row to sync the stream from start_date again (DELETE FROM ${STATE_TABLE} WHERE stream = '${name.replace(/'/g, "''")}'); its records stay and are upserted.`,
        );
      }
      states.set(name, state as JsonObject);
    }
    return states;
  }

  /**
   * Lands rows and the state that covers them in one transaction. Rows replace the rows with the
   * same primary key (the last of several with one key wins); `replaceAll` first empties the table,
   * for a full refresh.
   */
  commit(table: LandingTable, rows: readonly RowTexts[], options: { state?: JsonObject; replaceAll?: boolean }): Promise<void> {
    if (this.closing) return Promise.reject(new SyncError(`The DuckDB database ${this.path} was closed before ${table.name} could land.`));
    return this.tracked(this.commitNow(table, rows, options));
  }

  /**
   * Closes the database once the work under way has ended (a commit landed or rolled back), so that
   * a sync stopped by a signal leaves the file as its last commit left it. Safe to call again.
   */
  close(): Promise<void> {
    this.closing ??= this.working.then(() => {
      this.connection.closeSync();
      this.instance.closeSync();
    });
    return this.closing;
  }

  private async commitNow(table: LandingTable, rows: readonly RowTexts[], options: { state?: JsonObject; replaceAll?: boolean }): Promise<void> {
    const staging = quoteIdentifier(stagingName(table));
    if (rows.length > 0) await this.stage(table, rows);
    try {
      await this.connection.run('BEGIN TRANSACTION');
      if (options.replaceAll) await this.connection.run(`DELETE FROM ${quoteIdentifier(table.name)}`);
      if (rows.length > 0) await this.connection.run(this.upsertSql(table, staging));
      if (options.state) {
        await this.connection.run(`INSERT OR REPLACE INTO ${STATE_TABLE} VALUES ($1, $2, now())`, [table.name, JSON.stringify(options.state)]);
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw new SyncError(`Landing ${rows.length} records of ${table.name} in DuckDB failed: ${errorText(error)}`);
    } finally {
      await this.connection.run(`DELETE FROM ${staging}`);
    }
  }

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.working = work.catch(() => undefined);
    return work;
  }

  /**
   * Refuses a name sync writes a table under when the file holds something else by it (a view a
   * user made, say): DuckDB would only fail later, on an ALTER or INSERT, with a less clear error.
   */
  private async requireTableName(name: string): Promise<void> {
    const [found] = await this.rows(`looking up ${name}`, "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1", [name]);
    if (found === undefined || String(found[0]) === 'BASE TABLE') return;
    const isView = String(found[0]) === 'VIEW';
    const kind = isView ? 'a view' : `a ${String(found[0]).toLowerCase()}`;
    const drop = isView ? ` (DROP VIEW ${quoteIdentifier(name)})` : '';
    throw new SyncError(`${this.path} has ${kind} named ${name}, where sync keeps a table. Rename or drop it${drop}, or sync into another file with --duckdb.`);
  }

  /** Runs a statement; a DuckDB failure becomes a SyncError saying what sync was doing. */
  private async sql(doing: string, statement: string): Promise<void> {
    try {
      await this.tracked(this.connection.run(statement));
    } catch (error) {
      throw new SyncError(`DuckDB failed ${doing} in ${this.path}: ${errorText(error)}`);
    }
  }

  private async rows(doing: string, query: string, values: string[]): Promise<unknown[][]> {
    try {
      return (await this.tracked(this.connection.runAndReadAll(query, values))).getRows();
    } catch (error) {
      throw new SyncError(`DuckDB failed ${doing} in ${this.path}: ${errorText(error)}`);
    }
  }

  private async stage(table: LandingTable, rows: readonly RowTexts[]): Promise<void> {
    const appender = await this.connection.createAppender(stagingName(table), 'main', 'temp');
    rows.forEach((row, index) => {
      appender.appendBigInt(BigInt(index));
      for (const value of row) {
        if (value === null) appender.appendNull();
        else appender.appendVarchar(value);
      }
      appender.endRow();
    });
    appender.closeSync();
  }

  /** Casts the staged text to the column types; the last staged row of each key wins. */
  private upsertSql(table: LandingTable, staging: string): string {
    const names = table.columns.map((column) => quoteIdentifier(column.name));
    const casts = table.columns.map((column) => `CAST(${quoteIdentifier(column.name)} AS ${column.type})`);
    if (table.primaryKey.length === 0) return `INSERT INTO ${quoteIdentifier(table.name)} (${names.join(', ')}) SELECT ${casts.join(', ')} FROM ${staging}`;
    const key = table.primaryKey.map(quoteIdentifier).join(', ');
    return `INSERT OR REPLACE INTO ${quoteIdentifier(table.name)} (${names.join(', ')}) SELECT ${casts.join(', ')} FROM ${staging} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _seq DESC) = 1`;
  }
}
