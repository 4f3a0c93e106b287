import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Diagnostic, Severity } from "@sluice/project";
import type { GlobalArgs, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { printDiagnostics } from "../output/diagnostics.js";

/**
 * Athena's grammars over the chosen nodes' statements (see athena-syntax.ts). On an Athena
 * target the statements are the project's own and a failure is an error (the caller exits 2
 * before anything runs); on another target the project is compiled for Athena as well and a
 * failure is a warning: the model runs here but would not there (only with `otherTargets`).
 * `--no-athena-check` skips it. Prints what it finds.
 */
export async function checkAthenaSyntax(
  ctx: ProjectContext,
  ids: readonly string[],
  args: GlobalArgs & { athenaCheck?: boolean },
  io: Io,
  options: { otherTargets: boolean },
): Promise<Diagnostic[]> {
  if (args.athenaCheck === false) return [];
  const chosen = new Set(ids);
  const isAthena = ctx.compiled.nodes.some(
    (n) => chosen.has(n.id) && n.statements.some((s) => s.grammar !== "duckdb"),
  );
  if (!isAthena && !options.otherTargets) return [];
  const severity: Severity = isAthena ? "error" : "warn";
  const compiled = isAthena ? ctx.compiled : await compileForAthena(ctx, args);
  // On another target only models are checked: the parsers cost ~0.1-0.3 s of CPU a statement
  // on a first build, and a test's SQL is one line of the model's contract, not its build.
  const checked = isAthena
    ? chosen
    : new Set(ids.filter((id) => compiled?.nodes.some((n) => n.id === id && n.kind === "model")));
  if (compiled === undefined) return [];
  const [
    { athenaSyntaxDiagnostics, loadAthenaGrammars },
    { materializeCompiled },
    { GrammarCache, userCacheDir },
  ] = await Promise.all([
    import("../athena-syntax.js"),
    import("@sluice/runner"),
    import("../grammar-cache.js"),
  ]);
  const cache = new GrammarCache(userCacheDir(), ctx.runId);
  const found = await athenaSyntaxDiagnostics(
    ctx.project,
    compiled,
    checked,
    cache.check(loadAthenaGrammars),
    {
      severity,
      selectsOnly: !isAthena,
      // On another target, the Athena SQL checked is not what target/compiled holds.
      ...(isAthena
        ? {
            compiledFile: (node: CompiledNode) =>
              path.relative(process.cwd(), materializeCompiled(ctx.targetDir, node)),
          }
        : {}),
    },
  );
  printDiagnostics(io, found, ctx.project.dir);
  return found;
}

/** The project compiled for Athena, or undefined when it does not compile there (nothing to check). */
async function compileForAthena(
  ctx: ProjectContext,
  args: GlobalArgs,
): Promise<CompiledProject | undefined> {
  const [{ compileProject }, { dialectForEngine }, { parseVarsOption }] = await Promise.all([
    import("@sluice/compiler"),
    import("@sluice/dialects"),
    import("@sluice/project"),
  ]);
  const compiled = compileProject(ctx.project, {
    targetName: ctx.targetName,
    vars: args.vars ? parseVarsOption(args.vars).vars : {},
    env: process.env,
    runId: ctx.runId,
    dialect: dialectForEngine("athena"),
  });
  return compiled.diagnostics.some((d) => d.severity === "error") ? undefined : compiled;
}
