import { compileProject, dialectFor, selectNodes } from "@sluice/compiler";
import { openEngine, type ExecuteOptions } from "@sluice/engines";
import { loadProject } from "@sluice/project";
import type { Project } from "@sluice/project";
import type { RunResults } from "@sluice/runner";
import { runProject } from "@sluice/runner";

let runs = 0;

/** A sortable, unique run id (like the CLI's), so each run writes its own table versions. */
function nextRunId(): string {
  runs += 1;
  return `${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}_${String(runs).padStart(4, "0")}`;
}

/**
 * `sluice run --select ...` without spawning the CLI: the same libraries (compile, open the lake
 * engine, runProject with its reconciliation), for tests that run many builds.
 */
export async function runInProcess(
  project: Project,
  select: readonly string[],
  options: {
    fullRefresh?: boolean;
    /** Told of every statement the run sends to the engine, with its options. */
    onExecute?: (sql: string, options: ExecuteOptions | undefined) => void;
  } = {},
): Promise<RunResults> {
  const targetName = project.config["default-target"];
  const target = project.config.targets[targetName];
  if (!target) throw new Error(`no target ${targetName}`);
  const dialect = dialectFor(target);
  const runId = nextRunId();
  const compiled = compileProject(project, { targetName, env: process.env, runId, dialect });
  const { ids, diagnostics } = selectNodes(compiled, { select: [...select] });
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join("; "));
  const engine = await openEngine(target, project.dir);
  const { onExecute } = options;
  if (onExecute) {
    const execute = engine.execute.bind(engine);
    engine.execute = (sql, executeOptions) => {
      onExecute(sql, executeOptions);
      return execute(sql, executeOptions);
    };
  }
  try {
    return await runProject({
      command: "run",
      compiled,
      selected: ids,
      engine,
      dialect,
      runId,
      fullRefresh: options.fullRefresh ?? false,
      threads: 1,
    });
  } finally {
    await engine.close();
  }
}

export { loadProject };
