import { createAthenaDialect } from "./athena/athena-dialect.js";
import type { Dialect } from "./dialect.js";
import { createDuckdbDialect } from "./duckdb/duckdb-dialect.js";

/**
 * The SQL dialect of an engine. The one place that maps an engine name to a dialect. On DuckDB,
 * `sqlDialect` says what model SQL is written in: `trino` (Athena's SQL through the compat
 * layer, the default) or `duckdb` (plain DuckDB SQL, as a dbt-duckdb project has it).
 */
export function dialectForEngine(
  engine: "duckdb" | "athena",
  sqlDialect: "trino" | "duckdb" = "trino",
): Dialect {
  return engine === "athena"
    ? createAthenaDialect()
    : createDuckdbDialect({ trinoCompat: sqlDialect === "trino" });
}
