import { snapshotWrite } from "@sluice/compiler/plan";
import { isLakeDialect } from "@sluice/dialects";
import { QueryError } from "@sluice/engines";
import { catalogSwapMaterializer } from "./catalog-swap.js";
import type { Materializer } from "./materializer.js";
import { rowsWritten } from "./materializer.js";
import { viewSwapMaterializer } from "./view-swap.js";

/**
 * A dbt snapshot (see `snapshotWrite` in @sluice/compiler/plan). The lake runs its plan through
 * the view swap (the column probe, then the first build or the rewrite as a new version). Athena
 * reads the table's state and, when it exists, the columns of the snapshot's query (the plan's
 * probe, one LIMIT 0 query), then writes what the plan says: an Iceberg CTAS published by the
 * Glue swap, or one MERGE INTO.
 */
export const snapshotMaterializer: Materializer = async (node, ctx) => {
  // The lake runs the snapshot's plan, its column probe a step of it (see `planSnapshot`).
  if (isLakeDialect(ctx.dialect)) return viewSwapMaterializer(node, ctx);
  const state = await ctx.engine.describeRelation(node.relation);
  const exists = state.exists && state.kind === "table";
  const sourceColumns = exists
    ? (await ctx.execute(ctx.dialect.limit(node.sql, 0))).columns.map((c) => c.name)
    : undefined;
  const write = snapshotWrite(node, ctx.dialect, {
    fullRefresh: false,
    writeId: ctx.writeId,
    state: { ...state, ...(state.columns ? { columns: state.columns } : {}) },
    ...(sourceColumns ? { sourceColumns } : {}),
  });
  if ("error" in write)
    throw new QueryError(write.error, {
      sql: node.sql,
      label: node.id,
      engineMessage: write.error,
    });
  if ("statement" in write) {
    const rows = rowsWritten("merge", await ctx.execute(write.statement.sql), undefined);
    return { appended: true, ...(rows === undefined ? {} : { rows }) };
  }
  const outcome = await catalogSwapMaterializer(write.table, ctx);
  return { ...outcome, appended: exists };
};
