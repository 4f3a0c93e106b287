import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import type { ModelConfigLayer } from "./model-config-schema.js";
import type { UnitTestSpec } from "./unit-tests.js";
import type { SourceFreshness } from "./source-freshness.js";

export type { FreshnessThreshold, SourceFreshness } from "./source-freshness.js";

export type { UnitTestInput, UnitTestInputName, UnitTestRows, UnitTestSpec } from "./unit-tests.js";

export type {
  HardDeletePolicy,
  IncrementalStrategy,
  Materialization,
  ModelConfig,
  ModelConfigLayer,
  SnapshotStrategy,
} from "./model-config-schema.js";

/** Target for the embedded DuckDB lake. */
export interface DuckdbTarget {
  engine: "duckdb";
  /** Lake directory, relative to the project dir (default `.lake`). */
  lake: string;
  threads: number;
  /** dbt profiles: the target schema; models without `schema` config build there (see {@link AthenaTarget.schema}). */
  schema?: string;
  /**
   * What model SQL means on this lake: `trino` (default) installs the Trino-compat layer (Athena
   * semantics locally, `7 / 2 = 3`); `duckdb` runs plain DuckDB SQL (`7 / 2 = 3.5`).
   */
  sql_dialect?: SqlDialect;
}

/** The SQL a project's models are written in (sluice.yml `sql-dialect`, or the dbt profile's type). */
export type SqlDialect = "trino" | "duckdb";

/** Target for Athena + Glue + S3. Credentials come only from the AWS default provider chain. */
export interface AthenaTarget {
  engine: "athena";
  region: string;
  workgroup: string;
  /** Query results location, `s3://bucket/prefix/`. */
  s3_staging_dir: string;
  /** Lake root: tables go under `<root>/<schema>/<table>/...`, raw under `<root>/raw/...`. */
  s3_lake_root: string;
  /**
   * Root of the raw zone when it has its own bucket (the seed's stack): sources' external
   * locations resolve under it, `s3://raw-bucket` + `raw/events`. Default `s3_lake_root`.
   */
  s3_raw_root?: string;
  /** Logical schema → Glue database, e.g. `{ silver: ecommerce_silver }`. */
  databases: Record<string, string>;
  profile?: string;
  endpoint?: string;
  /**
   * How long a build's lease on this target lasts without a heartbeat (default 600); a build
   * that died is taken over after it (at once when it ran on the same host).
   */
  build_lease_seconds?: number;
  /**
   * Seconds to wait before the first GetQueryExecution of a query (dbt-athena's `poll_interval`;
   * default 0.1). Later polls back off to 5% of the time the query has run, at most 2 s (or this
   * value when it is longer). Lower it for an endpoint that answers in milliseconds
   * (`sluice athena-local`); on AWS every poll is an API call against the account's quota.
   */
  poll_interval?: number;
  threads: number;
  /**
   * dbt profiles: the target schema. When set, schemas are named as dbt's
   * `generate_schema_name` does: `<schema>` without a custom schema, `<schema>_<custom>` with one.
   */
  schema?: string;
}

export type TargetConfig = DuckdbTarget | AthenaTarget;

/** Folder-level config: `+key` entries apply to the folder, other keys are sub-folders. */
export interface FolderConfig {
  config: ModelConfigLayer;
  children: Record<string, FolderConfig>;
  /** Where the folder's key is in sluice.yml (absent for the root and the defaults). */
  at?: SourceLocation;
}

/** `sluice.yml`, validated. */
export interface ProjectConfig {
  name: string;
  "model-paths": string[];
  "seed-paths": string[];
  "macro-paths": string[];
  "test-paths": string[];
  "rule-paths": string[];
  vars: Record<string, unknown>;
  models: FolderConfig;
  /** Folder config for seeds (dbt's `seeds:` block), keyed by folders under the project dir. */
  seeds: FolderConfig;
  /** dbt projects: folders of `{% snapshot %}` files and YAML snapshots (`snapshot-paths`). */
  "snapshot-paths"?: string[];
  /** dbt projects: folders of analyses (`analysis-paths`), which sluice does not compile. */
  "analysis-paths"?: string[];
  /** dbt projects: folder config of snapshots (dbt's `snapshots:` block), from the snapshot paths. */
  snapshots?: FolderConfig;
  /**
   * dbt projects: test config of dbt_project.yml's `tests:`/`data_tests:` (top level for every
   * test, then the project's or a package's name, then folders from the yml's or test's path).
   */
  tests?: TestFolderConfig;
  targets: Record<string, TargetConfig>;
  "default-target": string;
  /** Model SQL dialect on DuckDB targets (default `trino`); see {@link DuckdbTarget.sql_dialect}. */
  "sql-dialect": SqlDialect;
  /** Set when the project was loaded from dbt's `dbt_project.yml` + `profiles.yml`. */
  dbt?: DbtProjectInfo;
}

/** Where a dbt project's settings came from. */
export interface DbtProjectInfo {
  /** The profile used (`--profile`, else `profile:` of dbt_project.yml). */
  profile: string;
  /** The profiles.yml read (absolute). */
  profilesFile: string;
  /** Local packages of packages.yml (project-relative folders), in file order. */
  packages: string[];
}

/** A `{% docs name %}...{% enddocs %}` block of a markdown file under the model paths. */
export interface DocBlock {
  name: string;
  /** The block's text, trimmed. */
  text: string;
  at: SourceLocation;
}

/** A text file of the project, with its path relative to the project dir. */
export interface ProjectFile {
  /** Relative to the project dir, forward slashes, e.g. `staging/stg_events.sql`. */
  path: string;
  absPath: string;
  text: string;
}

export interface ModelFile extends ProjectFile {
  /** File name without `.sql`; unique across the project. */
  name: string;
  /** Folder segments of `path` (from the project dir), for folder `+key` config: `['staging']`. */
  folders: string[];
}

/** A macro file of the project, or of a dbt package (`package` names it). */
export interface MacroFile extends ProjectFile {
  /** The package's name when the file is a package's: its macros are also `package.name`. */
  package?: string;
}

export interface SeedFile extends ProjectFile {
  name: string;
  /** Header names in file order. */
  columns: string[];
  /** Cells as text, one array per data row. */
  rows: string[][];
}

/** A generic test as written in YAML: `not_null`, `{ accepted_values: { values: [...] } }`, ... */
export interface GenericTestSpec {
  name: "not_null" | "unique" | "accepted_values" | "relationships" | string;
  args: Record<string, unknown>;
  severity: "error" | "warn";
  /** dbt's test configs beyond `severity`; absent when none is set. */
  config?: TestConfig;
  /**
   * Keys of `config` that came from dbt_project.yml's `tests:`, not from the test's own
   * `config:` (a `{% test %}` block's `config()` replaces those, as in dbt).
   */
  inherited?: string[];
  at: SourceLocation;
}

/**
 * dbt test configs (under `config:` of a generic test, or `+key` of dbt_project.yml's `tests:`).
 * Only the keys written are set: a test's own value wins over the project's (see `applyTestConfig`).
 */
export interface TestConfig {
  /** As written (the spec's `severity` is the one in effect). */
  severity?: "error" | "warn";
  /** `false`: the test is not built. */
  enabled?: boolean;
  /** Added to the test node's tags (dbt adds a test's tags to the project's). */
  tags?: string[];
  /** Documentation only (manifest.json's config.meta). */
  meta?: Record<string, unknown>;
  /** `true`/`false` decides, over `--store-failures`, whether failing rows are kept in a table. */
  store_failures?: boolean;
  /** SQL condition: the test reads `(select * from <model> where <where>)`. */
  where?: string;
  /** At most this many failing rows are counted (and stored). */
  limit?: number;
  /** Conditions on the failure count (`failureCondition`); dbt's default for both is `!=0`. */
  warn_if?: string;
  error_if?: string;
}

/** dbt_project.yml's `tests:`/`data_tests:` tree: `+key` config per project, package, folder. */
export interface TestFolderConfig {
  config: TestConfig;
  children: Record<string, TestFolderConfig>;
}

export interface ColumnProperties {
  name: string;
  description?: string;
  data_type?: string;
  tests: GenericTestSpec[];
  at: SourceLocation;
}

/** A model entry of a properties YAML file (dbt `version: 2`). */
export interface ModelProperties {
  name: string;
  description?: string;
  config: ModelConfigLayer;
  columns: ColumnProperties[];
  tests: GenericTestSpec[];
  at: SourceLocation;
}

/** Raw external data exposed as a source table. */
export interface ExternalSpec {
  /** Relative to the lake root, e.g. `raw/events`. */
  location: string;
  format: "json_lines";
  /**
   * `firehose_hourly`: `<location>/YYYY/MM/DD/HH/<object>`. `firehose_event_type_hourly`:
   * `<location>/event_type=<t>/YYYY/MM/DD/HH/<object>` (Firehose dynamic partitioning by
   * `.event_type`), read with an `event_type` column beside `dt`.
   */
  partitioning: "firehose_hourly" | "firehose_event_type_hourly";
  /** The event types of `firehose_event_type_hourly` (Athena projects them as an enum). */
  event_types?: string[];
}

export interface SourceTable {
  /** `source(sourceName, name)` */
  sourceName: string;
  name: string;
  description?: string;
  /** Logical schema (defaults to the source name). */
  schema: string;
  /** dbt's `identifier:`: the table's name in the catalog when it differs from `name`. */
  identifier?: string;
  external?: ExternalSpec;
  /** dbt source freshness (thresholds, how the age is found); absent when none is set. */
  freshness?: SourceFreshness;
  columns: ColumnProperties[];
  tests: GenericTestSpec[];
  at: SourceLocation;
}

/** A node an exposure reads: `ref('m')` or `source('s', 't')`, where it was written. */
export type ExposureRef = ({ ref: string } | { source: [string, string] }) & { at: SourceLocation };

/**
 * A downstream use of the project's models (dbt's `exposures:`): a dashboard, notebook, ...
 * It is not run; it shows in docs and lineage, and `--select +exposure:name` builds what it reads.
 */
export interface Exposure {
  name: string;
  label?: string;
  type: "dashboard" | "notebook" | "analysis" | "ml" | "application";
  maturity?: "low" | "medium" | "high";
  url?: string;
  description?: string;
  owner: { name?: string; email?: string };
  dependsOn: ExposureRef[];
  tags: string[];
  at: SourceLocation;
}

/**
 * A dbt snapshot: a `{% snapshot name %}` block of a `.sql` file under the snapshot paths (its
 * `text` is the file with everything but the block's body blanked, so positions stay true), or a
 * YAML snapshot (dbt 1.9: `relation:`, whose `text` is `select * from {{ ref('m') }}` and whose
 * positions point at the YAML entry). `properties` holds a YAML entry's config, description,
 * columns and tests.
 */
export interface SnapshotFile extends ModelFile {
  /** Where the snapshot is defined (the block's opening tag, or the YAML entry). */
  at: SourceLocation;
  properties?: ModelProperties;
}

/** A `snapshots:` entry of a properties YAML file; `relation` makes it a YAML snapshot. */
export interface SnapshotProperties extends ModelProperties {
  /** `ref('m')` or `source('s', 't')`, as written, with its position. */
  relation?: { text: string; at: SourceLocation };
}

/** A singular test: a SQL file under test paths that selects failing rows. */
export interface SingularTestFile extends ProjectFile {
  name: string;
}

/** A DQDL ruleset file under rule paths (parsed by libs/dq). */
export interface RuleFile extends ProjectFile {
  name: string;
}

/** A loaded project: plain data with source locations. Never throws on user mistakes. */
export interface Project {
  /** Absolute project directory. */
  dir: string;
  config: ProjectConfig;
  models: ModelFile[];
  macros: MacroFile[];
  seeds: SeedFile[];
  modelProperties: ModelProperties[];
  /** Properties YAML `seeds:` entries: seeds' descriptions, columns and generic tests. */
  seedProperties?: ModelProperties[];
  sources: SourceTable[];
  /** dbt `exposures:` of the properties files; absent in projects built by hand (tests). */
  exposures?: Exposure[];
  singularTests: SingularTestFile[];
  /** dbt 1.8 unit tests of the properties files; absent in projects built by hand (tests). */
  unitTests?: UnitTestSpec[];
  rules: RuleFile[];
  /** dbt snapshots, in path order (absent in projects built by hand and in sluice.yml projects). */
  snapshots?: SnapshotFile[];
  /** Docs blocks (`{{ doc('name') }}` in descriptions and templates). */
  docs?: DocBlock[];
  diagnostics: Diagnostic[];
  /**
   * Project-relative folders the loader listed ("" is the project folder), including roots that
   * do not exist: a file added or removed there changes the folder, which is how a cached
   * compile knows it is stale.
   */
  scannedFolders?: string[];
}
