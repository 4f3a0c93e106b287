import type { CompiledNode } from "@sluice/compiler";
import {
  incrementalFrom,
  PENDING_PARAMETER,
  planNode,
  schemaAfter,
  type NodePlan,
  type PlanInput,
} from "@sluice/compiler/plan";
import { QueryError, type RelationInfo } from "@sluice/engines";
import { catalogEngine } from "../athena/catalog-engine.js";
import {
  catalogPlanInput,
  catalogState,
  writesIncrementally,
} from "../athena/catalog-plan-input.js";
import { runCatalogPlan } from "../athena/catalog-steps.js";
import { noteVersion } from "../athena/unchanged-inputs.js";
import { legacyWatermark } from "../athena/watermark.js";
import { newestHour } from "../incremental/raw-hours.js";
import type { MaterializeContext, Materializer, MaterializeOutcome } from "./materializer.js";

/**
 * Athena + Glue. The node's plan (`planNode`, as `build --dry-run` prints it) is made from the
 * table's catalog entry read first and the inputs listed for it, then run step by step
 * (`runCatalogPlan`): tables (and seeds, and incremental first runs) are one CTAS into a staging
 * table `<name>__sluice_<write id>` at a fresh S3 location, published by a Glue swap (readers see
 * the old or the new version, never a missing table), the old data deleted at the end of the run;
 * incremental runs append, merge (Iceberg) or CTAS the rebuilt partitions and repoint them
 * (insert_overwrite). A table built from the same inputs as its version is left unchanged.
 * A clone made by `sluice clone` is replaced first (see `CatalogEngine.replaceClone`).
 */
export const catalogSwapMaterializer: Materializer = async (node, ctx) => {
  try {
    return await materialize(node, ctx);
  } catch (error) {
    throw asNodeError(node, error);
  }
};

/**
 * Catalog and storage calls (Glue, S3) fail with SDK errors; they are the node's failure
 * (AccessDenied, a missing bucket...), reported like a failed query rather than as a bug.
 */
export function asNodeError(node: CompiledNode, error: unknown): unknown {
  if (
    error instanceof QueryError ||
    !(error instanceof Error) ||
    !("$metadata" in error || /Exception$|^SlowDown$/.test(error.name))
  )
    return error;
  return new QueryError(
    `${node.id} failed: ${error.message}`,
    { sql: "", label: node.id, engineMessage: error.message },
    { cause: error },
  );
}

const TABLES: ReadonlySet<string> = new Set(["table", "seed", "incremental"]);

const materialize: Materializer = async (node, ctx) => {
  const engine = catalogEngine(ctx.engine);
  // A clone (`sluice clone`) shares another table's location: as in dbt, building the model
  // replaces it by a table of its own (only the clone's entry is deleted, never an object).
  await engine.replaceClone(node.relation);
  if (!TABLES.has(node.materialization)) {
    const input = { fullRefresh: ctx.fullRefresh, writeId: ctx.writeId, state: { exists: false } };
    const plan = planNode(node, ctx.dialect, input);
    const existing = { exists: false };
    const outcome = await runCatalogPlan(plan, { node, ctx, engine, existing, replan: () => plan });
    await ctx.onPlan?.(node, outcome.ran);
    return { appended: false };
  }
  const existing: RelationInfo = ctx.fullRefresh
    ? { exists: false }
    : await engine.describeRelation(node.relation, { written: true });
  const state = catalogState(existing);
  if (writesIncrementally(node, state) && state.watermark === undefined) {
    const watermark = await legacyWatermark(node, ctx, existing);
    if (watermark !== undefined) state.watermark = watermark;
  }
  const { input, check, from } = await catalogPlanInput(
    node,
    { ...ctx, reconciled: ctx.reconciled?.nodes ?? new Set() },
    engine,
    existing,
    state,
  );
  const plan = planNode(node, ctx.dialect, input);
  const replan = (incoming: PlanInput["incoming"]): NodePlan =>
    planNode(node, ctx.dialect, { ...input, ...(incoming ? { incoming } : {}) });
  let ran: NodePlan | undefined;
  try {
    const outcome = await runCatalogPlan(plan, { node, ctx, engine, existing, replan });
    ran = outcome.ran;
    return recordRun(node, ctx, plan, { from, raw: check.raw, input }, outcome);
  } finally {
    await ctx.onPlan?.(node, ran ?? plan);
  }
};

/** After the plan ran: what the run's later nodes and its reconciliation need to know of it. */
function recordRun(
  node: CompiledNode,
  ctx: MaterializeContext,
  plan: NodePlan,
  planned: { from: string; raw: ReadonlyMap<string, string> | undefined; input: PlanInput },
  outcome: Awaited<ReturnType<typeof runCatalogPlan>>,
): MaterializeOutcome {
  if (plan.action === "unchanged") {
    noteVersion(ctx, node.relation, {
      version: planned.input.state.version ?? "",
      schema: schemaAfter(plan, planned.input.state),
    });
    // The reconciliation checks the hours read: none (those before were checked when read).
    if (writesIncrementally(node, planned.input.state))
      ctx.windowsRead?.set(node.id, incrementalFrom(newestHour(planned.raw), -1));
    return { appended: false, unchanged: true };
  }
  noteVersion(ctx, node.relation, {
    version: ctx.writeId,
    schema: schemaAfter(outcome.ran, planned.input.state),
  });
  if (plan.window) ctx.windowsRead?.set(node.id, plan.window.from);
  if (planned.input.recorded?.[PENDING_PARAMETER] !== undefined)
    ctx.reconciled?.recorded.add(node.id);
  const published = outcome.partitions;
  return {
    ...(outcome.rows === undefined ? {} : { rows: outcome.rows }),
    appended: plan.action !== "new version",
    ...(published
      ? { partitions: published.updated + published.created, written: published.written }
      : {}),
    // An overwrite or merge that matched nothing wrote 0 rows (an append's count is as reported).
    ...(plan.action === "insert_overwrite" || plan.action === "merge"
      ? { rows: outcome.rows ?? 0 }
      : {}),
  };
}
