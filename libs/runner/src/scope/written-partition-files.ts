import type { CompiledNode } from "@sluice/compiler";
import { tableWindowRelation } from "../incremental/window-reads.js";
import type { RunNodeContext } from "../execute-node.js";

/**
 * Lake engines: for each table of `nodes` whose version this run published by insert_overwrite,
 * a relation reading only the files of its partitions from the first one written on (see
 * `tableWindowRelation`), keyed by the relation as the dialect quotes it. A test scoped to the
 * written partitions then filters those files instead of opening every file of the table's
 * history (its partition filter still picks exactly the written ones). Empty on other engines,
 * in `--scope full`, or for a NULL or multi-column partition.
 *
 * @example await writtenPartitionFiles([stgEvents], ctx)
 * // Map { '"staging"."stg_events"' => "(SELECT * FROM read_parquet(['…/dt=2026%2F11%2F27%2F00/…'], …))" }
 */
export async function writtenPartitionFiles(
  nodes: readonly CompiledNode[],
  ctx: Pick<RunNodeContext, "engine" | "dialect" | "published" | "written" | "scope">,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (ctx.scope === "full") return files;
  for (const node of nodes) {
    const written = ctx.written?.get(node.id);
    const [column, more] = written?.columns ?? [];
    const values = (written?.values ?? []).map((v) => v[0]);
    if (!column || more || values.length === 0 || values.some((v) => v == null)) continue;
    const relation = ctx.dialect.quoteRelation(node.relation);
    const first = (values as string[]).sort()[0]!;
    const read = await tableWindowRelation(
      ctx.engine,
      ctx.dialect,
      ctx.published,
      relation,
      column.name,
      first,
    );
    if (read !== undefined) files.set(relation, read);
  }
  return files;
}
