import { z } from "zod";
import { LOOKBACK_PATTERN } from "./lookback.js";

/** `snapshot` is set by sluice for dbt snapshots (`{% snapshot %}` blocks, YAML snapshots) only. */
export const materializations = ["view", "table", "incremental", "ephemeral", "snapshot"] as const;
/** dbt snapshot strategies: `timestamp` (an `updated_at` column) or `check` (`check_cols`). */
export const snapshotStrategies = ["timestamp", "check"] as const;
/** What a snapshot does with a row whose key left the source (dbt 1.9 `hard_deletes`). */
export const hardDeletePolicies = ["ignore", "invalidate", "new_record"] as const;
export const incrementalStrategies = ["append", "insert_overwrite", "merge"] as const;
export const schemaChangePolicies = [
  "ignore",
  "append_new_columns",
  "sync_all_columns",
  "fail",
] as const;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(", ")}` });

const stringList = (what: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: `expected ${what} or a list of them` })
    .transform((v) => (typeof v === "string" ? [v] : v));

/** A union whose every failure says the same thing (zod reports the branch of the value's type). */
const either = <A extends z.ZodType, B extends z.ZodType>(a: A, b: B, error: string) =>
  z.union([a, b], { error });
const columns = "expected a column or a list of them";
const hours = "expected a whole number of hours (3 or '3 hours')";

export { LOOKBACK_PATTERN };

/**
 * Every model config key sluice reads, in dbt's spelling, with the type of its value. One
 * place: the per-layer schema, the merged schema and the `ModelConfig` type derive from it.
 */
const keys = {
  materialized: oneOf(materializations),
  /** Logical schema, e.g. `silver`; the target maps it to a DuckDB schema or an Athena database. */
  schema: z.string({ error: "expected a schema name" }).min(1, "expected a schema name"),
  /** Table name override; defaults to the model (file) name. */
  alias: z.string({ error: "expected a table name" }).min(1, "expected a table name"),
  tags: stringList("a tag"),
  partitioned_by: stringList("a column"),
  incremental_strategy: oneOf(incrementalStrategies),
  unique_key: either(
    z.string().min(1, columns),
    z.array(z.string().min(1, columns)).min(1, columns),
    columns,
  ),
  on_schema_change: oneOf(schemaChangePolicies),
  enabled: z.boolean({ error: "expected true or false" }),
  table_type: oneOf(["hive", "iceberg"]),
  format: z.string(),
  write_compression: z.string(),
  external_location: z.string(),
  /** Hours of raw partitions an incremental run re-reads before its watermark. */
  lookback: either(
    z.number().int(hours).nonnegative(hours),
    z.string().regex(LOOKBACK_PATTERN, hours),
    hours,
  ),
  /**
   * insert_overwrite, local lake: a condition true of the rows an incremental SELECT returns as
   * they already are in the table (e.g. `dt < sluice_incremental_from()`). The lake carries the
   * table's rows that meet it (their files linked) and writes only the SELECT's other rows.
   */
  carry_where: z.string({ error: "expected a SQL condition" }).min(1, "expected a SQL condition"),
  /**
   * Key columns whose copies share a partition: all rows holding one value of such a column are
   * in one partition (e.g. a duplicated event keeps its event_date). An incremental run then checks
   * the uniqueness of its new keys in that column (`unique`, IsUnique or IsPrimaryKey with it
   * first) against the partitions it wrote, not the whole table; `--scope full` reads it whole.
   */
  copies_share_partition: stringList("a column"),
  /** Column holding each row's raw hour (`YYYY/MM/DD/HH`), default `dt`. */
  watermark_column: z.string().min(1),
  /** Raw-line balance of an incremental model (see libs/runner incremental/reconcile.ts). */
  reconcile: z.record(z.string(), z.unknown(), { error: "expected a mapping" }),
  /** Severity of DQDL rules on the model that carry no `severity` label. */
  dq_severity: oneOf(["warn", "error"]),
  full_refresh: z.boolean({ error: "expected true or false" }),
  /** How many earlier versions of a table keep their data (0: deleted right after a swap). */
  versions_to_keep: z
    .number({ error: "expected a whole number of earlier versions to keep, e.g. 1" })
    .int({ error: "expected a whole number of earlier versions to keep, e.g. 1" })
    .min(0, { error: "expected 0 or more earlier versions to keep, e.g. 1" }),
  pre_hook: stringList("a SQL statement"),
  post_hook: stringList("a SQL statement"),
  meta: z.record(z.string(), z.unknown(), { error: "expected a mapping" }),
  /**
   * dbt's persist_docs: on Athena, the model's description becomes its Glue table's
   * `Description` (`relation`) and its columns' descriptions their Glue `Comment` (`columns`).
   */
  persist_docs: z
    .object(
      {
        relation: z.boolean({ error: "expected true or false" }).optional(),
        columns: z.boolean({ error: "expected true or false" }).optional(),
      },
      { error: "expected a mapping such as {relation: true, columns: true}" },
    )
    .strict(),
  /** Snapshots: how a changed row is told (dbt's `strategy`). */
  strategy: oneOf(snapshotStrategies),
  /** Snapshots, `timestamp` strategy: the column holding when the source row last changed. */
  updated_at: z.string({ error: "expected a column name" }).min(1, "expected a column name"),
  /** Snapshots, `check` strategy: the columns compared, or `all`. */
  check_cols: either(
    z.literal("all"),
    z.array(z.string().min(1, columns)).min(1, columns),
    "expected 'all' or a list of columns",
  ),
  hard_deletes: oneOf(hardDeletePolicies),
  /** Snapshots, dbt < 1.9 spelling of `hard_deletes: invalidate`. */
  invalidate_hard_deletes: z.boolean({ error: "expected true or false" }),
  /** Snapshots, dbt < 1.9: the schema as written (no `generate_schema_name`). */
  target_schema: z.string({ error: "expected a schema name" }).min(1, "expected a schema name"),
};

/** The keys above: what an unknown key is compared with for "did you mean". */
export const modelConfigKeys: readonly string[] = Object.keys(keys);

/**
 * One layer of model config as written: `config:` of a properties YAML, sluice.yml's folder
 * `+key`s, or `config()` in SQL. Every key optional; a key not listed passes through (macros
 * may read it) and is reported as a warning by `unknownConfigKeys`.
 *
 * @example modelConfigSchema.parse({ tags: "nightly" }) // { tags: ["nightly"] }
 */
export const modelConfigSchema = z.looseObject(keys).partial();

/** The merged config a model compiles with: the keys with defaults are always present. */
export const resolvedModelConfigSchema = z.looseObject(keys).partial().required({
  materialized: true,
  schema: true,
  tags: true,
  partitioned_by: true,
  incremental_strategy: true,
  on_schema_change: true,
  enabled: true,
});

/** One config layer after validation (lists normalized). */
export type ModelConfigLayer = z.output<typeof modelConfigSchema>;
/** Model config after merging (defaults < folder `+key` < properties YAML < `config()`). */
export type ModelConfig = z.output<typeof resolvedModelConfigSchema>;
export type Materialization = (typeof materializations)[number];
export type IncrementalStrategy = (typeof incrementalStrategies)[number];
export type SnapshotStrategy = (typeof snapshotStrategies)[number];
export type HardDeletePolicy = (typeof hardDeletePolicies)[number];

/** Project-wide defaults, the weakest config layer. */
export const defaultModelConfig: ModelConfig = {
  materialized: "view",
  schema: "default",
  tags: [],
  partitioned_by: [],
  incremental_strategy: "append",
  on_schema_change: "ignore",
  enabled: true,
};
