import { error, warning } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { setTestConfig, testConfigKeys } from "../generic-tests.js";
import { closestHint } from "../suggest.js";
import type { GenericTestSpec, TestConfig, TestFolderConfig } from "../types.js";
import { describe } from "../zod-issues.js";
import type { YamlSource } from "../yaml-source.js";
import type { YamlPath } from "../yaml-path.js";
import { isMapping } from "../yaml-path.js";

/** Test config keys dbt_project.yml's `tests:` applies (also read without `+`). */
const APPLIED = testConfigKeys;
/** Keys with no visible effect in sluice: accepted. */
const INERT = ["docs", "description", "group"];
/** Keys with a visible effect sluice does not apply, and what to do instead. */
const NOT_APPLIED: Record<string, string> = {
  store_failures_as: "use +store_failures: true (failing rows are kept in a table)",
  fail_calc: "sluice counts failing rows (count(*))",
  schema: "a test's failures table is named after its model's schema",
  alias: "a test's failures table is named after the test",
  database: "sluice builds every table in the target's catalog",
};
const KNOWN = new Set([...APPLIED, ...INERT, ...Object.keys(NOT_APPLIED)]);

/**
 * dbt_project.yml's `tests:` (or `data_tests:`) block as a tree: a key is config when it starts
 * with `+` or names a test config, otherwise the project's or a package's name (first level) or
 * a folder. Bad values are DBT_PROJECT_INVALID errors at the key; keys sluice does not apply
 * (`+store_failures_as`, `+fail_calc`) and unknown `+keys` are DBT_KEY_IGNORED warnings.
 *
 * @example parseDbtTestConfig({ "+severity": "warn", shop: { staging: { "+enabled": false } } }, src, ["data_tests"], d)
 *   // { config: { severity: "warn" }, children: { shop: { config: {}, children: { staging: ... } } } }
 */
export function parseDbtTestConfig(
  raw: unknown,
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): TestFolderConfig {
  const folder: TestFolderConfig = { config: {}, children: {} };
  if (raw === undefined || raw === null) return folder;
  if (!isMapping(raw)) {
    diagnostics.push(
      error(
        "DBT_PROJECT_INVALID",
        `${path.join(".")}: expected a mapping of '+config' keys and folders, got ${describe(raw)}`,
        source.locate(path),
      ),
    );
    return folder;
  }
  for (const [key, value] of Object.entries(raw)) {
    const bare = key.replace(/^\+/, "");
    const at = (prefer?: "key") => source.locate([...path, key], prefer);
    if (!key.startsWith("+") && !KNOWN.has(key)) {
      folder.children[key] = parseDbtTestConfig(value, source, [...path, key], diagnostics);
      continue;
    }
    if (INERT.includes(bare)) continue;
    if (bare in NOT_APPLIED) {
      const message = `'${key}' is not applied by sluice: ${NOT_APPLIED[bare]}`;
      diagnostics.push(warning("DBT_KEY_IGNORED", message, at("key")));
      continue;
    }
    if (!APPLIED.includes(bare)) {
      diagnostics.push(
        warning(
          "DBT_KEY_IGNORED",
          `'${key}' is not a test config: it is ignored`,
          at("key"),
          closestHint(
            `+${bare}`,
            APPLIED.map((k) => `+${k}`),
          ) ?? `test configs are ${APPLIED.join(", ")}`,
        ),
      );
      continue;
    }
    if (bare === "severity") {
      const s = String(value).toLowerCase();
      if (s === "warn" || s === "error") folder.config.severity = s;
      else
        diagnostics.push(
          error(
            "DBT_PROJECT_INVALID",
            `'${key}' must be 'warn' or 'error', got ${describe(value)}`,
            at(),
            `${key}: warn`,
          ),
        );
      continue;
    }
    const problem = setTestConfig(folder.config, bare, value);
    if (problem && problem !== "unknown")
      diagnostics.push(
        error("DBT_PROJECT_INVALID", `'${key}': ${problem.message}`, at(), problem.hint),
      );
  }
  return folder;
}

/**
 * The project's test config for a test at `fqn` (the project's or package's name, then the
 * folders of the yml or test file from its path root), as dbt merges it: deeper levels replace
 * a value, tags add up and meta merges.
 *
 * @example resolveTestConfig(tree, ["shop", "staging"]) // { severity: "warn", enabled: false }
 */
export function resolveTestConfig(
  tree: TestFolderConfig | undefined,
  fqn: readonly string[],
): TestConfig {
  const levels: TestConfig[] = [];
  let node = tree;
  for (const part of fqn) {
    if (!node) break;
    levels.push(node.config);
    node = node.children[part];
  }
  if (node) levels.push(node.config);
  return levels.reduce<TestConfig>(mergeTestConfig, {});
}

/**
 * `over` applied on `base` as dbt does: a value set in `over` replaces the base's, tags add up
 * (without repeats) and meta merges key by key.
 */
export function mergeTestConfig(base: TestConfig, over: TestConfig): TestConfig {
  const merged: TestConfig = { ...base, ...over };
  if (base.tags || over.tags)
    merged.tags = [...new Set([...(base.tags ?? []), ...(over.tags ?? [])])];
  if (base.meta || over.meta) merged.meta = { ...base.meta, ...over.meta };
  return merged;
}

/**
 * A generic test with the project's config under its own (its `config:` wins), or undefined
 * when the result disables it. A new object: the spec may be shared by a properties cache.
 *
 * @example applyTestConfig({ name: "unique", severity: "error", ... }, { severity: "warn" }) // severity "warn"
 */
export function applyTestConfig(
  spec: GenericTestSpec,
  project: TestConfig,
): GenericTestSpec | undefined {
  const own = spec.config ?? {};
  const config = mergeTestConfig(project, own);
  if (config.enabled === false) return undefined;
  const inherited = Object.keys(project).filter((k) => !(k in own));
  return {
    ...spec,
    severity: config.severity ?? "error",
    ...(Object.keys(config).length ? { config } : {}),
    ...(inherited.length ? { inherited } : {}),
  };
}

/**
 * Where a file sits for test config: its folders from the first root holding it
 * (`models/staging/schema.yml` under `models` is `["staging"]`); none when no root holds it.
 */
export function foldersUnder(file: string, roots: readonly string[]): string[] {
  const root = roots.map((r) => r.replace(/\/+$/, "")).find((r) => file.startsWith(`${r}/`));
  return (root === undefined ? file : file.slice(root.length + 1)).split("/").slice(0, -1);
}

/**
 * Model, source or snapshot properties with the project's test config applied to their generic
 * tests (column- and table-level), each by the folder of the yml that declares it. New objects;
 * tests the config disables are left out.
 *
 * @example withProjectTestConfig(project.modelProperties, config.tests, "shop", ["models"])
 */
export function withProjectTestConfig<
  T extends { tests: GenericTestSpec[]; columns: { tests: GenericTestSpec[] }[] },
>(
  entries: readonly T[],
  tree: TestFolderConfig,
  projectName: string,
  roots: readonly string[],
): T[] {
  const byFile = new Map<string, TestConfig>();
  const apply = (specs: readonly GenericTestSpec[]) =>
    specs.flatMap((spec) => {
      const file = spec.at.file;
      let project = byFile.get(file);
      if (!project) {
        project = resolveTestConfig(tree, [projectName, ...foldersUnder(file, roots)]);
        byFile.set(file, project);
      }
      return applyTestConfig(spec, project) ?? [];
    });
  return entries.map((e) => ({
    ...e,
    tests: apply(e.tests),
    columns: e.columns.map((c) => ({ ...c, tests: apply(c.tests) })),
  }));
}
