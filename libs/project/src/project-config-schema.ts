import { z } from "zod";

/** An empty YAML value (`vars:` with nothing after it) means "use the default". */
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.output<T>) =>
  z
    .preprocess((v) => (v === null ? undefined : v), schema.optional())
    .transform((v) => (v ?? fallback) as z.output<T>);

const paths = (fallback: string) => withDefault(z.array(z.string().min(1)), [fallback]);
const threads = withDefault(z.number().int().positive(), 4);
const s3Url = z.string().startsWith("s3://");

/** What model SQL is written in: Athena's Trino (default) or plain DuckDB. */
export const sqlDialects = ["trino", "duckdb"] as const;

export const duckdbTargetSchema = z.strictObject({
  engine: z.literal("duckdb"),
  lake: withDefault(z.string().min(1), ".lake"),
  threads,
  schema: z.string().min(1).optional(),
  sql_dialect: z.enum(sqlDialects).optional(),
});

const POLL_INTERVAL_RANGE =
  "must be seconds above 0 and at most 60: leave it out for 0.1, or e.g. 0.01 for athena-local";

export const athenaTargetSchema = z.strictObject({
  engine: z.literal("athena"),
  region: z.string().min(1),
  workgroup: withDefault(z.string().min(1), "primary"),
  s3_staging_dir: s3Url,
  s3_lake_root: s3Url,
  s3_raw_root: s3Url.optional(),
  databases: z.record(z.string(), z.string().min(1)),
  profile: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  build_lease_seconds: z.number().int().positive().optional(),
  poll_interval: z.number().gt(0, POLL_INTERVAL_RANGE).max(60, POLL_INTERVAL_RANGE).optional(),
  threads,
  schema: z.string().min(1).optional(),
});

export const targetSchema = z.discriminatedUnion("engine", [
  duckdbTargetSchema,
  athenaTargetSchema,
]);

/**
 * sluice.yml, except `models:` (the folder tree, validated by parseFolderConfig because its keys
 * are open-ended) and the default-target cross-check.
 */
export const projectConfigSchema = z.strictObject({
  name: z.string().min(1),
  "model-paths": paths("models"),
  "seed-paths": paths("seeds"),
  "macro-paths": paths("macros"),
  "test-paths": paths("tests"),
  "rule-paths": paths("rules"),
  vars: withDefault(z.record(z.string(), z.unknown()), {}),
  models: z.unknown().optional(),
  seeds: z.unknown().optional(),
  targets: z.record(z.string(), targetSchema),
  "default-target": z.string().min(1),
  "sql-dialect": withDefault(z.enum(sqlDialects), "trino"),
});
