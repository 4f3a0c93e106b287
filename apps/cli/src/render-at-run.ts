import type { CompiledNode, QueryRows } from "@sluice/compiler";
import type { Diagnostic } from "@sluice/project";
import type { RenderAtRun } from "@sluice/runner";
import type { GlobalArgs, Io } from "./command.js";
import { flagVar, invocationEnv, RUN_ID_PLACEHOLDER, withRunId } from "./compile-cache.js";
import type { ProjectContext } from "./project-context.js";
import { openCommandEngine } from "./command-engine.js";
import { unreachable } from "./unreachable-target.js";

/**
 * The runner's {@link RenderAtRun} for this invocation: a model whose SQL reads the warehouse is
 * compiled again as the context was (target, `--vars`, environment, the placeholder run id, then
 * this run's id), its queries answered by the run's engine. Undefined when no node needs it.
 * `rename` (`--defer`: `deferToState`'s) names the state's relations in each query before it is
 * sent and in the rendered node, as in the nodes compiled before the run.
 */
export async function renderAtRunFor(
  ctx: ProjectContext,
  args: GlobalArgs,
  rename?: (sql: string) => string,
): Promise<RenderAtRun | undefined> {
  if (!ctx.compiled.nodes.some((n) => n.renderAtRun)) return undefined;
  const [{ parseVarsOption }, { renderWithWarehouse, renameNode }] = await Promise.all([
    import("@sluice/project"),
    import("@sluice/compiler"),
  ]);
  const vars = args.vars ? parseVarsOption(args.vars).vars : {};
  return async (node, query) => {
    const out = await renderWithWarehouse(
      ctx.project,
      {
        targetName: ctx.targetName,
        vars,
        env: process.env,
        runId: RUN_ID_PLACEHOLDER,
        dialect: ctx.dialect,
        flag: (name) => invocationEnv()[flagVar(name)],
      },
      node,
      rename ? (sql) => query(rename(sql)) : query,
    );
    if (Array.isArray(out)) return out;
    const ran = JSON.parse(withRunId(JSON.stringify(out), ctx.runId)) as typeof out;
    return rename ? renameNode(ran, rename) : ran;
  };
}

/** Runs one reading statement on the target: an engine opened read-only, as a dry run opens it. */
export type WarehouseQuery = (sql: string) => Promise<QueryRows>;

/**
 * `compile` and `build --dry-run` do what dbt's compile does with a model that reads the
 * warehouse while rendering (`renderAtRun`): render it with the target's answers, so what they
 * show is what will run. `query` reads the target (undefined: it cannot be reached, `why` says
 * why; those models keep the compiler's SQL marked "rendered at run time" and no statements,
 * with a warning). The selected such models in `ctx.compiled` are replaced by their rendered
 * nodes (`rename`: `--defer`'s, applied to their queries and SQL). Returns false when a render failed (printed as the model's error: its query was refused
 * or its template failed on the answers), as the run would fail it.
 */
export async function renderSelectedWithWarehouse(
  ctx: ProjectContext,
  args: GlobalArgs,
  ids: readonly string[],
  io: Io,
  target: { query: WarehouseQuery } | { why: string },
  rename?: (sql: string) => string,
): Promise<boolean> {
  const chosen = new Set(ids);
  const atRun = ctx.compiled.nodes.filter((n) => n.renderAtRun && chosen.has(n.id));
  if (atRun.length === 0) return true;
  const marked = (nodes: readonly CompiledNode[], why: string) =>
    io.err(
      `warning: ${nodes.map((n) => n.name).join(", ")}: rendered at run time (${why}); their SQL is shown marked "rendered at run time", with no statements`,
    );
  if (!("query" in target)) {
    marked(atRun, target.why);
    return true;
  }
  const render = (await renderAtRunFor(ctx, args, rename))!;
  const [{ printDiagnostics }, { error }] = await Promise.all([
    import("./output/diagnostics.js"),
    import("@sluice/project"),
  ]);
  const rendered = new Map<string, CompiledNode>();
  let ok = true;
  for (const [i, node] of atRun.entries()) {
    let why: string | undefined;
    const out = await render(node, target.query).catch((e: unknown): Diagnostic[] => {
      why = unreachable(e);
      const message = e instanceof Error ? e.message : String(e);
      const hint = "fix the model's query, or build what it reads first";
      const at = { file: node.path, line: 1, column: 1 };
      return why
        ? []
        : [
            error(
              "TEMPLATE_SYNTAX",
              `${node.name} reads the warehouse while rendering and a query failed: ${message}`,
              at,
              hint,
            ),
          ];
    });
    // The target cannot be reached (no credentials, no network): the rest stay marked.
    if (why !== undefined) {
      marked(atRun.slice(i), `target '${ctx.targetName}' cannot be reached: ${why}`);
      break;
    }
    if (Array.isArray(out)) {
      printDiagnostics(io, out, ctx.project.dir);
      ok = false;
    } else rendered.set(node.id, out);
  }
  ctx.compiled = {
    ...ctx.compiled,
    nodes: ctx.compiled.nodes.map((n) => rendered.get(n.id) ?? n),
  };
  return ok;
}

/**
 * `sluice compile`: {@link renderSelectedWithWarehouse} on the target opened read-only (the lake
 * as a snapshot of its catalog; Athena through its SDK clients). A lake not built yet, or a
 * target that cannot be opened, leaves those models marked, with the reason. Returns whether
 * every selected model rendered (true when none reads the warehouse: nothing is opened).
 */
export async function compileWithWarehouse(
  ctx: ProjectContext,
  args: GlobalArgs,
  ids: readonly string[],
  io: Io,
): Promise<boolean> {
  const chosen = new Set(ids);
  if (!ctx.compiled.nodes.some((n) => n.renderAtRun && chosen.has(n.id))) return true;
  const [{ existsSync }, path] = await Promise.all([import("node:fs"), import("node:path")]);
  const target = ctx.target;
  if (
    target.engine === "duckdb" &&
    !existsSync(path.join(path.resolve(ctx.project.dir, target.lake), "catalog.duckdb"))
  )
    return renderSelectedWithWarehouse(ctx, args, ids, io, {
      why: "the lake has no tables yet: run sluice build, then compile shows the SQL that will run",
    });
  const engine = await openCommandEngine(io, target, ctx.project.dir, {
    readOnly: true,
    snapshot: true,
  }).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  if (typeof engine === "string")
    return renderSelectedWithWarehouse(ctx, args, ids, io, {
      why: `target '${ctx.targetName}' cannot be reached: ${engine}`,
    });
  try {
    return await renderSelectedWithWarehouse(ctx, args, ids, io, {
      query: (sql) => engine.execute(sql, { label: "compile" }),
    });
  } finally {
    await engine.close();
  }
}
