import { z } from "zod";

/**
 * The required fields of dbt's artifact schemas, from schemas.getdbt.com: manifest v12 (dbt
 * 1.8/1.9) and run-results v6. Where the published schema forbids other keys
 * (`additionalProperties: false`: the run results, each result, metadata), so does the zod
 * schema, so a key sluice adds outside its documented extension keys fails the test.
 */
const nullableString = z.string().nullable();

const checksum = z.strictObject({ name: z.string(), checksum: z.string() });

const dependsOn = z.object({ macros: z.array(z.string()), nodes: z.array(z.string()) });

/** Fields every v12 graph node (model, seed, test) must have. */
const graphNode = z.object({
  database: nullableString,
  schema: z.string(),
  name: z.string(),
  resource_type: z.enum(["model", "seed", "test", "snapshot", "analysis", "operation"]),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
  alias: z.string(),
  checksum,
  config: z.looseObject({ enabled: z.boolean(), materialized: z.string() }),
  tags: z.array(z.string()),
  description: z.string(),
  columns: z.record(z.string(), z.object({ name: z.string(), description: z.string() })),
  meta: z.record(z.string(), z.unknown()),
  raw_code: z.string(),
  compiled_code: z.string().optional(),
  depends_on: z.object({ macros: z.array(z.string()), nodes: z.array(z.string()).optional() }),
  relation_name: nullableString,
});

const sourceNode = z.object({
  database: nullableString,
  schema: z.string(),
  name: z.string(),
  resource_type: z.literal("source"),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
  source_name: z.string(),
  source_description: z.string(),
  loader: z.string(),
  identifier: z.string(),
});

const macroNode = z.object({
  name: z.string(),
  resource_type: z.literal("macro"),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  macro_sql: z.string(),
});

const exposureNode = z.object({
  name: z.string(),
  resource_type: z.literal("exposure"),
  package_name: z.string(),
  path: z.string(),
  original_file_path: z.string(),
  unique_id: z.string(),
  fqn: z.array(z.string()),
  type: z.enum(["dashboard", "notebook", "analysis", "ml", "application"]),
  owner: z.object({ email: z.string().nullable().optional(), name: nullableString.optional() }),
  depends_on: dependsOn,
});

const record = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

export const manifestV12 = z.strictObject({
  metadata: z.strictObject({
    dbt_schema_version: z.literal("https://schemas.getdbt.com/dbt/manifest/v12.json"),
    dbt_version: z.string(),
    generated_at: z.iso.datetime(),
    invocation_id: nullableString,
    invocation_started_at: nullableString.optional(),
    env: record(z.string()),
    project_name: nullableString.optional(),
    project_id: nullableString.optional(),
    user_id: nullableString.optional(),
    send_anonymous_usage_stats: z.boolean().nullable().optional(),
    adapter_type: nullableString.optional(),
  }),
  nodes: record(graphNode),
  sources: record(sourceNode),
  macros: record(macroNode),
  docs: record(z.unknown()),
  exposures: record(exposureNode),
  metrics: record(z.unknown()),
  groups: record(z.unknown()),
  selectors: record(z.unknown()),
  disabled: record(z.array(z.unknown())).nullable(),
  parent_map: record(z.array(z.string())).nullable(),
  child_map: record(z.array(z.string())).nullable(),
  group_map: record(z.array(z.string())).nullable(),
  saved_queries: record(z.unknown()),
  semantic_models: record(z.unknown()),
  unit_tests: record(z.unknown()),
});

const timing = z.strictObject({
  name: z.string(),
  started_at: nullableString.optional(),
  completed_at: nullableString.optional(),
});

export const runResultsV6 = z.strictObject({
  metadata: z.strictObject({
    dbt_schema_version: z.literal("https://schemas.getdbt.com/dbt/run-results/v6.json"),
    dbt_version: z.string().optional(),
    generated_at: z.string().optional(),
    invocation_id: nullableString.optional(),
    invocation_started_at: nullableString.optional(),
    env: record(z.string()).optional(),
  }),
  results: z.array(
    z.strictObject({
      status: z.enum([
        "success",
        "error",
        "skipped",
        "partial success",
        "no-op",
        "pass",
        "fail",
        "warn",
        "runtime error",
      ]),
      timing: z.array(timing),
      thread_id: z.string(),
      execution_time: z.number(),
      adapter_response: record(z.unknown()),
      message: nullableString,
      failures: z.number().int().nullable(),
      unique_id: z.string(),
      compiled: z.boolean().nullable(),
      compiled_code: nullableString,
      relation_name: nullableString,
      batch_results: z.unknown().optional(),
    }),
  ),
  elapsed_time: z.number(),
  args: record(z.unknown()).optional(),
});
