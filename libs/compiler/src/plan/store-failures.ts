import type { Dialect, Statement } from "@sluice/dialects";
import type { CompiledNode } from "../types.js";

/** Where `--store-failures` keeps a test's failing rows (see `CompiledNode.storeFailures`). */
export type StoreFailures = NonNullable<CompiledNode["storeFailures"]>;

/** What storing a test's failing rows runs: the statements, then the query counting what was kept. */
export interface StoreFailuresPlan {
  statements: Statement[];
  /** SELECT returning `{ n }`: the rows the audit table holds after the statements. */
  count: string;
}

/**
 * `--store-failures`: replace the audit table (`<schema>_audit.<test name>`) with at most
 * `store.limit` rows of `failingRowsSql`, then count them.
 *
 * @example
 * storeFailuresPlan(dialect, node.storeFailures, node.sql, "r1").statements.map((s) => s.kind);
 * // ["create_schema", "drop_table", "create_table_as", ...]
 */
export function storeFailuresPlan(
  d: Dialect,
  store: StoreFailures,
  failingRowsSql: string,
  writeId: string,
): StoreFailuresPlan {
  return {
    statements: [
      ...d.createSchema(store.relation.schema),
      ...d.dropTable(store.relation),
      ...d.createTableAs({
        relation: store.relation,
        selectSql: d.limit(failingRowsSql, store.limit),
        partitionedBy: [],
        location: store.location,
        writeId,
      }),
    ],
    count: d.countRows(store.relation),
  };
}
