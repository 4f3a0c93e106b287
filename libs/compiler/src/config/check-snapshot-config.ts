import { error, warning } from "@sluice/project/diagnostics";
import type { Diagnostic, SourceLocation } from "@sluice/project";
import { isCatalogDialect, type Dialect } from "@sluice/dialects";
import { uniqueKeys } from "./check-config.js";
import type { MergedConfig } from "./merge-config.js";

/**
 * A dbt snapshot's config, checked before any query as dbt checks it: a `strategy`, a
 * `unique_key`, `updated_at` for `timestamp` and `check_cols` for `check`; on Athena an Iceberg
 * table (MERGE INTO needs one). Errors are placed at the layer that set the key, else at the
 * snapshot (`at`: its `{% snapshot %}` tag or YAML entry).
 *
 * @example checkSnapshotConfig(merged /* strategy: timestamp, no updated_at *\/, dialect, at)
 * // [error SNAPSHOT_INVALID: snapshot strategy 'timestamp' needs updated_at]
 */
export function checkSnapshotConfig(
  merged: MergedConfig,
  dialect: Dialect,
  at: SourceLocation | undefined,
): Diagnostic[] {
  const { config, setBy } = merged;
  const where = (key: string) => setBy.get(key)?.at ?? at;
  const out: Diagnostic[] = [];
  const invalid = (message: string, key: string, hint: string) =>
    out.push(error("SNAPSHOT_INVALID", message, where(key), hint));
  if (config.strategy === undefined)
    invalid(
      "a snapshot needs a strategy",
      "strategy",
      "config(strategy='timestamp', updated_at='updated_at') or strategy='check', check_cols='all'",
    );
  if (uniqueKeys(config).length === 0)
    invalid(
      "a snapshot needs a unique_key",
      "unique_key",
      "config(unique_key='id'): the column (or list of columns) a source row is identified by",
    );
  if (config.strategy === "timestamp" && config.updated_at === undefined)
    invalid(
      "snapshot strategy 'timestamp' needs updated_at",
      "strategy",
      "config(updated_at='updated_at'): the column holding when the source row last changed",
    );
  if (config.strategy === "check" && config.check_cols === undefined)
    invalid(
      "snapshot strategy 'check' needs check_cols",
      "strategy",
      "config(check_cols='all') or check_cols=['status', 'amount']",
    );
  if (config.strategy === "check" && config.updated_at !== undefined)
    out.push(
      warning(
        "SNAPSHOT_INVALID",
        "updated_at is not read by strategy 'check' (its rows are dated by the run's time)",
        where("updated_at"),
        "remove updated_at, or use strategy='timestamp'",
      ),
    );
  if (config.partitioned_by.length > 0)
    invalid(
      "sluice does not partition snapshot tables",
      "partitioned_by",
      "remove partitioned_by from the snapshot's config",
    );
  if (isCatalogDialect(dialect) && config.table_type !== "iceberg")
    invalid(
      "a snapshot on Athena needs an Iceberg table: MERGE INTO cannot change a Hive table's rows",
      "table_type",
      "config(table_type='iceberg') (or +table_type: iceberg under snapshots: in dbt_project.yml)",
    );
  return out;
}
