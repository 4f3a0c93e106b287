import { createAthenaDialect, createDuckdbDialect } from "@sluice/dialects";
import type { Dialect } from "@sluice/dialects";
import type { TargetConfig } from "@sluice/project";

/** The SQL dialect of a target's engine. The one place that maps an engine name to a dialect. */
export function dialectFor(target: TargetConfig): Dialect {
  return target.engine === "athena" ? createAthenaDialect() : createDuckdbDialect();
}
