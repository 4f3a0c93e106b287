import { planStatements } from "@sluice/compiler";
import type { Materializer } from "./materializer.js";
import { rowsWritten } from "./materializer.js";

/**
 * The local lake: a table version is written to a fresh Parquet folder, then the view is
 * swapped onto it (one catalog statement) and older folders are removed. An incremental run
 * appends files to the current folder.
 */
export const viewSwapMaterializer: Materializer = async (node, ctx) => {
  const writesTable = node.materialization === "table" || node.materialization === "seed" || node.materialization === "incremental";
  const existing = node.materialization === "incremental" && !ctx.fullRefresh ? await ctx.engine.describeRelation(node.relation) : { exists: false };
  const appended = existing.exists && existing.kind === "table";
  const statements = planStatements(node, ctx.dialect, {
    exists: appended,
    location: existing.location,
    fullRefresh: ctx.fullRefresh,
    writeId: ctx.writeId,
  });
  let rows: number | undefined;
  for (const statement of statements) rows = rowsWritten(statement.kind, await ctx.execute(statement.sql), rows);
  if (writesTable && !appended && node.location) await ctx.engine.removeStaleLocations(node.relation, node.location);
  return { rows, appended };
};
