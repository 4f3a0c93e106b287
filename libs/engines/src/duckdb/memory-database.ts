import { DuckDBInstance } from "@duckdb/node-api";
import { trinoCompatStatements } from "@sluice/dialects";
import type { ColumnInfo } from "../engine.js";
import { queryFailure } from "./query-failure.js";
import { readerRows } from "./reader-rows.js";

/**
 * An embedded in-memory DuckDB with no lake and no files: what unit tests run on, whatever the
 * target. Statements run one at a time; values come back as the lake engine gives them.
 */
export interface MemoryDatabase {
  /** Run one or more statements; the last one's columns and rows. Failures are `QueryError`s. */
  execute(
    sql: string,
    label?: string,
  ): Promise<{ columns: ColumnInfo[]; rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

/**
 * Open an in-memory DuckDB. `trinoCompat` (default true) installs the Trino-compat layer, so
 * Athena model SQL means what it means on the lake; false for projects written in DuckDB SQL.
 *
 * @example
 * const db = await openMemoryDatabase();
 * (await db.execute("select 7 / 2 as x")).rows; // [{ x: 3 }]
 * await db.close();
 */
export async function openMemoryDatabase(
  options: { trinoCompat?: boolean } = {},
): Promise<MemoryDatabase> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const layer =
    options.trinoCompat === false
      ? ["SET TimeZone = 'UTC'"]
      : trinoCompatStatements().map((s) => s.sql);
  await connection.run(layer.map((sql) => `${sql};`).join("\n"));
  let queue: Promise<unknown> = Promise.resolve();
  return {
    execute(sql, label) {
      const run = queue.then(async () => {
        try {
          return readerRows(await connection.runAndReadAll(sql));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw queryFailure(sql, label)(message, error);
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      await queue;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
