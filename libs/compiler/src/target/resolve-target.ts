import path from "node:path";
import { error } from "@sluice/project/diagnostics";
import { defaultModelConfig } from "@sluice/project/compile-time";
import type { Diagnostic, Project, TargetConfig } from "@sluice/project";
import type { Relation } from "@sluice/dialects";
import { closestHint } from "@sluice/project/suggest";

/** The target of one compile and how it maps logical names to physical ones. */
export interface ResolvedTarget {
  name: string;
  config: TargetConfig;
  /** `/abs/models/.lake` or `s3://bucket/lake` (no trailing slash). */
  lakeRoot: string;
  relation(logicalSchema: string, name: string): Relation;
  /** Fresh location for a new version of a table. */
  tableLocation(logicalSchema: string, name: string, runId: string): string;
  /** A lake-relative path (e.g. `silver/events`) made physical. */
  lakePath(relative: string): string;
  /**
   * A source's external location (e.g. `raw/events`) made physical: under the target's
   * `s3_raw_root` when the raw zone has its own bucket, else under the lake root.
   */
  rawPath(relative: string): string;
  /**
   * The logical schema of a model or seed given its `schema` config (undefined when no layer
   * sets it). A target with a `schema` (a dbt profile's) names schemas as dbt's default
   * `generate_schema_name`: `main` without a custom schema, `main_staging` with `staging`;
   * otherwise the config itself, or `default`. A project macro `generate_schema_name` replaces
   * this (see compileProject).
   */
  schemaName(custom: string | undefined): string;
}

/** dbt's default `generate_schema_name` over a target schema (sluice's own rule without one). */
export function defaultSchemaName(targetSchema: string | undefined, custom: string | undefined) {
  if (targetSchema === undefined) return custom ?? defaultModelConfig.schema;
  return custom === undefined ? targetSchema : `${targetSchema}_${custom.trim()}`;
}

export function resolveTarget(
  project: Project,
  targetName: string | undefined,
): ResolvedTarget | Diagnostic {
  const name = targetName ?? project.config["default-target"];
  const config = project.config.targets[name];
  if (!config) {
    const known = Object.keys(project.config.targets);
    return error(
      "UNKNOWN_TARGET",
      `target '${name}' is not defined in ${project.config.dbt ? `profile '${project.config.dbt.profile}'` : "sluice.yml"}`,
      undefined,
      closestHint(name, known) ?? `targets are: ${known.join(", ") || "(none)"}`,
    );
  }
  const lakeRoot =
    config.engine === "duckdb"
      ? path.resolve(project.dir, config.lake)
      : config.s3_lake_root.replace(/\/+$/, "");
  const physicalSchema = (schema: string) =>
    config.engine === "athena" ? (config.databases[schema] ?? schema) : schema;
  const under = (root: string) => (relative: string) =>
    `${root}/${relative.replace(/^\/+|\/+$/g, "")}`;
  const lakePath = under(lakeRoot);
  return {
    name,
    config,
    lakeRoot,
    relation: (schema, table) => ({ schema: physicalSchema(schema), name: table }),
    tableLocation: (schema, table, runId) => lakePath(`${schema}/${table}/v_${runId}`),
    lakePath,
    rawPath: under(rawRoot(config) ?? lakeRoot),
    schemaName: (custom) => defaultSchemaName(config.schema, custom),
  };
}

/**
 * The raw zone's own root (`s3_raw_root`, no trailing slash) when the target has one; undefined
 * when raw lives under the lake root (always, on a local lake).
 */
export function rawRoot(config: TargetConfig): string | undefined {
  return config.engine === "athena" && config.s3_raw_root !== undefined
    ? config.s3_raw_root.replace(/\/+$/, "")
    : undefined;
}
