import type { Project } from "@sluice/project";
import type { CompileOptions } from "../compile-project.js";
import type { DiagnosticBag } from "../diagnostic-bag.js";
import { createRenderer } from "../render/nunjucks-env.js";
import { dbtInputs, withSchemaMacro } from "../target/schema-macro.js";
import { resolveTarget } from "../target/resolve-target.js";
import type { CompileContext } from "./compile-context.js";

/** A compile's shared context and the vars its templates read (`--vars` over the project's). */
export interface CompileSetup {
  ctx: CompileContext;
  vars: Record<string, unknown>;
}

/**
 * The context every phase of one compile shares: the target, the nunjucks environment (project
 * macros as globals) and the diagnostics bag. A target sluice.yml does not define is the
 * diagnostic in `bag` and undefined. Reads the project's `dir`, `config` and `macros` (and,
 * for a dbt project, its docs and model paths).
 */
export function compileSetup(
  project: Project,
  options: CompileOptions,
  bag: DiagnosticBag,
): CompileSetup | undefined {
  const { dialect, runId } = options;
  const target = resolveTarget(project, options.targetName);
  if ("code" in target) {
    bag.add(target);
    return undefined;
  }
  const vars = { ...project.config.vars, ...(options.vars ?? {}) };
  const renderer = createRenderer(
    {
      dialect,
      vars,
      env: options.env ?? {},
      targetName: target.name,
      ...(options.log ? { log: options.log } : {}),
    },
    project.macros,
    project.config.dbt
      ? {
          ...dbtInputs(project, target, dialect),
          invocationId: runId,
          ...(options.flag ? { flag: options.flag } : {}),
        }
      : undefined,
    options.templates,
  );
  renderer.macroDiagnostics.forEach((d) => bag.add(d));
  const ctx: CompileContext = {
    project,
    dialect,
    target: withSchemaMacro(target, renderer, bag),
    runId,
    renderer,
    diagnostics: bag,
    configs: new Map(),
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
  };
  return { ctx, vars };
}
