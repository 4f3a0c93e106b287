import type { CloneOutcome } from "@sluice/runner";
import path from "node:path";
import type { CommandSpec, GlobalArgs, Io } from "../command.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, selectionOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";
import { openCommandEngine } from "../command-engine.js";

export interface CloneArgs extends SelectionArgs {
  fullRefresh?: boolean;
  format?: "text" | "json";
}

const line = (o: CloneOutcome): string => {
  const name = `${o.relation.schema}.${o.relation.name}`;
  if (o.status === "created") {
    const what =
      o.as === "table" ? `Glue table, same location, ${o.partitions ?? 0} partition(s)` : "view";
    return `created ${name} → ${o.from.schema}.${o.from.name} (${what})`;
  }
  if (o.status === "skipped") return `skipped ${o.id}: ${o.reason}`;
  return `error   ${o.id}: ${o.message}`;
};

/**
 * Clone the selected nodes (see {@link cloneCommand}) and write `target/run_results.json` as
 * dbt's clone does (`which: clone`, the flags in `args`), so `sluice retry` clones again what
 * errored. Returns the exit code: 1 when a node could not be cloned.
 */
export async function cloneNodes(args: CloneArgs & GlobalArgs, io: Io): Promise<number> {
  if (args.state === undefined) {
    io.err(
      "error: clone points this target's relations at a previous run's: pass --state DIR with its manifest.json",
    );
    return ExitCode.usage;
  }
  const startedAt = new Date();
  const { loadSelection } = await import("../selection.js");
  const selection = await loadSelection(args, io);
  if (!selection?.state) return ExitCode.usage;
  const { ctx, ids, state } = selection;
  const { cloneRelations, cloneRunResults, writeRunResults } = await import("@sluice/runner");
  const engine = await openCommandEngine(io, ctx.target, ctx.project.dir);
  let outcomes: CloneOutcome[];
  try {
    outcomes = await cloneRelations({
      compiled: ctx.compiled,
      ids,
      state,
      engine,
      dialect: ctx.dialect,
      fullRefresh: args.fullRefresh ?? false,
      ...(io.signal ? { signal: io.signal } : {}),
      onOutcome: (o) => {
        if (o.status === "error") io.err(line(o));
        else if (args.format !== "json") io.out(line(o));
        if (o.status === "created" && o.warning) io.err(`warning: ${o.id}: ${o.warning}`);
      },
    });
  } finally {
    await engine.close();
  }
  const { invocationArgs } = await import("../invocation-args.js");
  const results = cloneRunResults(outcomes, ctx.compiled, {
    target: ctx.targetName,
    runId: ctx.runId,
    startedAt: startedAt.toISOString(),
    elapsedMs: Date.now() - startedAt.getTime(),
  });
  const file = await writeRunResults(ctx.targetDir, results, ctx.compiled, invocationArgs(args));
  const count = (s: CloneOutcome["status"]) => outcomes.filter((o) => o.status === s).length;
  if (args.format === "json") {
    // The outcomes as data (errors were said on stderr too, as they happened).
    io.out(
      JSON.stringify(
        {
          state: state.dir,
          target: ctx.targetName,
          created: count("created"),
          skipped: count("skipped"),
          errors: count("error"),
          results: path.relative(process.cwd(), file),
          nodes: outcomes,
        },
        null,
        2,
      ),
    );
    return count("error") > 0 ? ExitCode.failed : ExitCode.ok;
  }
  io.out(
    `Clone of ${state.dir} into target '${ctx.targetName}': ${count("created")} created, ` +
      `${count("skipped")} skipped, ${count("error")} error(s). Results: ${path.relative(process.cwd(), file)}`,
  );
  return count("error") > 0 ? ExitCode.failed : ExitCode.ok;
}

/**
 * `sluice clone --state DIR`: dbt 1.6+'s clone. Each selected model, seed or snapshot the state
 * has becomes, in this target, a view of the state's relation (no data copied: see `planClone`;
 * on Athena a Glue table entry pointing at the state's table's S3 location, which a later build
 * of this target replaces by a table of its own: see `CatalogEngine.cloneTable`),
 * e.g. to start a CI schema from production's tables. Relations that exist are kept unless
 * `--full-refresh`. Exit 1 when a node could not be cloned (its state relation is missing).
 */
export const cloneCommand: CommandSpec<CloneArgs> = {
  ...commandHeads.clone,
  options: {
    ...selectionOptions,
    "full-refresh": {
      type: "boolean",
      describe: "Replace relations that already exist in this target (else they are kept)",
    },
    format: formatOption(["text", "json"], "text"),
  },
  handler: cloneNodes,
};
