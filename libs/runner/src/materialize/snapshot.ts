import {
  planNode,
  schemaAfter,
  VERSION_PARAMETER,
  type NodePlan,
  type PlanInput,
} from "@sluice/compiler/plan";
import { isLakeDialect } from "@sluice/dialects";
import { catalogEngine } from "../athena/catalog-engine.js";
import { catalogState } from "../athena/catalog-plan-input.js";
import { runCatalogPlan } from "../athena/catalog-steps.js";
import { noteVersion } from "../athena/unchanged-inputs.js";
import { asNodeError } from "./catalog-swap.js";
import type { Materializer } from "./materializer.js";
import { viewSwapMaterializer } from "./view-swap.js";

/**
 * A dbt snapshot (see `planSnapshot` in @sluice/compiler/plan): its plan, made from the table's
 * state read first, run as `build --dry-run` prints it. The lake runs it through the view swap
 * (the column probe, then the first build or the rewrite as a new version); Athena through the
 * catalog plan runner: the first run an Iceberg CTAS published by the Glue swap, the next ones
 * the column probe (a LIMIT 0 query; the plan is made again with its columns, so a query whose
 * columns are not the table's fails before anything is written) and one MERGE INTO.
 * `--full-refresh` never rebuilds a snapshot: its history is not in its source.
 */
export const snapshotMaterializer: Materializer = async (node, ctx) => {
  if (isLakeDialect(ctx.dialect)) return viewSwapMaterializer(node, ctx);
  const engine = catalogEngine(ctx.engine);
  let ran: NodePlan | undefined;
  let plan: NodePlan | undefined;
  try {
    // A clone shares another table's location: replaced by a snapshot of this target's own.
    await engine.replaceClone(node.relation);
    const existing = await engine.describeRelation(node.relation, { written: true });
    const input: PlanInput = {
      fullRefresh: false,
      writeId: ctx.writeId,
      state: catalogState(existing),
    };
    plan = planNode(node, ctx.dialect, input);
    const replan = (incoming: PlanInput["incoming"]): NodePlan =>
      planNode(node, ctx.dialect, { ...input, ...(incoming ? { incoming } : {}) });
    const outcome = await runCatalogPlan(plan, { node, ctx, engine, existing, replan });
    ran = outcome.ran;
    const exists = input.state.exists && input.state.kind === "table";
    // Models reading the snapshot record its version: a new one when this run changed rows
    // (created it, or a MERGE that matched; an unknown count counts as changed), else the same.
    const changed = !exists || outcome.rows !== 0;
    if (changed)
      await engine.setTableParameters(node.relation, { [VERSION_PARAMETER]: ctx.writeId });
    noteVersion(ctx, node.relation, {
      version: changed ? ctx.writeId : (input.state.version ?? ""),
      schema: schemaAfter(ran, input.state),
    });
    return { appended: exists, ...(outcome.rows === undefined ? {} : { rows: outcome.rows }) };
  } catch (error) {
    throw asNodeError(node, error);
  } finally {
    if (plan) await ctx.onPlan?.(node, ran ?? plan);
  }
};
