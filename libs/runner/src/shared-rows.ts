import { QueryError, type QueryResult } from "@sluice/engines";

type Row = Record<string, unknown> | undefined;

/**
 * The one-row queries a run's tests share (DQDL ruleset passes, generic tests counted in one
 * scan), by key (what the query reads and its SQL) → its row. The first test to need a query
 * sends it; the others read its row.
 */
export type SharedRows = Map<string, Promise<Row>>;

/**
 * The row of a shared query, sent once per run and key; undefined when it failed with a query
 * error, so the caller runs the test's own query and the error lands on the test that caused it.
 *
 * @example await sharedRow(rows, `newData\0${sql}`, () => execute(sql)) // { failures_1: 0, ... }
 */
export async function sharedRow(
  rows: SharedRows,
  key: string,
  run: () => Promise<QueryResult>,
): Promise<Row | undefined> {
  let row = rows.get(key);
  if (!row) {
    row = run().then((r) => r.rows[0] ?? {});
    row.catch(() => undefined); // awaited below, by every test that shares it
    rows.set(key, row);
  }
  try {
    return await row;
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}
