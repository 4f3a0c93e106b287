import type { HardDeletePolicy, ModelConfig, SnapshotStrategy } from "@sluice/project";
import { isCatalogDialect, type Dialect } from "@sluice/dialects";
import { uniqueKeys } from "../config/check-config.js";

/** The columns dbt adds to a snapshot, in dbt's order (`dbt_is_deleted` with `new_record` only). */
export const SNAPSHOT_META_COLUMNS = [
  "dbt_scd_id",
  "dbt_updated_at",
  "dbt_valid_from",
  "dbt_valid_to",
  "dbt_is_deleted",
] as const;

/** A snapshot's config, resolved as dbt resolves it (checked by `checkSnapshotConfig`). */
export interface SnapshotSpec {
  strategy: SnapshotStrategy;
  uniqueKey: string[];
  /** `timestamp`: the source column; `check`: absent (the run's time is used, as in dbt). */
  updatedAt?: string;
  checkCols: "all" | string[];
  /** `hard_deletes`, else `invalidate` for dbt's legacy `invalidate_hard_deletes: true`. */
  hardDeletes: HardDeletePolicy;
}

/** The snapshot config of a resolved config (`strategy` defaults as nothing: checked before). */
export function snapshotSpec(config: Partial<ModelConfig>): SnapshotSpec {
  return {
    strategy: config.strategy ?? "timestamp",
    uniqueKey: uniqueKeys(config as Pick<ModelConfig, "unique_key">),
    ...(config.strategy === "check" || config.updated_at === undefined
      ? {}
      : { updatedAt: config.updated_at }),
    checkCols: config.check_cols ?? "all",
    hardDeletes: config.hard_deletes ?? (config.invalidate_hard_deletes ? "invalidate" : "ignore"),
  };
}

/**
 * The dialect-specific bits of dbt's snapshot SQL: `snapshot_get_time()` (UTC wall time; Iceberg
 * on Athena keeps microseconds) and `snapshot_hash_arguments` (md5 of the `|`-joined texts, in
 * the SQL the models are written in: a Trino-compat lake runs the snapshot's SQL as Trino's).
 */
interface Flavor {
  now: string;
  hash(parts: readonly string[]): string;
  q(name: string): string;
}

function flavorOf(dialect: Dialect): Flavor {
  const catalog = isCatalogDialect(dialect);
  const trino = dialect.capabilities.modelSql === "trino";
  return {
    now: catalog
      ? "cast(current_timestamp as timestamp(6))"
      : "cast(current_timestamp as timestamp)",
    hash: (parts) => {
      const joined = parts.map((p) => `coalesce(cast(${p} as varchar), '')`).join(" || '|' || ");
      return trino ? `lower(to_hex(md5(to_utf8(${joined}))))` : `md5(${joined})`;
    },
    q: (name) => dialect.quoteIdentifier(name),
  };
}

/** `src.a = dst.a and src.b = dst.b` over the key columns each side carries. */
const keyNames = (spec: SnapshotSpec) =>
  spec.uniqueKey.length === 1
    ? ["dbt_unique_key"]
    : spec.uniqueKey.map((_, i) => `dbt_unique_key_${i + 1}`);

function keyColumns(spec: SnapshotSpec, f: Flavor, from = ""): string {
  return spec.uniqueKey.map((k, i) => `${from}${f.q(k)} as ${keyNames(spec)[i]}`).join(", ");
}

const joinOn = (spec: SnapshotSpec, a: string, b: string) =>
  keyNames(spec)
    .map((k) => `${a}.${k} = ${b}.${k}`)
    .join(" and ");

const keyIsNull = (spec: SnapshotSpec, rel: string) => `${rel}.${keyNames(spec)[0]} is null`;

/** dbt's `strategy.updated_at`: the column (timestamp) or the run's time (check). */
const updatedAt = (spec: SnapshotSpec, f: Flavor) =>
  spec.updatedAt === undefined ? f.now : f.q(spec.updatedAt);

/** dbt's `strategy.scd_id`: a hash of the key and `updated_at`. */
const scdId = (spec: SnapshotSpec, f: Flavor) =>
  f.hash([...spec.uniqueKey.map(f.q), updatedAt(spec, f)]);

/**
 * The first build, as dbt's `build_snapshot_table`: every source row, current from its
 * `updated_at`, with `dbt_valid_to` null (typed as `updated_at` is).
 */
export function firstSnapshotSelect(sourceSql: string, spec: SnapshotSpec, dialect: Dialect) {
  const f = flavorOf(dialect);
  const at = updatedAt(spec, f);
  return [
    "select *,",
    `  ${scdId(spec, f)} as dbt_scd_id,`,
    `  ${at} as dbt_updated_at,`,
    `  ${at} as dbt_valid_from,`,
    `  nullif(${at}, ${at}) as dbt_valid_to${spec.hardDeletes === "new_record" ? "," : ""}`,
    ...(spec.hardDeletes === "new_record" ? ["  'False' as dbt_is_deleted"] : []),
    `from (\n${sourceSql}\n) as sbq`,
  ].join("\n");
}

/** What the changes are computed against: the columns of the source query and of the table. */
export interface SnapshotColumns {
  source: readonly string[];
  target: readonly string[];
}

/** A snapshot's next run: its query, its table (quoted), config, dialect and columns. */
export interface SnapshotUpdate {
  sourceSql: string;
  target: string;
  spec: SnapshotSpec;
  dialect: Dialect;
  columns: SnapshotColumns;
}

/** dbt's `row_changed`: timestamp `valid_from < updated_at`; check: any checked column differs. */
function rowChanged(spec: SnapshotSpec, f: Flavor, columns: SnapshotColumns): string {
  const deleted =
    spec.hardDeletes === "new_record" ? " or snapshotted_data.dbt_is_deleted = 'True'" : "";
  if (spec.updatedAt !== undefined)
    return `(snapshotted_data.dbt_valid_from < source_data.${f.q(spec.updatedAt)}${deleted})`;
  const checked =
    spec.checkCols === "all"
      ? columns.source.filter((c) => !spec.uniqueKey.includes(c))
      : spec.checkCols;
  const differs = checked.map((c) => {
    const [s, t] = [`snapshotted_data.${f.q(c)}`, `source_data.${f.q(c)}`];
    return `${s} != ${t} or ((${s} is null) and not (${t} is null)) or ((not ${s} is null) and (${t} is null))`;
  });
  return `(${differs.join(" or ") || "false"}${deleted})`;
}

/**
 * dbt's `snapshot_staging_table`: one row per change, `dbt_change_type` `insert` (a new key or
 * a new version of a changed row), `update` (the current version of a changed row, closed at
 * the new `updated_at`), `delete` (hard deletes `invalidate`/`new_record`: the current version
 * of a key gone from the source, closed at the run's time), and with `new_record` an `insert`
 * of a deletion record (`dbt_is_deleted = 'True'`). Updates and deletes carry the `dbt_scd_id`
 * of the row they close; inserts carry every target column.
 */
export function snapshotChangesSql(update: SnapshotUpdate): string {
  const { sourceSql, target, spec, dialect, columns } = update;
  const f = flavorOf(dialect);
  const at = updatedAt(spec, f);
  const newRecord = spec.hardDeletes === "new_record";
  const deletes = spec.hardDeletes !== "ignore";
  const current = "dbt_valid_to is null";
  // new_record: the closed rows keep their own deletion mark.
  const deleted = newRecord ? ", snapshotted_data.dbt_is_deleted" : "";
  const sourceCols = columns.source.map((c) => `snapshotted_data.${f.q(c)}`).join(", ");
  const ctes = [
    `snapshot_query as (\n${sourceSql}\n)`,
    `snapshotted_data as (\n  select *, ${keyColumns(spec, f)}\n  from ${target}\n  where ${current}\n)`,
    `insertions_source_data as (\n  select *, ${keyColumns(spec, f)},\n    ${at} as dbt_updated_at,\n    ${at} as dbt_valid_from,\n    nullif(${at}, ${at}) as dbt_valid_to,\n    ${scdId(spec, f)} as dbt_scd_id\n  from snapshot_query\n)`,
    `updates_source_data as (\n  select *, ${keyColumns(spec, f)},\n    ${at} as dbt_updated_at,\n    ${at} as dbt_valid_from,\n    ${at} as dbt_valid_to\n  from snapshot_query\n)`,
    ...(deletes
      ? [`deletes_source_data as (\n  select *, ${keyColumns(spec, f)}\n  from snapshot_query\n)`]
      : []),
    `insertions as (\n  select 'insert' as dbt_change_type, source_data.*${newRecord ? ", 'False' as dbt_is_deleted" : ""}\n  from insertions_source_data as source_data\n  left outer join snapshotted_data on ${joinOn(spec, "snapshotted_data", "source_data")}\n  where ${keyIsNull(spec, "snapshotted_data")}\n    or ${rowChanged(spec, f, columns)}\n)`,
    `updates as (\n  select 'update' as dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id${deleted}\n  from updates_source_data as source_data\n  join snapshotted_data on ${joinOn(spec, "snapshotted_data", "source_data")}\n  where ${rowChanged(spec, f, columns)}\n)`,
    ...(deletes
      ? [
          `deletes as (\n  select 'delete' as dbt_change_type, source_data.*,\n    ${f.now} as dbt_updated_at,\n    ${f.now} as dbt_valid_from,\n    ${f.now} as dbt_valid_to,\n    snapshotted_data.dbt_scd_id${deleted}\n  from snapshotted_data\n  left join deletes_source_data as source_data on ${joinOn(spec, "snapshotted_data", "source_data")}\n  where ${keyIsNull(spec, "source_data")}${newRecord ? "\n    and not (snapshotted_data.dbt_is_deleted = 'True')" : ""}\n)`,
        ]
      : []),
    ...(newRecord
      ? [
          `deletion_records as (\n  select 'insert' as dbt_change_type, ${sourceCols},\n    ${keyNames(
            spec,
          )
            .map((k) => `snapshotted_data.${k}`)
            .join(
              ", ",
            )},\n    ${f.now} as dbt_updated_at,\n    ${f.now} as dbt_valid_from,\n    snapshotted_data.dbt_valid_to as dbt_valid_to,\n    ${f.hash(["snapshotted_data.dbt_scd_id", f.now])} as dbt_scd_id,\n    'True' as dbt_is_deleted\n  from snapshotted_data\n  left join deletes_source_data as source_data on ${joinOn(spec, "snapshotted_data", "source_data")}\n  where ${keyIsNull(spec, "source_data")}\n    and not (snapshotted_data.dbt_is_deleted = 'True')\n)`,
        ]
      : []),
  ];
  const parts = [
    "select * from insertions",
    "select * from updates",
    ...(deletes ? ["select * from deletes"] : []),
    ...(newRecord ? ["select * from deletion_records"] : []),
  ];
  return `with ${ctes.join(",\n")}\n${parts.join("\nunion all\n")}`;
}

/**
 * The lake's atomic rewrite: the whole next version of the snapshot table, the current rows with
 * the closed ones' `dbt_valid_to` set, plus the inserted rows (columns in the table's order).
 */
export function snapshotRewriteSelect(update: SnapshotUpdate): string {
  const { target, columns } = update;
  const f = flavorOf(update.dialect);
  const changes = snapshotChangesSql(update);
  const kept = columns.target.map((c) =>
    c === "dbt_valid_to"
      ? "coalesce(closed.dbt_valid_to, t.dbt_valid_to) as dbt_valid_to"
      : `t.${f.q(c)}`,
  );
  const inserted = columns.target.map((c) => `i.${f.q(c)}`);
  return [
    `with snapshot_changes as (\n${changes}\n)`,
    `select ${kept.join(", ")}`,
    `from ${target} as t`,
    "left join (select dbt_scd_id, dbt_valid_to from snapshot_changes where dbt_change_type in ('update', 'delete')) as closed",
    "  on t.dbt_scd_id = closed.dbt_scd_id and t.dbt_valid_to is null",
    "union all",
    `select ${inserted.join(", ")}`,
    "from snapshot_changes as i where i.dbt_change_type = 'insert'",
  ].join("\n");
}

/**
 * Athena (Iceberg): dbt's `snapshot_merge_sql`, one MERGE INTO matched on `dbt_scd_id`: closes
 * the current rows that changed or left, inserts the new ones (columns in the table's order).
 */
export function snapshotMergeSql(update: SnapshotUpdate): string {
  const { target, columns } = update;
  const f = flavorOf(update.dialect);
  const changes = snapshotChangesSql(update);
  const cols = columns.target.map(f.q);
  return [
    `MERGE INTO ${target} AS dbt_internal_dest`,
    `USING (\n${changes}\n) AS dbt_internal_source`,
    "ON dbt_internal_source.dbt_scd_id = dbt_internal_dest.dbt_scd_id",
    "WHEN MATCHED AND dbt_internal_dest.dbt_valid_to IS NULL AND dbt_internal_source.dbt_change_type IN ('update', 'delete')",
    "  THEN UPDATE SET dbt_valid_to = dbt_internal_source.dbt_valid_to",
    "WHEN NOT MATCHED AND dbt_internal_source.dbt_change_type = 'insert'",
    `  THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `dbt_internal_source.${c}`).join(", ")})`,
  ].join("\n");
}
