import duckdb from "@duckdb/node-api/package.json" with { type: "json" };

/**
 * The version of the embedded DuckDB (its Node binding's package): what a result computed on
 * it, e.g. a reused unit-test pass, depends on besides its SQL.
 */
export const EMBEDDED_DUCKDB_VERSION: string = duckdb.version;
