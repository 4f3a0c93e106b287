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
  if (!hasChanges(diff)) return { selectSql, columns: names, alter: [], selectIsTable: true };
  if (node.config.on_schema_change === "fail") return { error: schemaFailure(node, diff) };
  if (node.config.on_schema_change === "sync_all_columns")
    return syncCatalogColumns(node, dialect, existing, selectSql, incoming, diff);
  const added = addedColumns(incoming, diff);
  // Query results name a complex type without its parts (`array`, not `array(varchar)`): no DDL can be written for it.
  const untyped = untypedColumns(node, added);
  if (untyped) return { error: untyped };
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
 * keeps the table's columns, `append_new_columns` adds the new ones (see {@link inTableOrder}),
 * `sync_all_columns` makes the SELECT's columns the table's: `columns`, the table's columns after
 * the write with their types (the view lists them: the carried files keep dropped columns), and
 * an error for a type change the carried files cannot be read as (see {@link wideningOf}).
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
): { selectSql: string; changed: boolean; columns?: ColumnInfo[] } | { error: string } {
  const stored = incoming.map((c) => ({ name: c.name, type: dialect.storedType(c.type) }));
  const diff = diffColumns(existing, stored);
  if (!hasChanges(diff)) return { selectSql, changed: false };
  if (node.config.on_schema_change === "fail") return { error: schemaFailure(node, diff) };
  if (node.config.on_schema_change === "sync_all_columns") {
    const refused = refusedRetypes(node, diff, "the version's Parquet files keep the old type");
    if (refused) return { error: refused };
    const columns = syncedOrder(node, existing, stored, diff);
    const ordered = columns.map((c) => ({ name: c.name }));
    return { selectSql: dialect.selectIncoming(selectSql, ordered), changed: true, columns };
  }
  const added = node.config.on_schema_change === "append_new_columns" ? diff.added : [];
  const ordered = inTableOrder(node, existing, incoming, added);
  return { selectSql: dialect.selectIncoming(selectSql, ordered), changed: true };
}

/** on_schema_change='fail': the error naming how the columns differ. */
function schemaFailure(node: CompiledNode, diff: ColumnDiff): string {
  const table = tableName(node);
  return `${node.id}: the incremental model's columns differ from ${table} (on_schema_change='fail'): ${describeDiff(diff)}. Run with --full-refresh or set on_schema_change`;
}

/**
 * on_schema_change='sync_all_columns' on a catalog table, as dbt-athena does: only new columns,
 * `ALTER TABLE ADD COLUMNS`; a column dropped or retyped, on a Hive table, `ALTER TABLE REPLACE
 * COLUMNS` with the table's data columns after the change (partition columns stay as they are).
 * Refused with the reason: a type change Athena cannot read the old files as (see
 * {@link wideningOf}; none at all in an unpartitioned Parquet table), REPLACE COLUMNS with a
 * `date` data column (Athena rejects it) or on an Iceberg table (DROP/CHANGE COLUMN: not done by
 * sluice yet).
 */
function syncCatalogColumns(
  node: CompiledNode,
  dialect: CatalogDialect,
  existing: readonly ColumnInfo[],
  selectSql: string,
  incoming: readonly ColumnInfo[],
  diff: ColumnDiff,
): ReconciledWrite | { error: string } {
  const added = addedColumns(incoming, diff);
  const untyped = untypedColumns(node, added);
  if (untyped) return { error: untyped };
  const columns = syncedOrder(node, existing, incoming, diff);
  const selected = dialect.selectIncoming(
    selectSql,
    columns.map((c) => ({ name: c.name })),
  );
  const synced = { selectSql: selected, columns: columns.map((c) => c.name), selectIsTable: true };
  if (diff.removed.length === 0 && diff.changed.length === 0)
    return { ...synced, alter: dialect.addColumns(node.relation, added) };
  const table = tableName(node);
  const sync = `${node.id}: cannot sync the columns of ${table} (on_schema_change='sync_all_columns')`;
  const fix = "Run with --full-refresh to rebuild the table with the new columns";
  if (node.config["table_type"] === "iceberg")
    return {
      error: `${sync}: ${describeDiff(diff)}; dropping or retyping an Iceberg table's columns (ALTER TABLE DROP/CHANGE COLUMN) is not done by sluice yet. ${fix}`,
    };
  const refused = refusedRetypes(
    node,
    diff,
    node.partitionedBy.length === 0
      ? "Athena reads no other type from an unpartitioned Parquet table's files"
      : "Athena reads the old partitions' Parquet files as another type only when it is wider",
    node.partitionedBy.length === 0,
  );
  if (refused) return { error: refused };
  const partition = new Set(node.partitionedBy);
  const data = columns.filter((c) => !partition.has(c.name));
  const dates = data.filter((c) => /^date$/i.test(c.type.trim()));
  if (dates.length > 0)
    return {
      error: `${sync}: ALTER TABLE REPLACE COLUMNS does not work on Athena with date columns (${dates.map((c) => c.name).join(", ")}). Cast them to timestamp in the model, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
    };
  return { ...synced, alter: dialect.replaceColumns(node.relation, data) };
}

/**
 * The table's columns after sync_all_columns, with their types: the existing ones the SELECT
 * still has (its type where it changed), then the new ones, partition columns last.
 */
function syncedOrder(
  node: CompiledNode,
  existing: readonly ColumnInfo[],
  incoming: readonly ColumnInfo[],
  diff: ColumnDiff,
): ColumnInfo[] {
  const arriving = new Map(incoming.map((c) => [c.name, c]));
  const retyped = new Set(diff.changed.map((c) => c.name));
  const kept = existing
    .filter((c) => arriving.has(c.name))
    .map((c) => (retyped.has(c.name) ? arriving.get(c.name)! : c));
  const added = addedColumns(incoming, diff);
  const partition = new Set(node.partitionedBy);
  return [
    ...kept.filter((c) => !partition.has(c.name)),
    ...added.filter((c) => !partition.has(c.name)),
    ...kept.filter((c) => partition.has(c.name)),
    ...added.filter((c) => partition.has(c.name)),
  ];
}

/**
 * Integer and float types each type can be widened to in place: the old files are read as the
 * new type (Athena's compatible types for Parquet; DuckDB casts the same losslessly).
 */
function wideningOf(type: string): string[] {
  const order = ["tinyint", "smallint", "integer", "bigint"];
  const t = typeName(type);
  if (order.includes(t)) return order.slice(order.indexOf(t) + 1);
  return t === "float" ? ["double"] : [];
}

/** sync_all_columns: the error for the type changes that cannot be applied, if any. */
function refusedRetypes(
  node: CompiledNode,
  diff: ColumnDiff,
  why: string,
  none = false,
): string | undefined {
  const refused = diff.changed.filter((c) => none || !wideningOf(c.from).includes(typeName(c.to)));
  if (refused.length === 0) return undefined;
  const table = tableName(node);
  const list = refused.map((c) => `${c.name} ${c.from} -> ${c.to}`).join(", ");
  const allowed = none
    ? ""
    : "; only these widen in place: tinyint -> smallint -> integer -> bigint, float -> double";
  return `${node.id}: cannot change the type of ${list} in ${table} (on_schema_change='sync_all_columns'): ${why}${allowed}. Cast the column back to its old type in the model, or run with --full-refresh to rebuild the table`;
}

/** Complex columns a query result names without their parts: no DDL can be written for them. */
function untypedColumns(node: CompiledNode, added: readonly ColumnInfo[]): string | undefined {
  const untyped = added.filter((c) => /^(array|map|row|struct)$/i.test(c.type.trim()));
  if (untyped.length === 0) return undefined;
  const table = tableName(node);
  return `${node.id}: cannot add column(s) ${untyped.map((c) => `${c.name} (${c.type})`).join(", ")} to ${table} (on_schema_change='${node.config.on_schema_change}'): the query result does not give their element types. Add them with ALTER TABLE ... ADD COLUMNS, or run with --full-refresh`;
}

/** `int` and `real` as `integer` and `float`, lower case: one name per type for {@link wideningOf}. */
const typeName = (type: string): string =>
  type
    .toLowerCase()
    .replace(/^int$/, "integer")
    .replace(/^real$/, "float");

/** The SELECT's columns (`incoming`, with their types) that the diff says are new. */
const addedColumns = (incoming: readonly ColumnInfo[], diff: ColumnDiff): ColumnInfo[] =>
  incoming.filter((c) => diff.added.some((a) => a.name === c.name));

/** `schema.name` of the node's table, as the errors name it. */
const tableName = (node: CompiledNode): string => `${node.relation.schema}.${node.relation.name}`;
