import { error, warning } from "@sluice/project/diagnostics";
import type { Diagnostic, ModelConfig } from "@sluice/project";
import { isCatalogDialect, isLakeDialect, type Dialect } from "@sluice/dialects";
import type { MergedConfig } from "./merge-config.js";

/**
 * Config that cannot work, found at compile time (before any query): CONFIG_CONFLICT errors at
 * the layer that set the offending key. `unique_key` is only read by `merge`: with another
 * strategy it would be silently ignored (dbt-duckdb deletes and re-inserts by it, dbt-athena
 * ignores it), so it is an error; on a table or view it is a warning.
 *
 * @example checkConfig({ config: { materialized: "incremental", incremental_strategy: "merge", ... }, ... }, "local", dialect)
 * // [error CONFIG_CONFLICT: incremental_strategy 'merge' needs a unique_key]
 */
export function checkConfig(
  merged: MergedConfig,
  targetName: string,
  dialect: Dialect,
): Diagnostic[] {
  const { config, setBy } = merged;
  const at = (key: string) => setBy.get(key)?.at;
  const keys = uniqueKeys(config);
  const out: Diagnostic[] = [];
  if (
    config.carry_where !== undefined &&
    (config.materialized !== "incremental" || config.incremental_strategy !== "insert_overwrite")
  )
    out.push(
      error(
        "CONFIG_CONFLICT",
        "carry_where is read only by incremental_strategy 'insert_overwrite'",
        at("carry_where"),
        "remove carry_where, or use materialized='incremental' with incremental_strategy='insert_overwrite'",
      ),
    );
  if ((config.copies_share_partition ?? []).length > 0 && config.partitioned_by.length === 0)
    out.push(
      error(
        "CONFIG_CONFLICT",
        "copies_share_partition needs partitioned_by: it says the partition holding every copy of a key",
        at("copies_share_partition"),
        "add partitioned_by=['<column>'], or remove copies_share_partition (new keys are then checked against the whole table)",
      ),
    );
  if (config.materialized === "snapshot")
    return [
      error(
        "CONFIG_CONFLICT",
        "materialized 'snapshot' is for dbt snapshots, not models",
        at("materialized"),
        "move the SELECT into a {% snapshot name %} block under the snapshot paths (snapshots/)",
      ),
    ];
  if (config.materialized !== "incremental") {
    if (keys.length > 0)
      out.push(
        warning(
          "CONFIG_CONFLICT",
          `unique_key is ignored by materialized '${config.materialized}'`,
          at("unique_key"),
          "only incremental models with incremental_strategy='merge' use it; remove it",
        ),
      );
    return out;
  }
  const strategy = config.incremental_strategy;
  if (strategy === "merge" && keys.length === 0)
    out.push(
      error(
        "CONFIG_CONFLICT",
        "incremental_strategy 'merge' needs a unique_key",
        at("incremental_strategy"),
        "add unique_key='<column>' (the column or columns a row is matched on)",
      ),
    );
  if (strategy === "merge" && !canMerge(config, dialect))
    out.push(
      error(
        "CONFIG_CONFLICT",
        `incremental_strategy 'merge' on target '${targetName}' needs an Iceberg table (Hive tables cannot be merged)`,
        at("incremental_strategy"),
        "set table_type='iceberg' (then build once with --full-refresh), or use 'insert_overwrite'",
      ),
    );
  if (strategy === "insert_overwrite" && icebergTable(config, dialect))
    out.push(
      error(
        "CONFIG_CONFLICT",
        "incremental_strategy 'insert_overwrite' is for Hive tables, not Iceberg ones",
        at("incremental_strategy"),
        "use incremental_strategy='merge' with a unique_key on an Iceberg table",
      ),
    );
  // dbt-athena silently appends here; sluice replaces the whole table, which must not be a surprise.
  if (strategy === "insert_overwrite" && (config.partitioned_by ?? []).length === 0)
    out.push(
      warning(
        "CONFIG_CONFLICT",
        "incremental_strategy 'insert_overwrite' without partitioned_by replaces the whole table on every run",
        at("incremental_strategy"),
        "add partitioned_by=['<column>'] to replace only the partitions the new rows fall in, or use materialized='table'",
      ),
    );
  if (strategy !== "merge" && keys.length > 0)
    out.push(
      error(
        "CONFIG_CONFLICT",
        `unique_key '${keys.join(", ")}' is ignored by incremental_strategy '${strategy}'`,
        at("unique_key"),
        "use incremental_strategy='merge' to update rows by this key, or remove unique_key",
      ),
    );
  return out;
}

/** `unique_key` as a list of columns (empty when unset). */
export function uniqueKeys(config: Pick<ModelConfig, "unique_key">): string[] {
  const key = config.unique_key;
  return key === undefined ? [] : Array.isArray(key) ? [...key] : [key];
}

const icebergTable = (config: ModelConfig, dialect: Dialect) =>
  config.table_type === "iceberg" && dialect.capabilities.icebergTables;

/** Lakes that rewrite versions merge any table; catalog dialects merge only Iceberg tables. */
const canMerge = (config: ModelConfig, dialect: Dialect) =>
  isLakeDialect(dialect) || (isCatalogDialect(dialect) && icebergTable(config, dialect));
