import { randomBytes } from "node:crypto";
import path from "node:path";
import type { CompiledProject } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import type { Diagnostic, Project, TargetConfig } from "@sluice/project";
import type { GlobalArgs, Io } from "./command.js";
import { printDiagnostics } from "./output/diagnostics.js";

/** A loaded and compiled project, ready to run on its target. */
export interface ProjectContext {
  project: Project;
  compiled: CompiledProject;
  targetName: string;
  target: TargetConfig;
  dialect: Dialect;
  runId: string;
  /** `<project>/target` */
  targetDir: string;
}

/** A sortable, unique id for this invocation: `20261128T154501Z_3f9a`. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}_${randomBytes(2).toString("hex")}`;
}

/**
 * Load, validate and compile the project for the chosen target, with one test node per DQDL rule
 * (unless `dqRules: false`). Prints every diagnostic; returns undefined when any is an error (the
 * caller exits 2).
 */
export async function loadProjectContext(
  args: GlobalArgs & { storeFailures?: boolean },
  io: Io,
  options: { dqRules?: boolean } = {},
): Promise<ProjectContext | undefined> {
  const [{ loadProject, parseVarsOption, hasErrors, error }, { compileProject, dialectFor }] = await Promise.all([
    import("@sluice/project"),
    import("@sluice/compiler"),
  ]);
  const dir = path.resolve(args.projectDir);
  const project = await loadProject(dir);
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  const varsParsed = args.vars ? parseVarsOption(args.vars) : { vars: {}, diagnostics: [] };
  diagnostics.push(...varsParsed.diagnostics);
  if (hasErrors(diagnostics)) return fail(io, diagnostics);

  const targetName = args.target ?? project.config["default-target"];
  const target = project.config.targets[targetName];
  if (!target) {
    return fail(io, [
      error("UNKNOWN_TARGET", `target '${targetName}' is not defined in sluice.yml`, undefined, `defined targets: ${Object.keys(project.config.targets).join(", ")}`),
    ]);
  }
  const dialect = dialectFor(target);
  const runId = newRunId();
  const compiled = compileProject(project, { targetName, vars: varsParsed.vars, env: process.env, runId, dialect });
  diagnostics.push(...compiled.diagnostics);
  if (options.dqRules !== false && (project.rules.length > 0 || args.storeFailures === true) && !hasErrors(diagnostics)) {
    const { appendDqNodes } = await import("./commands/dq-nodes.js");
    diagnostics.push(...(await appendDqNodes({ project, compiled, dialect, target, runId, storeFailures: args.storeFailures === true })));
  }
  printDiagnostics(io, diagnostics.filter((d) => d.severity === "warn"));
  if (hasErrors(diagnostics)) return fail(io, diagnostics);
  return { project, compiled, targetName, target, dialect, runId, targetDir: path.join(dir, "target") };
}

function fail(io: Io, diagnostics: readonly Diagnostic[]): undefined {
  printDiagnostics(io, diagnostics.filter((d) => d.severity === "error"));
  return undefined;
}
