import { z } from "zod";

export const materializations = ["view", "table", "incremental", "ephemeral"] as const;
export const incrementalStrategies = ["append", "insert_overwrite", "merge"] as const;
export const schemaChangePolicies = ["ignore", "append_new_columns", "fail"] as const;

/** The merged model config; unknown keys pass through for macros and later features. */
export const mergedConfigSchema = z.looseObject({
  materialized: z.enum(materializations),
  schema: z.string().min(1),
  alias: z.string().min(1).optional(),
  tags: z.array(z.string()),
  partitioned_by: z.array(z.string()),
  incremental_strategy: z.enum(incrementalStrategies),
  unique_key: z.union([z.string(), z.array(z.string())]).optional(),
  on_schema_change: z.enum(schemaChangePolicies),
  enabled: z.boolean(),
  versions_to_keep: z.number().int().min(0).optional(),
});

/** What a user may write for a key, shown as the hint of CONFIG_VALUE_INVALID. */
export const allowedValues: Record<string, string> = {
  materialized: `one of ${materializations.join(", ")}`,
  schema: "a non-empty string",
  alias: "a non-empty string",
  tags: "a string or a list of strings",
  partitioned_by: "a column name or a list of column names",
  incremental_strategy: `one of ${incrementalStrategies.join(", ")}`,
  unique_key: "a column name or a list of column names",
  on_schema_change: `one of ${schemaChangePolicies.join(", ")}`,
  enabled: "true or false",
  versions_to_keep: "a whole number of earlier versions to keep, 0 or more (default 1)",
};
