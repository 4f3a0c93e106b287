import path from "node:path";
import type { GlobalArgs } from "../command.js";

/** The lake of the project's local (DuckDB) target, or `<project>/.lake` when it has none. */
export async function projectLake(args: GlobalArgs): Promise<string> {
  const { loadProject } = await import("@sluice/project");
  const { loadOptions } = await import("../project-context.js");
  const project = await loadProject(path.resolve(args.projectDir), loadOptions(args, process.env));
  const targets = project.config.targets;
  const chosen = args.target ? targets[args.target] : targets[project.config["default-target"]];
  const local =
    chosen?.engine === "duckdb"
      ? chosen
      : Object.values(targets).find((t) => t.engine === "duckdb");
  return path.resolve(args.projectDir, local?.engine === "duckdb" ? local.lake : ".lake");
}
