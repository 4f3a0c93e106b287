import type { ProjectContext } from "./project-context.js";
import type { GlobalArgs, Io } from "./command.js";
import type { SelectionArgs } from "./commands/shared-options.js";
import { printDiagnostics } from "./output/diagnostics.js";

/** Apply --select/--exclude; undefined (after printing why) when a selector is invalid. */
export async function selectedIds(
  ctx: ProjectContext,
  args: SelectionArgs,
  io: Io,
): Promise<string[] | undefined> {
  const { selectNodes } = await import("@sluice/compiler/select");
  const split = (values?: string[]): string[] | undefined =>
    values?.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const c = ctx.project.config;
  const resourcePaths = [
    ...c["model-paths"],
    ...c["seed-paths"],
    ...(c["snapshot-paths"] ?? []),
    ...c["test-paths"],
    ...c["rule-paths"],
  ];
  const { ids, diagnostics } = selectNodes(ctx.compiled, {
    select: split(args.select),
    exclude: split(args.exclude),
    resourcePaths,
  });
  printDiagnostics(io, diagnostics, ctx.project.dir);
  return diagnostics.some((d) => d.severity === "error") ? undefined : ids;
}

/**
 * Load + compile the project and apply --select/--exclude: what compile, ls and the run
 * commands start with. Undefined (after printing why) on any user error: exit 2.
 */
export async function loadSelection(
  args: GlobalArgs & SelectionArgs,
  io: Io,
  /** Called as soon as the project is loaded, before the selection (e.g. to start opening the engine). */
  onContext?: (ctx: ProjectContext) => void,
  /** See {@link loadProjectContext}. */
  options: { runId?: string } = {},
): Promise<{ ctx: ProjectContext; ids: string[] } | undefined> {
  const { loadProjectContext } = await import("./project-context.js");
  const ctx = await loadProjectContext(args, io, options);
  if (!ctx) return undefined;
  onContext?.(ctx);
  const ids = await selectedIds(ctx, args, io);
  return ids ? { ctx, ids } : undefined;
}
