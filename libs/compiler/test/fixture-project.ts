import { kitProject } from "../src/compile/render-models.js";
import type {
  FolderConfig,
  GenericTestSpec,
  ModelFile,
  ModelProperties,
  Project,
  ProjectConfig,
  SeedFile,
  SourceTable,
} from "@sluice/project";

/** A model file at `path` (project-relative), e.g. `staging/stg_events.sql`. */
export function model(path: string, text: string): ModelFile {
  const parts = path.split("/");
  const fileName = parts.pop()!;
  return {
    path,
    absPath: `/proj/${path}`,
    text,
    name: fileName.replace(/\.sql$/, ""),
    folders: parts,
  };
}

export function seed(name: string, columns: string[], rows: string[][]): SeedFile {
  return {
    path: `seeds/${name}.csv`,
    absPath: `/proj/seeds/${name}.csv`,
    text: "",
    name,
    columns,
    rows,
  };
}

export function testSpec(
  name: string,
  args: Record<string, unknown> = {},
  line = 1,
  file = "schema.yml",
): GenericTestSpec {
  return { name, args, severity: "error", at: { file, line, column: 11 } };
}

export function props(name: string, p: Partial<ModelProperties> = {}): ModelProperties {
  return {
    name,
    config: {},
    columns: [],
    tests: [],
    at: { file: "schema.yml", line: 3, column: 5 },
    ...p,
  };
}

export function rawEvents(): SourceTable {
  return {
    sourceName: "raw",
    name: "events",
    schema: "raw",
    external: { location: "raw/events", format: "json_lines", partitioning: "firehose_hourly" },
    columns: [],
    tests: [],
    at: { file: "sources.yml", line: 4, column: 7 },
  };
}

const folders = (
  config: FolderConfig["config"] = {},
  children: Record<string, FolderConfig> = {},
): FolderConfig => ({ config, children });
export { folders };

/** A project with the given parts; targets `local` (duckdb) and `prod` (athena). */
export function project(
  parts: Partial<Omit<Project, "config">> & { config?: Partial<ProjectConfig> } = {},
): Project {
  const config: ProjectConfig = {
    name: "shop",
    "model-paths": ["."],
    "seed-paths": ["seeds"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    "rule-paths": ["rules"],
    vars: {},
    models: folders(),
    seeds: folders(),
    targets: {
      local: { engine: "duckdb", lake: ".lake", threads: 1 },
      prod: {
        engine: "athena",
        region: "eu-west-1",
        workgroup: "primary",
        s3_staging_dir: "s3://results/",
        s3_lake_root: "s3://lake/root/",
        databases: { silver: "shop_silver" },
        threads: 4,
      },
    },
    "default-target": "local",
    "sql-dialect": "trino",
    ...parts.config,
  };
  return { ...kitProject({ dir: "/proj", macros: [], config }), ...parts, config };
}
