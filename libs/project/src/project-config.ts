import path from "node:path";
import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { parseFolderConfig } from "./folder-config.js";
import { projectConfigSchema, targetSchema } from "./project-config-schema.js";
import { closest } from "./suggest.js";
import type { ProjectConfig, TargetConfig } from "./types.js";
import { isMapping, parseYaml } from "./yaml-source.js";
import { issuesToDiagnostics, salvage } from "./zod-issues.js";
import { isWithin } from "./path-within.js";

/** The project file's name, in the project directory. */
export const CONFIG_FILE = "sluice.yml";

/** Defaults for every key; what a project gets when sluice.yml is missing or unusable. */
export function defaultProjectConfig(): ProjectConfig {
  return {
    name: "",
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    "rule-paths": ["rules"],
    vars: {},
    models: { config: {}, children: {} },
    seeds: { config: {}, children: {} },
    targets: {},
    "default-target": "",
    "sql-dialect": "trino",
  };
}

export interface ParsedProjectConfig {
  /** The valid parts of the file over the defaults (invalid keys fall back to their default). */
  config: ProjectConfig;
  diagnostics: Diagnostic[];
  /** False when the file does not parse as a YAML mapping: nothing else can be trusted. */
  usable: boolean;
}

/**
 * Validate sluice.yml text. Every problem becomes a diagnostic naming `file`, the key path and
 * the node's line:column; nothing throws.
 *
 * @example parseProjectConfig("name: shop\ntargets: {local: {engine: duckdb}}\ndefault-target: local\n")
 */
export function parseProjectConfig(
  text: string,
  file = CONFIG_FILE,
  /** The project folder: with it, a local target's lake folder is checked (see lakeFolderProblem). */
  dir?: string,
): ParsedProjectConfig {
  const config = defaultProjectConfig();
  const source = parseYaml(text, file);
  if (source.syntaxErrors.length)
    return { config, diagnostics: source.syntaxErrors, usable: false };
  const data = source.data;
  if (!isMapping(data)) {
    const got = data === undefined || data === null ? "the file is empty" : "it is not a mapping";
    return {
      config,
      diagnostics: [
        error("CONFIG_INVALID", `${file} must be a mapping of settings; ${got}`, source.locate([])),
      ],
      usable: false,
    };
  }

  const diagnostics: Diagnostic[] = [];
  const parsed = projectConfigSchema.safeParse(data);
  if (parsed.success) Object.assign(config, parsed.data);
  else {
    const ctx = { source, code: "CONFIG_INVALID" as const, schema: projectConfigSchema, data };
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, ctx));
    Object.assign(config, salvage<ProjectConfig>(projectConfigSchema, data));
    config.targets = {};
    for (const [name, raw] of Object.entries(isMapping(data.targets) ? data.targets : {})) {
      const t = targetSchema.safeParse(raw);
      if (t.success) config.targets[name] = t.data as TargetConfig;
      else diagnostics.push(...closestEngineIssues(raw, ["targets", name], source));
    }
  }
  applySqlDialect(config);
  config.models = parseFolderConfig(data.models, source, ["models"], diagnostics);
  config.seeds = parseFolderConfig(data.seeds, source, ["seeds"], diagnostics);

  const wanted = data["default-target"];
  if (
    typeof wanted === "string" &&
    wanted !== "" &&
    isMapping(data.targets) &&
    !(wanted in data.targets)
  ) {
    const names = Object.keys(data.targets);
    const near = closest(wanted, names);
    const hint = names.length
      ? `${near ? `did you mean '${near}'? ` : ""}defined targets: ${names.join(", ")}`
      : "define a target under 'targets:'";
    diagnostics.push(
      error(
        "CONFIG_INVALID",
        `default-target: '${wanted}' is not a defined target`,
        source.locate(["default-target"]),
        hint,
      ),
    );
  }
  if (dir !== undefined)
    for (const [name, target] of Object.entries(config.targets)) {
      if (target.engine !== "duckdb") continue;
      const found = lakeFolderProblem(target.lake, dir);
      if (found)
        diagnostics.push(
          error(
            "CONFIG_INVALID",
            `targets.${name}.lake: '${target.lake}' ${found.problem}`,
            source.locate(["targets", name, "lake"]),
            found.hint,
          ),
        );
    }
  return { config, diagnostics, usable: true };
}

/**
 * Why `lake` (relative to the project folder `dir`) cannot be a lake, as the rest of a sentence
 * starting with the setting, and what to do: the root of the file system, the project folder
 * itself (the lake's schema folders would mix with the models'), a folder that holds the project,
 * or a path with a `?` (DuckDB's). Undefined for any other folder (`.lake`, a sibling, elsewhere).
 */
function lakeFolderProblem(
  lake: string,
  dir: string,
): { problem: string; hint: string } | undefined {
  const project = path.resolve(dir);
  const folder = path.resolve(project, lake);
  if (folder.includes("?"))
    return {
      problem: `is in a path with a '?' (${folder}): DuckDB reads what follows a '?' in a database path as options, and cannot keep the lake's catalog there`,
      hint: "move the project, or the lake, to a folder whose path has no '?'",
    };
  const where = holdsTheProject(folder, project);
  if (where === undefined) return undefined;
  return {
    problem: `is ${where}: the lake writes its catalog and a folder per schema there, and removes old table versions from them`,
    hint: "give the lake a folder of its own, e.g. lake: .lake",
  };
}

/**
 * A target whose `engine` is not one sluice has (`duckdbb`) is one union error to zod, which then
 * checks none of its other keys: check them against the closest engine's schema, so a wrong
 * type next to the typo is not found only on the next run.
 */
function closestEngineIssues(
  raw: unknown,
  base: readonly string[],
  source: ReturnType<typeof parseYaml>,
): Diagnostic[] {
  if (!isMapping(raw) || typeof raw.engine !== "string") return [];
  const schema = targetSchema.options.find(
    (o) => o.shape.engine.value === closest(String(raw.engine), engines),
  );
  if (!schema || schema.shape.engine.value === raw.engine) return [];
  const data = { ...raw, engine: schema.shape.engine.value };
  const r = schema.safeParse(data);
  return r.success
    ? []
    : issuesToDiagnostics(r.error.issues, { source, code: "CONFIG_INVALID", schema, data, base });
}

const engines = targetSchema.options.map((o) => o.shape.engine.value);

/**
 * `sql-dialect: duckdb` on each DuckDB target that does not set its own `sql_dialect` (absent
 * means trino, so targets of projects that keep the default are left as written).
 */
function applySqlDialect(config: ProjectConfig): void {
  if (config["sql-dialect"] === "trino") return;
  for (const target of Object.values(config.targets))
    if (target.engine === "duckdb") target.sql_dialect ??= config["sql-dialect"];
}

/** How `folder` holds the project folder `project`, if it does (itself, above it, the root). */
function holdsTheProject(folder: string, project: string): string | undefined {
  if (folder === path.parse(folder).root) return "the root of the file system";
  if (folder === project) return "the project folder itself";
  if (isWithin(project, folder)) return "a folder that holds the project";
  return undefined;
}
