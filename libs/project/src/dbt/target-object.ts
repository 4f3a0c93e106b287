import type { TargetConfig } from "../types.js";

/** What dbt's `target` is made of: the output's name and config, its schema and the profile. */
export interface TargetObjectInputs {
  /** The target's (profile output's) name: `dev`, `prod`. */
  name: string;
  config: TargetConfig;
  /** The schema models land in without a custom schema. */
  schema: string;
  /** What `target.profile_name` says. */
  profileName: string;
}

/**
 * `target`: dbt's description of the connection (`target.name`, `target.schema`, `target.type`,
 * `target.threads`, `target.database`, and the adapter's own keys), as model templates and
 * dbt_project.yml's config values read it.
 *
 * @example dbtTargetObject({ name: "dev", config, schema: "main", profileName: "shop" }).type // "duckdb"
 */
export function dbtTargetObject(inputs: TargetObjectInputs): Record<string, unknown> {
  const t = inputs.config;
  const common = {
    name: inputs.name,
    schema: inputs.schema,
    threads: t.threads,
    profile_name: inputs.profileName,
  };
  return t.engine === "duckdb"
    ? { ...common, type: "duckdb", database: "main", path: t.lake }
    : {
        ...common,
        type: "athena",
        database: "awsdatacatalog",
        region_name: t.region,
        work_group: t.workgroup,
        s3_staging_dir: t.s3_staging_dir,
        s3_data_dir: t.s3_lake_root,
      };
}
