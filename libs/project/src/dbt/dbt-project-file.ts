import { error, warning } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { defaultProjectConfig } from "../project-config.js";
import { closest } from "../suggest.js";
import type { ProjectConfig } from "../types.js";
import { isMapping, parseYaml } from "../yaml-source.js";
import { parseDbtFolderConfig } from "./dbt-folder-config.js";
import { renderProfileTree, type TemplateFile } from "./profile-template.js";

/** How dbt_project.yml's config values are rendered (see `renderProfileValue`). */
const CONFIG_VALUES: TemplateFile = {
  code: "DBT_PROJECT_INVALID",
  expressions: true,
  otherwise:
    "fix the expression: dbt_project.yml's values can read target, var() and env_var(), or set it in the models' config()",
  keep: (key) => /^\+?(pre|post)[-_]hook$/.test(key),
  dropFailed: true,
};
import { parseDbtTestConfig } from "./dbt-test-config.js";

/** dbt's project file, read when the project folder holds no sluice.yml. */
export const DBT_PROJECT_FILE = "dbt_project.yml";

const PATH_KEYS = [
  "model-paths",
  "seed-paths",
  "macro-paths",
  "test-paths",
  "snapshot-paths",
  "analysis-paths",
] as const;

/** Keys that change nothing sluice writes: accepted as they are. */
const INERT_KEYS = new Set([
  "name",
  "version",
  "config-version",
  "profile",
  "require-dbt-version",
  "target-path",
  "clean-targets",
  "log-path",
  "packages-install-path",
  "docs-paths",
  "asset-paths",
  "query-comment",
  "flags",
  "restrict-access",
  "vars",
  "models",
  "seeds",
  "snapshots",
  "tests",
  "data_tests",
  ...PATH_KEYS,
]);

/** Keys with a visible effect that sluice does not apply (DBT_KEY_IGNORED warnings). */
const IGNORED_KEYS: Record<string, string> = {
  "on-run-start": "sluice does not run on-run-start hooks; move the SQL into a model's pre_hook",
  "on-run-end": "sluice does not run on-run-end hooks; move the SQL into a model's post_hook",
  quoting: "sluice quotes identifiers as its dialect requires",
  dispatch: "adapter.dispatch searches the project, then the macro's own package",
  sources: "project-level source config is not applied",
  unit_tests: "unit tests are not supported",
  "semantic-models": "semantic models are not supported",
  metrics: "metrics are not supported",
  "saved-queries": "saved queries are not supported",
  exposures: "project-level exposure config is not applied",
};

export interface ParsedDbtProject {
  config: ProjectConfig;
  diagnostics: Diagnostic[];
  usable: boolean;
}

/**
 * Read dbt_project.yml as dbt does into sluice's project config (targets come from
 * profiles.yml): name, paths, vars (also those scoped under the project name), `models:`,
 * `seeds:` and `snapshots:` under the project name with keys with or without `+`, and
 * `tests:`/`data_tests:` (see {@link parseDbtTestConfig}). Config values are rendered as dbt
 * renders them at parse: `target` (the command's output of the profile), `var()`, `env_var()`. Keys that change nothing
 * sluice writes are accepted; those with a visible effect sluice does not apply are warnings at
 * their position; a key dbt does not know is an error with the closest one.
 *
 * @example parseDbtProject("name: shop\nprofile: shop\n").config.name // "shop"
 */
export function parseDbtProject(
  text: string,
  file = DBT_PROJECT_FILE,
  env: Record<string, string | undefined> = {},
  /** `--vars`: over dbt_project.yml's vars where its config values read `var()`. */
  cliVars: Readonly<Record<string, unknown>> = {},
  /** dbt's `target` of the command, which config values may read (absent: unknown). */
  target?: Readonly<Record<string, unknown>>,
): ParsedDbtProject {
  const config = defaultProjectConfig();
  config["sql-dialect"] = "duckdb";
  config["snapshot-paths"] = ["snapshots"];
  config["analysis-paths"] = ["analyses"];
  const source = parseYaml(text, file, "DBT_PROJECT_INVALID");
  const diagnostics: Diagnostic[] = [...source.syntaxErrors];
  const data = source.data;
  if (diagnostics.length || !isMapping(data)) {
    if (!diagnostics.length)
      diagnostics.push(
        error("DBT_PROJECT_INVALID", `${file} must be a mapping of settings`, source.locate([])),
      );
    return { config, diagnostics, usable: false };
  }
  const invalid = (key: string, message: string, hint?: string) =>
    diagnostics.push(error("DBT_PROJECT_INVALID", message, source.locate([key]), hint));

  if (typeof data.name === "string" && /^\w+$/.test(data.name)) config.name = data.name;
  else
    invalid(
      "name",
      `${file}: 'name' must be a project name of letters, digits and underscores`,
      "name: my_project",
    );
  for (const key of PATH_KEYS) {
    const v = data[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.every((p) => typeof p === "string" && p !== "")) config[key] = v;
    else
      invalid(
        key,
        `${file}: '${key}' must be a list of folders`,
        `${key}: ["${key.split("-")[0]}s"]`,
      );
  }
  // dbt's snapshots/analyses are not models: keep model scanning out of them.
  config["rule-paths"] = [];
  if (data.vars !== undefined && data.vars !== null) {
    if (!isMapping(data.vars)) invalid("vars", `${file}: 'vars' must be a mapping`);
    else {
      const { [config.name]: scoped, ...global } = data.vars;
      config.vars = { ...global, ...(isMapping(scoped) ? scoped : {}) };
    }
  }
  // Config values as dbt renders them at parse (target, var(), env_var()); hooks wait for their model.
  const values: TemplateFile = {
    ...CONFIG_VALUES,
    vars: { ...config.vars, ...cliVars },
    ...(target ? { target } : {}),
  };
  const rendered = (key: string): unknown =>
    renderProfileTree(data[key], env, (p) => source.locate(p), diagnostics, [key], values);
  config.models = parseDbtFolderConfig(rendered("models"), source, ["models"], diagnostics);
  config.seeds = parseDbtFolderConfig(rendered("seeds"), source, ["seeds"], diagnostics);
  config.snapshots = parseDbtFolderConfig(
    rendered("snapshots"),
    source,
    ["snapshots"],
    diagnostics,
  );
  const testsKey = data.data_tests !== undefined ? "data_tests" : "tests";
  if (data.data_tests !== undefined && data.tests !== undefined)
    invalid(
      "tests",
      `${file}: both 'tests' and 'data_tests' are set`,
      "keep one: data_tests is dbt's current name",
    );
  else if (data[testsKey] !== undefined && data[testsKey] !== null)
    config.tests = parseDbtTestConfig(data[testsKey], source, [testsKey], diagnostics);

  for (const key of Object.keys(data)) {
    if (INERT_KEYS.has(key)) continue;
    const at = source.locate([key], "key");
    if (key in IGNORED_KEYS)
      diagnostics.push(
        warning("DBT_KEY_IGNORED", `'${key}' is not applied by sluice: ${IGNORED_KEYS[key]}`, at),
      );
    else {
      const near = closest(key, [...INERT_KEYS, ...Object.keys(IGNORED_KEYS)]);
      diagnostics.push(
        error(
          "DBT_PROJECT_INVALID",
          `${file}: unknown key '${key}'`,
          at,
          near ? `did you mean '${near}'?` : "see dbt's dbt_project.yml reference",
        ),
      );
    }
  }
  return { config, diagnostics, usable: true };
}

/**
 * `profile:` of dbt_project.yml's text ("" when absent or unreadable: {@link parseDbtProject}
 * says why). Read before the file's config values, which may read the profile's target.
 *
 * @example dbtProjectProfile("name: shop\nprofile: shop\n") // "shop"
 */
export function dbtProjectProfile(text: string): string {
  const data = parseYaml(text, DBT_PROJECT_FILE, "DBT_PROJECT_INVALID").data;
  return isMapping(data) && typeof data.profile === "string" ? data.profile : "";
}
