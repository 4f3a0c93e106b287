import { dialectForEngine } from "@sluice/dialects";
import type { Dialect } from "@sluice/dialects";
import type { SqlDialect, TargetConfig } from "@sluice/project";

/** The SQL dialect of a target's engine (on DuckDB, with the SQL its models are written in). */
export function dialectFor(target: TargetConfig): Dialect {
  return dialectForEngine(target.engine, sqlDialectOf(target));
}

/** What a target's model SQL is written in: a DuckDB target's `sql_dialect`, else Trino. */
export function sqlDialectOf(target: TargetConfig): SqlDialect {
  return target.engine === "duckdb" ? (target.sql_dialect ?? "trino") : "trino";
}
