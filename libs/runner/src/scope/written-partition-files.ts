import type { CompiledNode } from "@sluice/compiler";
import { isLakeDialect } from "@sluice/dialects";
import { isLakeEngine } from "@sluice/engines";
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

/** A table version published this run, read as the rows its write produced and the rest. */
export interface WrittenRows {
  /** A relation over the files this run wrote (every row it wrote). */
  written: string;
  /** A relation over the files carried from the version before; undefined when none were. */
  carried?: string;
  /**
   * A relation over the carried files of partitions this run wrote (rows carry_where kept beside
   * the written ones); undefined when no carried file is of a written partition.
   */
  carriedIntoWritten?: string;
}

/**
 * Lake engines: for each table of `nodes` whose version this run published with written
 * partitions, that version's files split into those this run wrote and those it carried
 * (`LakeEngine.versionFileOrigins`), as relations, keyed by the relation as the dialect quotes
 * it. A uniqueness check of new keys then reads every written row and filters only the carried
 * files on the key. Empty on other engines and in `--scope full`.
 *
 * @example await writtenRows([events], ctx)
 * // Map { '"silver"."events"' => { written: "(SELECT * FROM read_parquet(['…/event_date=2026-11-27/part-….parquet'], …))", carried: "(…~part-….parquet…)", carriedIntoWritten: "(…event_date=2026-11-27~part-….parquet…)" } }
 */
export async function writtenRows(
  nodes: readonly CompiledNode[],
  ctx: Pick<RunNodeContext, "engine" | "dialect" | "published" | "written" | "scope">,
): Promise<Map<string, WrittenRows>> {
  const rows = new Map<string, WrittenRows>();
  const { engine, dialect } = ctx;
  if (ctx.scope === "full" || !isLakeEngine(engine) || !isLakeDialect(dialect)) return rows;
  for (const node of nodes) {
    if ((ctx.written?.get(node.id)?.values.length ?? 0) === 0) continue;
    const relation = dialect.quoteRelation(node.relation);
    const version = ctx.published?.get(relation);
    if (version === undefined) continue;
    const origins = await engine.versionFileOrigins(version.location);
    if (origins.written.length === 0) continue;
    rows.set(relation, {
      written: dialect.tableFilesRelation(origins.written, version.columns),
      ...(origins.carried.length > 0
        ? { carried: dialect.tableFilesRelation(origins.carried, version.columns) }
        : {}),
      ...(origins.carriedIntoWritten.length > 0
        ? {
            carriedIntoWritten: dialect.tableFilesRelation(
              origins.carriedIntoWritten,
              version.columns,
            ),
          }
        : {}),
    });
  }
  return rows;
}
