import type { CompiledNode } from "@sluice/compiler";
import { planNode, refWindowCalls, type NodePlan, type WindowReads } from "@sluice/compiler/plan";
import { lakeDialect } from "@sluice/dialects";
import { lakeEngine, type RelationInfo } from "@sluice/engines";
import { tableWindowRelation } from "../incremental/window-reads.js";
import { lakePlanInput } from "../lake/lake-plan-input.js";
import { notePublished } from "../lake/lake-select-inputs.js";
import { runLakePlan, type LakePlanOutcome } from "../lake/lake-steps.js";
import type { MaterializeContext, MaterializeOutcome, Materializer } from "./materializer.js";
import { assertUpstreamIntact, assertVersionIntact } from "./version-check.js";

/**
 * The local lake (tables, incrementals, seeds and snapshots). The node's plan (`planNode`, as
 * `build --dry-run` prints it) is made from the table's state read first (its entry, what its version recorded, the incremental window from
 * the raw zone's listing), then run step by step (`runLakePlan`): a table version is written to
 * a fresh Parquet folder, then the view is swapped onto it (one transaction, with the table's
 * state) and older folders are removed at the end of the run. Incremental runs also write a new
 * version: untouched files of the current one are carried over by hard link (or merged), so a
 * kill at any moment leaves the previous version readable.
 */
export const viewSwapMaterializer: Materializer = async (node, ctx) => {
  await assertUpstreamIntact(ctx);
  const engine = lakeEngine(ctx.engine);
  const dialect = lakeDialect(ctx.dialect);
  // Described once: planning the raw reads did it for incremental tables it found (~9 ms a call).
  // A snapshot's history is not in its source: --full-refresh never rebuilds it. A seed's entry
  // says whether its version was loaded from the same rows, a raw source's view whether the same
  // statements made it (then it is left as it is).
  const existing: RelationInfo =
    node.materialization === "incremental" && !ctx.fullRefresh
      ? (ctx.raw?.windows.get(node.id)?.existing ?? (await engine.describeRelation(node.relation)))
      : node.materialization === "snapshot" ||
          node.materialization === "source" ||
          (node.materialization === "seed" && !ctx.fullRefresh)
        ? await engine.describeRelation(node.relation)
        : { exists: false };
  // A version missing files must not be read as if it were empty, nor carried over.
  if (existing.exists && existing.kind === "table" && existing.location)
    await assertVersionIntact(engine, node.relation, existing.location, node.name);
  const { input, window } = await lakePlanInput(
    node,
    {
      ...ctx,
      engine,
      dialect,
      reconciled: ctx.raw?.reconciled ?? new Set(),
      versionRecorded: ctx.versionsRecorded === true,
      upstreamWrote: (node.dependsOn ?? []).some(
        (id) => (ctx.written?.get(id)?.values.length ?? 0) > 0,
      ),
      ...(ctx.raw ? { tableStates: ctx.raw.tableStates } : {}),
    },
    existing,
  );
  if (window) ctx.raw?.windows.set(node.id, window);
  const plan = planNode(node, dialect, input);
  const replan = (incoming: readonly { name: string; type: string }[]): NodePlan =>
    planNode(node, dialect, { ...input, incoming });
  let ran: NodePlan | undefined;
  // An incremental write reads the window's new data (a merge rewrites the whole table); a table
  // built whole reads history; a view or a seed reads nothing much either way.
  const newDataOnly = plan.window
    ? plan.action !== "merge"
    : node.materialization === "table" || node.materialization === "incremental"
      ? false
      : undefined;
  const sized = { ...ctx, execute: (sql: string) => ctx.execute(sql, { newDataOnly }) };
  try {
    const reads = await windowReads(node, sized, plan);
    const outcome = await runLakePlan(plan, {
      node,
      ctx: sized,
      engine,
      dialect,
      reads,
      replan,
      ...(ctx.raw ? { listedAt: ctx.raw.listedAt } : {}),
    });
    ran = outcome.ran;
    notePublished(ctx.tableVersions, node.relation, outcome.ran);
    return outcomeOf(node, outcome);
  } finally {
    await ctx.onPlan?.(node, ran ?? plan);
  }
};

/** What the build did, in the runner's terms (see `describeBuild`); the plan as it ran decides. */
function outcomeOf(node: CompiledNode, outcome: LakePlanOutcome): MaterializeOutcome {
  const { rows, tableRows, carried, carriedRows } = outcome;
  switch (outcome.ran.action) {
    case "unchanged":
      if (node.materialization === "source")
        return {
          appended: false,
          unchanged: true,
          unchangedWhy: "its view was made by the same statements",
        };
      // A seed loaded from the same rows: its tests read the table as ever (no `written`).
      if (node.materialization === "seed")
        return {
          appended: false,
          unchanged: true,
          unchangedWhy: "the same rows and definition as its version",
        };
      // No partition written: the node's tests of new data have none to check.
      return {
        appended: false,
        unchanged: true,
        unchangedWhy: `no new data in its window (from ${outcome.ran.window?.from ?? "?"})`,
        written: { columns: node.partitionedBy.map((name) => ({ name })), values: [] },
      };
    case "merge":
      // One SELECT rewrote every file: it counts the whole table, not the rows merged in.
      return { appended: true, ...(rows === undefined ? {} : { tableRows: rows }) };
    case "insert_overwrite":
      return {
        rows,
        appended: true,
        ...(carried ? { partitions: carried.writtenPartitions, written: carried.written } : {}),
        ...(carriedRows === undefined ? {} : { carriedRows }),
      };
    case "append":
      return { rows, appended: true, ...(tableRows === undefined ? {} : { tableRows }) };
    case "snapshot rewrite":
      return { rows, appended: true };
    default:
      return { rows, appended: false };
  }
}

/**
 * What the window calls of the node's statements read in this run: `sluice_raw_window()` the
 * run's table of the raw zone's lines; in an incremental window, `sluice_ref_window()` the files
 * of the partitions from the window's start of a table published in this run. A view keeps
 * naming the source (the run's raw table is gone when the run ends).
 */
async function windowReads(
  node: CompiledNode,
  ctx: MaterializeContext,
  plan: NodePlan,
): Promise<WindowReads> {
  if (node.materialization === "view") return {};
  const raws = new Map<string, string>();
  for (const [relation, { location }] of ctx.rawSources ?? []) {
    const load = ctx.raw?.loads.get(location);
    if (load) raws.set(relation, (await load).relation);
  }
  const refs = new Map<string, string>();
  const from = plan.window?.from;
  if (from !== undefined)
    for (const { relation, column } of refWindowCalls(node.incrementalSql ?? node.sql)) {
      const files = await tableWindowRelation(
        ctx.engine,
        ctx.dialect,
        ctx.published,
        relation,
        column,
        from,
      );
      if (files !== undefined) refs.set(`${relation} ${column}`, files);
    }
  return {
    raw: (relation) => raws.get(relation),
    ref: (relation, column) => refs.get(`${relation} ${column}`),
  };
}
