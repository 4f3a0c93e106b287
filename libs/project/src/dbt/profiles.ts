import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { error, warning } from "../diagnostics.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { closestHint } from "../suggest.js";
import type { AthenaTarget, DuckdbTarget, TargetConfig } from "../types.js";
import { isMapping, parseYaml } from "../yaml-source.js";
import { renderProfileTree } from "./profile-template.js";

/** Where and how to read profiles.yml (dbt's `--profiles-dir`, `--profile`, environment). */
export interface ProfileOptions {
  /** `--profiles-dir`: the folder holding profiles.yml (first choice; must hold one). */
  profilesDir?: string;
  /** `--profile`: overrides `profile:` of dbt_project.yml. */
  profile?: string;
  /** The environment (`DBT_PROFILES_DIR`, `env_var()`); the CLI passes process.env. */
  env?: Record<string, string | undefined>;
  /** The home folder for `~/.dbt` (tests pass their own). */
  home?: string;
  /** `--vars`: what dbt_project.yml's `var()` reads over its own vars. */
  vars?: Readonly<Record<string, unknown>>;
  /** `--target`: the output whose `target` dbt_project.yml's values read (default: `target:`). */
  target?: string;
}

/** The targets of one profile, as sluice targets. */
export interface LoadedProfile {
  file: string;
  targets: Record<string, TargetConfig>;
  defaultTarget: string;
}

/**
 * Where profiles.yml is, in dbt's order: `--profiles-dir`, `DBT_PROFILES_DIR`, the project
 * folder, `~/.dbt`. A folder given explicitly must hold the file (an error otherwise).
 */
export function findProfilesFile(
  projectDir: string,
  options: ProfileOptions,
): { file: string } | { missing: string; explicit: boolean } {
  const env = options.env ?? {};
  const explicit = options.profilesDir ?? (env["DBT_PROFILES_DIR"] || undefined);
  if (explicit !== undefined) {
    const file = path.resolve(explicit, "profiles.yml");
    return existsSync(file) ? { file } : { missing: file, explicit: true };
  }
  const home = path.join(options.home ?? os.homedir(), ".dbt", "profiles.yml");
  for (const file of [path.join(projectDir, "profiles.yml"), home])
    if (existsSync(file)) return { file };
  return { missing: `${path.join(projectDir, "profiles.yml")} or ${home}`, explicit: false };
}

/** Keys of an output that change nothing sluice does (connection details of dbt's adapters). */
const INERT_OUTPUT_KEYS = new Set(["type", "threads", "schema", "database", "path"]);
/** Output keys of dbt-duckdb / dbt-athena that sluice maps. */
const DUCKDB_KEYS = new Set(["path"]);
const ATHENA_KEYS = new Set([
  "s3_staging_dir",
  "s3_data_dir",
  "region_name",
  "work_group",
  "aws_profile_name",
  "poll_interval",
]);

/** Why a known dbt adapter key sluice does not apply changes nothing the user needs. */
const IGNORED_KEY_HINTS: Readonly<Record<string, string>> = {
  num_retries:
    "sluice retries what Athena marks Retryable (and ICEBERG_COMMIT_ERROR, Glue's ConcurrentModificationException) with its own backoff, 8 attempts; remove the key or keep it for dbt",
};

/**
 * Read one profile of profiles.yml as sluice targets: `type: duckdb` → the local lake (`path`
 * names the lake: `dev.duckdb` → folder `dev.lake` holding `catalog.duckdb`; `schema`,
 * `threads`), `type: athena` → an Athena target (`s3_staging_dir`, `s3_data_dir` as the lake
 * root, `region_name`, `schema`, `work_group`, `aws_profile_name`, `poll_interval`, `threads`).
 * Values may use `{{ env_var('NAME', 'default') }}`. Other adapter keys are DBT_KEY_IGNORED
 * warnings.
 *
 * @example parseProfiles(text, "profiles.yml", "jaffle_shop", {}) // { targets: { dev: {...} }, defaultTarget: "dev" }
 */
export function parseProfiles(
  text: string,
  file: string,
  profile: string,
  env: Record<string, string | undefined>,
  diagnostics: Diagnostic[],
): LoadedProfile | undefined {
  const source = parseYaml(text, file, "PROFILE_INVALID");
  if (source.syntaxErrors.length) return void diagnostics.push(...source.syntaxErrors);
  const data = source.data;
  const profiles = isMapping(data) ? Object.keys(data).filter((k) => k !== "config") : [];
  const entry = isMapping(data) ? data[profile] : undefined;
  if (!isMapping(entry)) {
    diagnostics.push(
      error(
        "PROFILE_INVALID",
        `profile '${profile}' is not defined in ${file}`,
        source.locate([]),
        closestHint(profile, profiles) ??
          `profiles defined: ${profiles.join(", ") || "(none)"}; pass --profile or fix profile: in dbt_project.yml`,
      ),
    );
    return undefined;
  }
  const outputs = entry.outputs;
  if (!isMapping(outputs) || Object.keys(outputs).length === 0) {
    diagnostics.push(
      error(
        "PROFILE_INVALID",
        `profile '${profile}' has no outputs`,
        source.locate([profile]),
        "add outputs: with at least one target (type: duckdb or type: athena)",
      ),
    );
    return undefined;
  }
  const rendered = renderProfileTree(
    outputs,
    env,
    (p) => source.locate([profile, "outputs", ...p]),
    diagnostics,
  ) as Record<string, unknown>;
  const targets: Record<string, TargetConfig> = {};
  for (const [name, raw] of Object.entries(rendered)) {
    const target = toTarget(raw, (key) => source.locate([profile, "outputs", name, ...key]));
    diagnostics.push(...target.diagnostics);
    if (target.config) targets[name] = target.config;
  }
  const defaultTarget = typeof entry.target === "string" ? entry.target : Object.keys(outputs)[0]!;
  if (!(defaultTarget in outputs))
    diagnostics.push(
      error(
        "PROFILE_INVALID",
        `target: '${defaultTarget}' is not an output of profile '${profile}'`,
        source.locate([profile, "target"]),
        closestHint(defaultTarget, Object.keys(outputs)) ??
          `outputs: ${Object.keys(outputs).join(", ")}`,
      ),
    );
  return { file, targets, defaultTarget };
}

type Locate = (key: (string | number)[]) => SourceLocation;

function toTarget(
  raw: unknown,
  locate: Locate,
): { config?: TargetConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!isMapping(raw)) {
    diagnostics.push(error("PROFILE_INVALID", "an output must be a mapping", locate([])));
    return { diagnostics };
  }
  const need = (key: string): string | undefined => {
    const v = raw[key];
    if (typeof v === "string" && v !== "") return v;
    diagnostics.push(
      error(
        "PROFILE_INVALID",
        `${String(raw.type)} output needs '${key}'`,
        locate(v === undefined ? [] : [key]),
        `add ${key}: to the output`,
      ),
    );
    return undefined;
  };
  const threads = typeof raw.threads === "number" && raw.threads > 0 ? raw.threads : 1;
  const schema = need("schema");
  const ignore = (known: Set<string>, adapter: string) => {
    for (const key of Object.keys(raw))
      if (!INERT_OUTPUT_KEYS.has(key) && !known.has(key))
        diagnostics.push(
          warning(
            "DBT_KEY_IGNORED",
            `${adapter} output key '${key}' is not applied by sluice`,
            locate([key]),
            IGNORED_KEY_HINTS[key] ??
              "sluice runs models on its own lake or Athena connection; remove the key or keep it for dbt",
          ),
        );
  };
  if (raw.type === "duckdb") {
    ignore(DUCKDB_KEYS, "dbt-duckdb");
    const config: DuckdbTarget = {
      engine: "duckdb",
      lake: lakeFolder(raw.path, locate, diagnostics),
      threads,
      sql_dialect: "duckdb",
      ...(schema ? { schema } : {}),
    };
    return { config, diagnostics };
  }
  if (raw.type === "athena") {
    ignore(ATHENA_KEYS, "dbt-athena");
    const staging = need("s3_staging_dir");
    const data = need("s3_data_dir");
    const region = need("region_name");
    if (typeof raw.database === "string" && raw.database.toLowerCase() !== "awsdatacatalog")
      diagnostics.push(
        warning(
          "DBT_KEY_IGNORED",
          `database: '${raw.database}': sluice writes to the account's AwsDataCatalog`,
          locate(["database"]),
          "use database: awsdatacatalog",
        ),
      );
    const pollInterval = pollIntervalOf(raw.poll_interval, locate, diagnostics);
    const badPoll = raw.poll_interval != null && pollInterval === undefined;
    if (!staging || !data || !region || !schema || badPoll) return { diagnostics };
    const config: AthenaTarget = {
      engine: "athena",
      region,
      workgroup: typeof raw.work_group === "string" ? raw.work_group : "primary",
      s3_staging_dir: staging,
      s3_lake_root: data.replace(/\/+$/, ""),
      databases: {},
      threads,
      schema,
      ...(typeof raw.aws_profile_name === "string" ? { profile: raw.aws_profile_name } : {}),
      ...(pollInterval === undefined ? {} : { poll_interval: pollInterval }),
    };
    return { config, diagnostics };
  }
  diagnostics.push(
    error(
      "PROFILE_INVALID",
      `output type '${String(raw.type)}' is not one sluice runs on`,
      locate(raw.type === undefined ? [] : ["type"]),
      "use type: duckdb (the local lake) or type: athena",
    ),
  );
  return { diagnostics };
}

/**
 * dbt-athena's `poll_interval` (seconds, a number or, from `env_var`, its text) as the target's
 * `poll_interval`; undefined when absent or not a number in (0, 60] (then an error).
 */
function pollIntervalOf(
  raw: unknown,
  locate: Locate,
  diagnostics: Diagnostic[],
): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
  if (Number.isFinite(n) && n > 0 && n <= 60) return n;
  diagnostics.push(
    error(
      "PROFILE_INVALID",
      `poll_interval: '${String(raw)}' is not a number of seconds in (0, 60]`,
      locate(["poll_interval"]),
      "use e.g. poll_interval: 1 (dbt-athena's default) or leave it out (sluice's 0.1)",
    ),
  );
  return undefined;
}

/** The lake folder for dbt-duckdb's `path`: `dev.duckdb` → `dev.lake` (it holds catalog.duckdb). */
function lakeFolder(raw: unknown, locate: Locate, diagnostics: Diagnostic[]): string {
  if (typeof raw !== "string" || raw === "" || raw === ":memory:") {
    if (raw === ":memory:")
      diagnostics.push(
        warning(
          "DBT_KEY_IGNORED",
          "path: ':memory:': sluice keeps its lake on disk, in .lake",
          locate(["path"]),
          "name a file (path: dev.duckdb) to choose the lake folder",
        ),
      );
    return ".lake";
  }
  return raw.replace(/\.(duckdb|db)$/i, "") + ".lake";
}
