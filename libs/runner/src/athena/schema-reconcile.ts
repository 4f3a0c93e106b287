import type { CompiledNode } from "@sluice/compiler";
import { catalogDialect } from "@sluice/dialects";
import { QueryError, type ColumnInfo } from "@sluice/engines";
import { describeDiff, diffColumns, hasChanges } from "../incremental/schema-change.js";
import type { MaterializeContext } from "../materialize/materializer.js";

/** The SELECT to write and the table's columns after reconciling. */
export interface Reconciled {
  selectSql: string;
  /** The table's columns, in order, once the write is done (a MERGE's column list). */
  columns: string[];
}

/**
 * on_schema_change for a write into an existing catalog table. `ignore` (the default) checks
 * nothing, as dbt does. Otherwise the SELECT's columns (a LIMIT 0 probe) are compared with the
 * table's by name and base type (Athena's results report `decimal`, not `decimal(10,2)`): `fail`
 * stops with the diff; `append_new_columns` adds the new columns (ALTER TABLE ... ADD COLUMNS)
 * and reorders the SELECT to the table's order (INSERT matches by position): the table's columns
 * (typed NULLs for those the SELECT lost), then the new ones, partition columns last.
 */
export async function reconcileSchema(
  node: CompiledNode,
  ctx: MaterializeContext,
  existing: readonly ColumnInfo[],
  selectSql: string,
): Promise<Reconciled> {
  const names = existing.map((c) => c.name);
  const policy = node.config.on_schema_change ?? "ignore";
  if (policy === "ignore" || existing.length === 0) return { selectSql, columns: names };
  const d = catalogDialect(ctx.dialect);
  const probe = await ctx.execute(d.limit(selectSql, 0));
  const base = (c: ColumnInfo): ColumnInfo => ({
    name: c.name,
    type: c.type.replace(/[(<].*$/s, "").trim(),
  });
  const diff = diffColumns(existing.map(base), probe.columns.map(base));
  if (!hasChanges(diff)) return { selectSql, columns: names };
  if (policy === "fail") {
    const message = `${node.id}: the incremental model's columns differ from ${node.relation.schema}.${node.relation.name} (on_schema_change='fail'): ${describeDiff(diff)}. Run with --full-refresh or set on_schema_change`;
    throw new QueryError(message, { sql: selectSql, label: node.id, engineMessage: message });
  }
  const added = probe.columns.filter((c) => diff.added.some((a) => a.name === c.name));
  // Query results name a complex type without its parts (`array`, not `array(varchar)`): no DDL can be written for it.
  const untyped = added.filter((c) => /^(array|map|row|struct)$/i.test(c.type.trim()));
  if (untyped.length > 0) {
    const message = `${node.id}: cannot add column(s) ${untyped.map((c) => `${c.name} (${c.type})`).join(", ")} to ${node.relation.schema}.${node.relation.name} (on_schema_change='append_new_columns'): the query result does not give their element types. Add them with ALTER TABLE ... ADD COLUMNS, or run with --full-refresh`;
    throw new QueryError(message, { sql: selectSql, label: node.id, engineMessage: message });
  }
  if (added.length > 0)
    for (const statement of d.addColumns(node.relation, added)) await ctx.execute(statement.sql);

  const incoming = new Set(probe.columns.map((c) => c.name));
  const partition = new Set(node.partitionedBy);
  const data = existing.filter((c) => !partition.has(c.name));
  const keys = existing.filter((c) => partition.has(c.name));
  const ordered = [...data, ...added, ...keys];
  const select = ordered.map((c) =>
    incoming.has(c.name) ? { name: c.name } : { name: c.name, missingType: c.type },
  );
  return {
    selectSql: d.selectIncoming(selectSql, select),
    columns: ordered.map((c) => c.name),
  };
}
