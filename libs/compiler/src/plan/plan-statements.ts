import { isCatalogDialect } from "@sluice/dialects";
import { firstSnapshotSelect, snapshotSpec } from "../snapshots/snapshot-sql.js";
import type { CatalogDialect, Dialect, Statement, TableWrite } from "@sluice/dialects";
import { uniqueKeys } from "../config/check-config.js";
import type { CompiledNode } from "../types.js";

/** What the runner knows about a node's table before building it. */
export interface PlanState {
  /** The table already exists (incremental models append to it). */
  exists: boolean;
  /** Its current location, when it exists. */
  location?: string;
  fullRefresh: boolean;
  /** Unique id for files this write creates (the run id). */
  writeId: string;
  /**
   * The existing table's columns, in order (what a MERGE updates and inserts, what an INSERT
   * names). Unknown when compiling offline: then a MERGE shows the model's documented columns
   * and an INSERT names none (documented columns may be only some of them).
   */
  columns?: readonly string[];
}

/**
 * The statements that build a node on a target.
 *
 * @example
 * planStatements(node, dialect, { exists: true, location: "/lake/silver/events/v_1", fullRefresh: false, writeId: "r2" })
 * // incremental model → dialect.insertInto(...) with node.incrementalSql
 */
export function planStatements(
  node: CompiledNode,
  dialect: Dialect,
  state: PlanState,
): Statement[] {
  const write = (selectSql: string, location: string | undefined): TableWrite => ({
    relation: node.relation,
    selectSql,
    partitionedBy: node.partitionedBy,
    location: location ?? "",
    writeId: state.writeId,
    ...(node.config["table_type"] === "iceberg" ? { tableType: "iceberg" as const } : {}),
  });
  switch (node.materialization) {
    case "view":
      return dialect.createView(node.relation, node.sql);
    case "table":
    case "seed":
      return dialect.createTableAs(write(node.sql, node.location));
    case "incremental":
      if (!state.exists || state.fullRefresh)
        return dialect.createTableAs(write(node.sql, node.location));
      if (merges(node, dialect)) return mergeStatements(node, dialect, state);
      return dialect.insertInto({
        ...write(node.incrementalSql ?? node.sql, state.location ?? node.location),
        ...(state.columns === undefined ? {} : { columns: state.columns }),
      });
    case "snapshot":
      // The first build; later runs need the table's columns (planSnapshot).
      return dialect.createTableAs(
        write(firstSnapshotSelect(node.sql, snapshotSpec(node.config), dialect), node.location),
      );
    case "test":
      return [dialect.assertion(node.sql)];
    case "source":
      return node.statements;
    case "ephemeral":
      return [];
  }
}

/** A merge model on a dialect that merges (Iceberg tables): its incremental run is one MERGE. */
function merges(node: CompiledNode, dialect: Dialect): dialect is CatalogDialect {
  return (
    node.incrementalStrategy === "merge" &&
    isCatalogDialect(dialect) &&
    dialect.capabilities.icebergTables &&
    uniqueKeys(node.config).length > 0
  );
}

function mergeStatements(
  node: CompiledNode,
  dialect: CatalogDialect,
  state: PlanState,
): Statement[] {
  const keys = uniqueKeys(node.config);
  const documented = node.columns.map((c) => c.name);
  // Offline, an undocumented model's columns are unknown: show the key columns (the runner lists the table's).
  const columns = state.columns ?? (documented.length > 0 ? documented : keys);
  return dialect.mergeInto(node.relation, node.incrementalSql ?? node.sql, keys, columns);
}
