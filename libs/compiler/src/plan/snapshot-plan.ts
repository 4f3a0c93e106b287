import { isCatalogDialect, isLakeDialect, type Dialect, type Statement } from "@sluice/dialects";
import {
  firstSnapshotSelect,
  SNAPSHOT_META_COLUMNS,
  snapshotMergeSql,
  snapshotRewriteSelect,
  snapshotSpec,
  type SnapshotColumns,
} from "../snapshots/snapshot-sql.js";
import type { CompiledNode } from "../types.js";
import { planCatalogTable } from "./catalog-plan.js";
import { planLakeTable } from "./lake-plan.js";
import type { PlanInput, PlanStep } from "./node-plan.js";
import { planSteps, type PlanBody } from "./plan-steps.js";

const META: ReadonlySet<string> = new Set(SNAPSHOT_META_COLUMNS);

/**
 * The columns a snapshot's changes are computed over, or why they cannot be: the source query's
 * (`sourceColumns`, or the `incoming` columns of the plan's `probe_columns` step; without a
 * probe, the table's own) must be the table's, since sluice does not add or drop snapshot
 * columns.
 */
export function snapshotColumns(
  node: CompiledNode,
  input: PlanInput,
): SnapshotColumns | { error: string } {
  const target = (input.state.columns ?? []).map((c) => c.name);
  const kept = target.filter((c) => !META.has(c));
  const source = input.sourceColumns ?? input.incoming?.map((c) => c.name) ?? kept;
  const added = source.filter((c) => !target.includes(c));
  const dropped = kept.filter((c) => !source.includes(c));
  if (added.length === 0 && dropped.length === 0) return { source, target };
  const what = [
    ...(added.length ? [`the query has columns the table lacks (${added.join(", ")})`] : []),
    ...(dropped.length ? [`the table has columns the query lost (${dropped.join(", ")})`] : []),
  ].join(" and ");
  return {
    error:
      `snapshot ${node.name}: ${what}; sluice does not change a snapshot's columns. ` +
      `Keep the query's columns, or rename the snapshot to start a new history (the old table stays)`,
  };
}

/**
 * What a snapshot run writes, given the table's state: the first build or the lake's rewrite as
 * a table node (its `sql` the whole new table), Athena's MERGE INTO, or why it cannot run. The
 * one decision {@link planSnapshot} prints and the runner executes.
 */
export type SnapshotWrite =
  | {
      action: "first snapshot" | "snapshot rewrite";
      table: CompiledNode & { materialization: "table" };
    }
  | { action: "snapshot merge"; statement: Statement }
  | { error: string };

/**
 * A dbt snapshot's write. First build: the source rows with dbt's columns, as a new table (the
 * lake: a new version; Athena: an Iceberg CTAS + Glue swap). After: the lake rewrites the whole
 * table into a new version (closed rows get `dbt_valid_to`, new rows are added) published by the
 * view swap, so readers see the old or the new history, never half; Athena runs one MERGE INTO
 * the Iceberg table. `--full-refresh` never rebuilds a snapshot (its history is not in the source).
 */
export function snapshotWrite(
  node: CompiledNode,
  dialect: Dialect,
  input: PlanInput,
): SnapshotWrite {
  const spec = snapshotSpec(node.config);
  if (isCatalogDialect(dialect) && node.config.table_type !== "iceberg")
    return {
      error: `snapshot ${node.name} needs an Iceberg table on Athena (MERGE INTO): set table_type='iceberg' in its config`,
    };
  const asTable = (sql: string) => ({
    ...node,
    materialization: "table" as const,
    partitionedBy: [],
    sql,
  });
  if (!(input.state.exists && input.state.kind === "table"))
    return {
      action: "first snapshot",
      table: asTable(firstSnapshotSelect(node.sql, spec, dialect)),
    };
  const columns = snapshotColumns(node, input);
  if ("error" in columns) return columns;
  const update = {
    sourceSql: node.sql,
    target: dialect.quoteRelation(node.relation),
    spec,
    dialect,
    columns,
  };
  if (isCatalogDialect(dialect))
    return {
      action: "snapshot merge",
      statement: {
        kind: "merge",
        sql: snapshotMergeSql(update),
        grammar: "trino",
      },
    };
  return {
    action: "snapshot rewrite",
    table: asTable(snapshotRewriteSelect(update)),
  };
}

/**
 * A dbt snapshot's plan: {@link snapshotWrite} as steps. When the table exists, the first step
 * is a `probe_columns` query (the snapshot's query, LIMIT 0): the run plans again with the
 * columns it returns (`incoming`), so a query whose columns are not the table's fails the node
 * before anything is written. The probe stays first in the plan made again, as the runner
 * continues after it.
 */
export function planSnapshot(node: CompiledNode, dialect: Dialect, input: PlanInput): PlanBody {
  const probed = input.sourceColumns !== undefined || input.incoming !== undefined;
  const probe: PlanStep[] =
    input.state.exists && input.state.kind === "table" && input.sourceColumns === undefined
      ? planSteps("snapshot: the query's columns, compared with the table's", [
          { kind: "select", sql: dialect.limit(node.sql, 0), grammar: dialect.queryGrammar },
        ]).map((step) => ({ ...step, role: "probe_columns" as const }))
      : [];
  const write = snapshotWrite(node, dialect, input);
  if ("error" in write) return { action: "fail", steps: probe, notes: [], error: write.error };
  const notes =
    probe.length > 0 && !probed
      ? [
          "the steps after the probe assume the query's columns are the table's; if not, the node fails there",
        ]
      : [];
  if ("statement" in write)
    return {
      action: write.action,
      steps: [
        ...probe,
        ...planSteps("close changed rows and insert new versions (MERGE INTO the Iceberg table)", [
          write.statement,
        ]),
      ],
      notes,
    };
  const table = { ...input, fullRefresh: true };
  const body = isLakeDialect(dialect)
    ? planLakeTable(write.table, dialect, table)
    : isCatalogDialect(dialect)
      ? planCatalogTable(write.table, dialect, table)
      : undefined;
  if (!body) throw new Error(`dialect ${dialect.name} is neither lake nor catalog`);
  return {
    ...body,
    action: write.action,
    steps: [...probe, ...body.steps],
    notes: [...notes, ...body.notes],
  };
}
