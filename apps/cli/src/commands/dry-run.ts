import { existsSync } from "node:fs";
import path from "node:path";
import type { Engine, RawZone } from "@sluice/engines";
import type { PlanStateReader, RunCommand } from "@sluice/runner";
import type { GlobalArgs, Io } from "../command.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { openCommandEngine } from "../command-engine.js";

/** What `build --dry-run` and `run --dry-run` take. */
export interface DryRunArgs extends GlobalArgs, SelectionArgs {
  fullRefresh?: boolean;
  format: "table" | "json";
  defer?: boolean;
  favorState?: boolean;
}

/**
 * `build|run --dry-run`: print each selected node's plan (statements, Glue and S3 operations,
 * partitions touched) from the catalog state read now, and change nothing: the engine is opened
 * read-only (Athena: no build lease; the lake: a snapshot of its catalog, or none when there is
 * no lake yet), and no compile cache or artifact is written under target/.
 */
export async function dryRun(command: RunCommand, args: DryRunArgs, io: Io): Promise<number> {
  const { loadSelection } = await import("../selection.js");
  // The compile cache lives in target/: a dry run writes nothing, so it neither reads nor writes it.
  const selection = await loadSelection({ ...args, partialParse: false }, io);
  if (!selection) return ExitCode.usage;
  const { ctx, ids } = selection;
  const [
    { listLakeRawZone, isLakeEngine, isCatalogEngine },
    { planRun },
    { formatPlans },
    { toSnakeJson },
  ] = await Promise.all([
    import("@sluice/engines"),
    import("@sluice/runner"),
    import("@sluice/compiler/plan"),
    import("../output/json.js"),
  ]);
  const target = ctx.target;
  const catalogEngineOf = (opened: Engine) => {
    if (!isCatalogEngine(opened)) throw new Error(`bug: engine ${opened.name} is of no family`);
    return opened;
  };
  // No lake yet: nothing exists (opening one would create it).
  const noLake =
    target.engine === "duckdb" &&
    !existsSync(path.join(path.resolve(ctx.project.dir, target.lake), "catalog.duckdb"));
  const engine = noLake
    ? undefined
    : await openCommandEngine(io, target, ctx.project.dir, { readOnly: true, snapshot: true });
  const planEngine: PlanStateReader =
    engine === undefined
      ? {
          family: "lake",
          describeRelation: () => Promise.resolve({ exists: false as const }),
          execute: () => Promise.reject(new Error("no lake: nothing to read")),
          // The raw zone may hold files already: the first build reads them.
          listRawHours: (zone: RawZone, from?: string) =>
            Promise.resolve(listLakeRawZone(zone, from)),
          // No lake, no table version: every hour is read, none is late.
          rawHoursChangedSince: () => Promise.resolve([]),
        }
      : isLakeEngine(engine)
        ? engine
        : catalogEngineOf(engine);
  try {
    // The plans show what --defer reads, as the build would.
    let deferRename: ((sql: string) => string) | undefined;
    if (args.defer === true && selection.state) {
      const { deferSelection, missingDeferredMessage } = await import("./defer-to-state.js");
      const favor = args.favorState === true;
      const deferral = await deferSelection(ctx, ids, selection.state, planEngine, favor);
      deferRename = deferral.rename;
      // Without a warehouse (no lake yet) nothing exists: the plan is all a dry run can show.
      if (engine && deferral.missing.length > 0)
        io.err(`warning: the build would stop: ${missingDeferredMessage(deferral.missing)}`);
    }
    // Models that read the warehouse while rendering are planned as they will run.
    const { renderSelectedWithWarehouse } = await import("../render-at-run.js");
    const rendered = await renderSelectedWithWarehouse(
      ctx,
      args,
      ids,
      io,
      engine
        ? { query: (sql) => engine.execute(sql, { label: "dry run" }) }
        : { why: "the lake has no tables yet: its queries have nothing to read" },
      deferRename,
    );
    if (!rendered) return ExitCode.failed;
    const plans = await planRun({
      command,
      compiled: ctx.compiled,
      selected: ids,
      engine: planEngine,
      dialect: ctx.dialect,
      runId: ctx.runId,
      fullRefresh: args.fullRefresh ?? false,
    });
    if (args.format === "json") io.out(toSnakeJson(plans));
    else {
      if (plans.length > 0) io.out(formatPlans(plans));
      io.err(
        `dry run: ${plans.length} node${plans.length === 1 ? "" : "s"} planned on target '${ctx.targetName}'; nothing was changed`,
      );
    }
    return ExitCode.ok;
  } finally {
    await engine?.close();
  }
}
