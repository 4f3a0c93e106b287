import { createAthenaDialect } from "./athena/athena-dialect.js";
import type { Dialect } from "./dialect.js";
import { createDuckdbDialect } from "./duckdb/duckdb-dialect.js";

/** The SQL dialect of an engine. The one place that maps an engine name to a dialect. */
export function dialectForEngine(engine: "duckdb" | "athena"): Dialect {
  return engine === "athena" ? createAthenaDialect() : createDuckdbDialect();
}
