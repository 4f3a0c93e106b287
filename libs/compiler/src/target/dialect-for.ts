import { dialectForEngine } from "@sluice/dialects";
import type { Dialect } from "@sluice/dialects";
import type { TargetConfig } from "@sluice/project";

/** The SQL dialect of a target's engine. */
export function dialectFor(target: TargetConfig): Dialect {
  return dialectForEngine(target.engine);
}
