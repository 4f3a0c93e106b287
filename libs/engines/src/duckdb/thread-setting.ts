import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * DuckDB's thread count, switched per statement by what it reads (`ExecuteOptions.newDataOnly`):
 * one thread for a statement over a run's new data, DuckDB's default (one per core) for anything
 * that may read history. On a one-hour build's inputs (a thousand raw lines, a few partitions)
 * the other threads find no work to share: the calling thread polls them and they wait for
 * tasks, which cost a 7-day lake's one-hour build ~15% of its CPU (measured at load ~15, 4
 * pairs). A full build keeps every thread. Only switched on a change, so a run of new-data
 * statements pays one `SET`.
 *
 * @example
 * const threads = new ThreadSetting();
 * await threads.use(connection, true); // SET threads = 1
 * await threads.use(connection, undefined); // unchanged
 * await threads.use(connection, false); // RESET threads
 */
export class ThreadSetting {
  private single = false;

  /** Before a statement, on the connection's lane: its thread count for `newDataOnly`. */
  async use(
    connection: Pick<DuckDBConnection, "run">,
    newDataOnly: boolean | undefined,
  ): Promise<void> {
    if (newDataOnly === undefined || newDataOnly === this.single) return;
    await connection.run(newDataOnly ? "SET threads = 1" : "RESET threads");
    this.single = newDataOnly;
  }
}
