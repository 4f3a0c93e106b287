import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import type { Diagnostic, ModelFile } from "@sluice/project";
import type { GlobalArgs, Io } from "./command.js";
import { flagVar, invocationEnv, RUN_ID_PLACEHOLDER } from "./compile-cache.js";
import type { ProjectContext } from "./project-context.js";

/** Where diagnostics of `--inline` SQL point: `--inline:1:15: error UNKNOWN_REF ...`. */
export const INLINE_PATH = "--inline";

/**
 * `show --inline "<sql>"` and `compile --inline`: the SQL rendered as a model of the project (dbt's `inline_query`:
 * its refs, sources, macros and vars resolved as a model's are, ephemeral models inlined), for
 * the context's target. Its node, or the errors of its render (located in the SQL:
 * `--inline:line:column`). The project is compiled with it: the inline model is not cached.
 */
async function compileInline(
  ctx: ProjectContext,
  args: GlobalArgs,
  sql: string,
): Promise<{ node: CompiledNode } | { errors: Diagnostic[] }> {
  const [{ compileProject }, { parseVarsOption }] = await Promise.all([
    import("@sluice/compiler"),
    import("@sluice/project"),
  ]);
  const taken = new Set(ctx.project.models.map((m) => m.name));
  let name = "inline_query";
  while (taken.has(name)) name = `sluice_${name}`;
  const file: ModelFile = {
    path: INLINE_PATH,
    absPath: path.join(ctx.project.dir, INLINE_PATH),
    text: sql,
    name,
    folders: [],
  };
  const env = invocationEnv();
  const compiled = compileProject(
    { ...ctx.project, models: [...ctx.project.models, file] },
    {
      targetName: ctx.targetName,
      vars: args.vars ? parseVarsOption(args.vars).vars : {},
      env,
      runId: RUN_ID_PLACEHOLDER,
      dialect: ctx.dialect,
      flag: (flag) => env[flagVar(flag)],
    },
  );
  const errors = compiled.diagnostics.filter(
    (d) => d.severity === "error" && d.at?.file === INLINE_PATH,
  );
  const node = compiled.nodes.find((n) => n.id === `model.${name}`);
  if (errors.length > 0 || !node) return { errors };
  return { node };
}

/**
 * What `show --inline` and `compile --inline` start with: the project loaded for the target and
 * `sql` compiled in it (see {@link compileInline}); undefined once the project's or the SQL's
 * errors are printed (the caller exits 2).
 */
export async function inlineNode(
  args: GlobalArgs,
  sql: string,
  io: Io,
): Promise<{ ctx: ProjectContext; node: CompiledNode } | undefined> {
  const { loadProjectContext } = await import("./project-context.js");
  const ctx = await loadProjectContext(args, io);
  if (!ctx) return undefined;
  const compiled = await compileInline(ctx, args, sql);
  if ("node" in compiled) return { ctx, node: compiled.node };
  const { printDiagnostics } = await import("./output/diagnostics.js");
  printDiagnostics(io, compiled.errors, ctx.project.dir);
  return undefined;
}
