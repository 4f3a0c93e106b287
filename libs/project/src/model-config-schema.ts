import { z } from "zod";

const stringList = (what: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: `expected ${what} or a list of them` })
    .transform((v) => (typeof v === "string" ? [v] : v));

/**
 * Model config keys, as written in `config:` of a properties YAML and (with a `+` prefix) in
 * sluice.yml's folder tree. Strict: anything else is a typo. The second group is carried through
 * untyped-ish for Athena/incremental features (dbt-athena spelling).
 */
export const modelConfigSchema = z.strictObject({
  materialized: z.enum(["view", "table", "incremental", "ephemeral"]).optional(),
  schema: z.string().min(1).optional(),
  alias: z.string().min(1).optional(),
  tags: stringList("a tag").optional(),
  partitioned_by: stringList("a column").optional(),
  incremental_strategy: z.enum(["append", "insert_overwrite", "merge"]).optional(),
  unique_key: z
    .union([z.string(), z.array(z.string())], { error: "expected a column or a list of them" })
    .optional(),
  on_schema_change: z.enum(["ignore", "append_new_columns", "fail"]).optional(),
  enabled: z.boolean().optional(),

  table_type: z.enum(["hive", "iceberg"]).optional(),
  format: z.string().optional(),
  write_compression: z.string().optional(),
  external_location: z.string().optional(),
  lookback: z.unknown().optional(),
  full_refresh: z.boolean().optional(),
  /** How many earlier versions of a table keep their data (0: deleted right after a swap). */
  versions_to_keep: z
    .number({ error: "expected a whole number of earlier versions to keep, e.g. 1" })
    .int({ error: "expected a whole number of earlier versions to keep, e.g. 1" })
    .min(0, { error: "expected 0 or more earlier versions to keep, e.g. 1" })
    .optional(),
  pre_hook: stringList("a SQL statement").optional(),
  post_hook: stringList("a SQL statement").optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
