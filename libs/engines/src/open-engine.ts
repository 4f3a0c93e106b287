import path from "node:path";
import type { TargetConfig } from "@sluice/project";
import type { Engine } from "./engine.js";

/**
 * Open the engine a target names. Each engine's module (DuckDB native binding, AWS SDK) is
 * loaded only when used.
 *
 * @example
 * const engine = await openEngine(project.config.targets.local, project.dir);
 */
export async function openEngine(target: TargetConfig, projectDir: string, options: { readOnly?: boolean } = {}): Promise<Engine> {
  if (target.engine === "duckdb") {
    const { openDuckdbEngine } = await import("./duckdb/duckdb-engine.js");
    return openDuckdbEngine({ lakeDir: path.resolve(projectDir, target.lake), readOnly: options.readOnly });
  }
  const { openAthenaEngine } = await import("./athena/athena-engine.js");
  return openAthenaEngine({ target });
}
