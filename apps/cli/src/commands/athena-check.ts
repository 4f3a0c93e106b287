import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Diagnostic, Project, Severity } from "@sluice/project";
import type { GlobalArgs, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { printDiagnostics } from "../output/diagnostics.js";
import { readAthenaCheckMemo, writeAthenaCheckMemo } from "../athena-check-memo.js";
import { recordingEnv } from "../compile-cache.js";
import { reachable } from "@sluice/compiler/select";

/**
 * Athena's grammars over the chosen nodes' statements (see athena-syntax.ts). On an Athena
 * target the statements are the project's own and a failure is an error (the caller exits 2
 * before anything runs); on another target the project is compiled for Athena as well and a
 * failure is a warning: the model runs here but would not there (only with `otherTargets`);
 * those warnings are kept for the next run of the same compile (see `readAthenaCheckMemo`).
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
  // A DuckDB compile's statements are all DuckDB's: not read (a memo node's statements are
  // parsed when first read, see lazy-node.ts).
  const isAthena =
    ctx.dialect.queryGrammar !== "duckdb" &&
    ctx.compiled.nodes.some(
      (n) => chosen.has(n.id) && n.statements.some((s) => s.grammar !== "duckdb"),
    );
  if (!isAthena && !options.otherTargets) return [];
  const severity: Severity = isAthena ? "error" : "warn";
  // On another target, the findings of the last run of the same compile and selection.
  const key =
    isAthena || ctx.cacheHeader === undefined
      ? undefined
      : { header: ctx.cacheHeader, ids, runId: ctx.runId };
  const known = key && readAthenaCheckMemo(ctx.targetDir, key);
  if (known) {
    printDiagnostics(io, known, ctx.project.dir);
    return known;
  }
  const env = recordingEnv(process.env);
  const compiled = isAthena ? ctx.compiled : await compileForAthena(ctx, args, env.env, chosen);
  // On another target only models are checked: the parsers cost ~0.1-0.3 s of CPU a statement
  // on a first build, and a test's SQL is one line of the model's contract, not its build.
  const checked = isAthena
    ? chosen
    : new Set(
        (compiled?.nodes ?? [])
          .filter((n) => n.kind === "model" && chosen.has(n.id))
          .map((n) => n.id),
      );
  if (compiled === undefined) {
    if (key) writeAthenaCheckMemo(ctx.targetDir, key, [...env.read], []);
    return [];
  }
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
  if (key) writeAthenaCheckMemo(ctx.targetDir, key, [...env.read], found);
  printDiagnostics(io, found, ctx.project.dir);
  return found;
}

/**
 * The project compiled for Athena, or undefined when it does not compile there (nothing to
 * check). Of a sluice project, only the `chosen` models and what they read (see
 * {@link upstreamProject}): a model's SQL is made from its own file, its properties, the macros,
 * vars and the relations it reads, the same in any project that holds those. A dbt project's
 * templates may read the whole graph: compiled whole.
 */
async function compileForAthena(
  ctx: ProjectContext,
  args: GlobalArgs,
  env: Record<string, string | undefined>,
  chosen: ReadonlySet<string>,
): Promise<CompiledProject | undefined> {
  const [{ compileProject }, { dialectForEngine }, { parseVarsOption }] = await Promise.all([
    import("@sluice/compiler"),
    import("@sluice/dialects"),
    import("@sluice/project"),
  ]);
  const project = ctx.project.config.dbt ? ctx.project : upstreamProject(ctx, chosen);
  const compiled = compileProject(project, {
    targetName: ctx.targetName,
    vars: args.vars ? parseVarsOption(args.vars).vars : {},
    env,
    runId: ctx.runId,
    dialect: dialectForEngine("athena"),
  });
  return compiled.diagnostics.some((d) => d.severity === "error") ? undefined : compiled;
}

/**
 * `ctx`'s project with only the models (and snapshots) of `chosen` and those they read, directly
 * or not, as the compile of `ctx` found them; no tests, unit tests or exposures (only models are
 * checked on another target). At 10,000 models, `build -s one_model` compiled every model for
 * Athena (~1.7 s) to check one.
 */
export function upstreamProject(
  ctx: Pick<ProjectContext, "project" | "compiled">,
  chosen: ReadonlySet<string>,
): Project {
  const parents = new Map(ctx.compiled.nodes.map((n) => [n.id, n.dependsOn]));
  const kept = new Set([...chosen, ...reachable(chosen, parents)]);
  const project = ctx.project;
  const names = new Set(
    [...kept].filter((id) => id.startsWith("model.")).map((id) => id.slice("model.".length)),
  );
  return {
    ...project,
    models: project.models.filter((m) => names.has(m.name)),
    modelProperties: project.modelProperties.filter((p) => names.has(p.name)),
    singularTests: [],
    unitTests: [],
    exposures: [],
    ...(project.snapshots
      ? { snapshots: project.snapshots.filter((s) => kept.has(`snapshot.${s.name}`)) }
      : {}),
  };
}
