import type { RenderAtRun } from "@sluice/runner";
import type { GlobalArgs } from "./command.js";
import { RUN_ID_PLACEHOLDER, withRunId } from "./compile-cache.js";
import type { ProjectContext } from "./project-context.js";

/**
 * The runner's {@link RenderAtRun} for this invocation: a model whose SQL reads the warehouse is
 * compiled again as the context was (target, `--vars`, environment, the placeholder run id, then
 * this run's id), its queries answered by the run's engine. Undefined when no node needs it.
 */
export async function renderAtRunFor(
  ctx: ProjectContext,
  args: GlobalArgs,
): Promise<RenderAtRun | undefined> {
  if (!ctx.compiled.nodes.some((n) => n.renderAtRun)) return undefined;
  const [{ parseVarsOption }, { renderWithWarehouse }] = await Promise.all([
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
      },
      node,
      query,
    );
    return Array.isArray(out)
      ? out
      : (JSON.parse(withRunId(JSON.stringify(out), ctx.runId)) as typeof out);
  };
}
