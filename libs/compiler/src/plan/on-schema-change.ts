import type { CatalogDialect, IncomingColumn, LakeDialect, Statement } from "@sluice/dialects";
import type { CompiledNode } from "../types.js";
import {
  describeDiff,
  diffColumns,
  hasChanges,
  type ColumnDiff,
  type ColumnInfo,
} from "./schema-change.js";

/** An incremental write's SELECT and the table's columns (in order) once the schema is reconciled. */
export interface ReconciledWrite {
  selectSql: string;
  columns: readonly string[];
  /** ALTER TABLE ... ADD COLUMNS for the columns added, before the write. */
  alter: Statement[];
  /**
   * After the write the SELECT's columns are the table's, by name and base type (none differed,
   * or only new ones, now added): recorded (`sluice_select`) so the next build needs no probe.
   */
  selectIsTable: boolean;
}

/**
 * on_schema_change for a write into an existing catalog table, given the columns the SELECT
 * returns (`incoming`, from a LIMIT 0 probe). Compared with the table's by name and base type
 * (Athena's results report `decimal`, not `decimal(10,2)`): no difference, the write is as
 * planned; `fail` is an error naming the diff; `append_new_columns` adds the new columns and
 * reorders the SELECT to the table's order (INSERT matches by position): the table's columns
 * (typed NULLs for those the SELECT lost), then the new ones, partition columns last.
 *
 * @example
 * reconcileColumns(node, dialect, [{ name: "a", type: "bigint" }], "select a, b ...", [{ name: "a", type: "bigint" }, { name: "b", type: "varchar" }])
 * // { columns: ["a", "b"], alter: [ALTER TABLE ... ADD COLUMNS (b varchar)], selectSql: ..., selectIsTable: true }
 */
export function reconcileColumns(
  node: CompiledNode,
  dialect: CatalogDialect,
  existing: readonly ColumnInfo[],
  selectSql: string,
  incoming: readonly ColumnInfo[],
): ReconciledWrite | { error: string } {
  const names = existing.map((c) => c.name);
  const base = (c: ColumnInfo): ColumnInfo => ({
    name: c.name,
    type: c.type.replace(/[(<].*$/s, "").trim(),
  });
  const diff = diffColumns(existing.map(base), incoming.map(base));
  const table = `${node.relation.schema}.${node.relation.name}`;
  if (!hasChanges(diff)) return { selectSql, columns: names, alter: [], selectIsTable: true };
  if (node.config.on_schema_change === "fail") return { error: schemaFailure(node, diff) };
  const added = incoming.filter((c) => diff.added.some((a) => a.name === c.name));
  // Query results name a complex type without its parts (`array`, not `array(varchar)`): no DDL can be written for it.
  const untyped = added.filter((c) => /^(array|map|row|struct)$/i.test(c.type.trim()));
  if (untyped.length > 0)
    return {
      error: `${node.id}: cannot add column(s) ${untyped.map((c) => `${c.name} (${c.type})`).join(", ")} to ${table} (on_schema_change='append_new_columns'): the query result does not give their element types. Add them with ALTER TABLE ... ADD COLUMNS, or run with --full-refresh`,
    };
  const ordered = inTableOrder(node, existing, incoming, added);
  return {
    selectSql: dialect.selectIncoming(selectSql, ordered),
    columns: ordered.map((c) => c.name),
    alter: added.length > 0 ? dialect.addColumns(node.relation, added) : [],
    selectIsTable: diff.removed.length === 0 && diff.changed.length === 0,
  };
}

/**
 * The columns an incremental write gives once on_schema_change is applied: the table's (typed
 * NULLs for those the SELECT lost), then `added`, partition columns last (they must stay last).
 */
function inTableOrder(
  node: CompiledNode,
  existing: readonly ColumnInfo[],
  incoming: readonly ColumnInfo[],
  added: readonly ColumnInfo[],
): IncomingColumn[] {
  const arriving = new Set(incoming.map((c) => c.name));
  const partition = new Set(node.partitionedBy);
  const data = existing.filter((c) => !partition.has(c.name));
  const keys = existing.filter((c) => partition.has(c.name));
  return [...data, ...added, ...keys].map((c) =>
    arriving.has(c.name) ? { name: c.name } : { name: c.name, missingType: c.type },
  );
}

/**
 * on_schema_change for a lake write (a new version with the current one's files carried), given
 * the SELECT's columns (`incoming`, from a LIMIT 0 probe) compared with the table's by name and
 * exact type as the version's files store it (`LakeDialect.storedType`): none differ, the write is as planned; `fail` is an error naming the diff; `ignore`
 * keeps the table's columns, `append_new_columns` adds the new ones (see {@link inTableOrder}).
 * `changed`: the version's files no longer all have the same columns.
 *
 * @example
 * reconcileLakeColumns(node, dialect, [{ name: "a", type: "BIGINT" }], "select a, b ...", incoming)
 * // { selectSql: "SELECT a, b FROM (...)", changed: true } (append_new_columns)
 */
export function reconcileLakeColumns(
  node: CompiledNode,
  dialect: LakeDialect,
  existing: readonly ColumnInfo[],
  selectSql: string,
  incoming: readonly ColumnInfo[],
): { selectSql: string; changed: boolean } | { error: string } {
  const stored = incoming.map((c) => ({ name: c.name, type: dialect.storedType(c.type) }));
  const diff = diffColumns(existing, stored);
  if (!hasChanges(diff)) return { selectSql, changed: false };
  if (node.config.on_schema_change === "fail") return { error: schemaFailure(node, diff) };
  const added = node.config.on_schema_change === "append_new_columns" ? diff.added : [];
  const ordered = inTableOrder(node, existing, incoming, added);
  return { selectSql: dialect.selectIncoming(selectSql, ordered), changed: true };
}

/** on_schema_change='fail': the error naming how the columns differ. */
function schemaFailure(node: CompiledNode, diff: ColumnDiff): string {
  const table = `${node.relation.schema}.${node.relation.name}`;
  return `${node.id}: the incremental model's columns differ from ${table} (on_schema_change='fail'): ${describeDiff(diff)}. Run with --full-refresh or set on_schema_change`;
}
