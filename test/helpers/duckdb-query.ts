import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

/** Runs SQL on a DuckDB file, opened only for this query (a running sync holds the file's lock). */
export async function queryDuckDb(databasePath: string, sql: string): Promise<DuckDBValue[][]> {
  const instance = await DuckDBInstance.create(databasePath);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRows();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
