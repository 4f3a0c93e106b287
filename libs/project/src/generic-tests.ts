import { error, warning } from "./diagnostics.js";
import { FAILURE_CONDITION_HELP, failureCondition } from "./failure-condition.js";
import { didYouMean } from "./suggest.js";
import type { Diagnostic } from "./diagnostics.js";
import type { GenericTestSpec, TestConfig } from "./types.js";
import { describe } from "./zod-issues.js";
import { formatPath, isMapping } from "./yaml-path.js";
import type { YamlPath } from "./yaml-path.js";
import type { YamlSource } from "./yaml-source.js";

/** Arguments each built-in test needs, checked so a typo fails at load time, not in SQL. */
const required: Record<string, (args: Record<string, unknown>) => string | undefined> = {
  accepted_values: (a) =>
    Array.isArray(a.values) && a.values.length > 0
      ? undefined
      : "accepted_values needs 'values: [...]' (a non-empty list)",
  relationships: (a) =>
    typeof a.to === "string" && typeof a.field === "string"
      ? undefined
      : "relationships needs 'to: ref(\"model\")' and 'field: column' (both strings)",
};

/**
 * Parse a dbt `tests:` (or `data_tests:`) list: `- not_null`, `- accepted_values: {values: [...]}`,
 * dbt 1.10's `arguments:` nesting, and `config: {severity: warn}` on any of them.
 *
 * @example parseGenericTests(["unique", { accepted_values: { values: ["a"], config: { severity: "warn" } } }], src, ["models", 0, "tests"], diags)
 */
export function parseGenericTests(
  raw: readonly unknown[],
  source: YamlSource,
  path: YamlPath,
  diagnostics: Diagnostic[],
): GenericTestSpec[] {
  const specs: GenericTestSpec[] = [];
  raw.forEach((item, i) => {
    const at = source.locate([...path, i]);
    const fail = (p: YamlPath, message: string, hint?: string) =>
      diagnostics.push(
        error("TEST_INVALID", `${formatPath(p)}: ${message}`, source.locate(p), hint),
      );
    if (typeof item === "string" && item !== "") {
      specs.push({ name: item, args: {}, severity: "error", at });
      return;
    }
    const keys = isMapping(item) ? Object.keys(item) : [];
    if (!isMapping(item) || keys.length !== 1) {
      const hint =
        keys.length > 1
          ? "the arguments must be indented under the test name (one key per test)"
          : undefined;
      fail(
        [...path, i],
        `expected a test name or '{test_name: arguments}', got ${describe(item)}`,
        hint,
      );
      return;
    }
    const name = keys[0]!;
    const body = item[name] ?? {};
    if (!isMapping(body)) {
      fail([...path, i, name], `expected the test's arguments as a mapping, got ${describe(body)}`);
      return;
    }
    const { config: rawConfig, arguments: nested, severity: topSeverity, ...rest } = body;
    // dbt also reads test configs written next to the arguments (its older spelling).
    const topConfig = Object.fromEntries(
      Object.entries(rest).filter(([k]) => testConfigKeys.includes(k)),
    );
    const args: Record<string, unknown> = Object.fromEntries(
      Object.entries({ ...rest, ...(isMapping(nested) ? nested : {}) }).filter(
        ([k]) => !(k in topConfig),
      ),
    );
    let severity: GenericTestSpec["severity"] = "error";
    const configMap = { ...topConfig, ...(isMapping(rawConfig) ? rawConfig : {}) };
    const rawSeverity = configMap.severity ?? topSeverity;
    const severityPath =
      configMap.severity !== undefined
        ? [...path, i, name, "config", "severity"]
        : [...path, i, name, "severity"];
    delete configMap.severity;
    const config: TestConfig = {};
    let configOk = true;
    for (const [key, value] of Object.entries(configMap)) {
      const inConfig = isMapping(rawConfig) && key in rawConfig;
      const p = inConfig ? [...path, i, name, "config", key] : [...path, i, name, key];
      const problem = setTestConfig(config, key, value);
      if (problem === "unknown")
        diagnostics.push(
          warning(
            "TEST_INVALID",
            `${formatPath(p)}: test config '${key}' is not supported: it is ignored`,
            source.locate(p, "key"),
            didYouMean(key, testConfigKeys) ?? `test configs are ${testConfigKeys.join(", ")}`,
          ),
        );
      else if (problem) {
        fail(p, problem.message, problem.hint);
        configOk = false;
      }
    }
    if (!configOk) return;
    if (rawSeverity !== undefined) {
      const s = String(rawSeverity).toLowerCase();
      if (s === "warn" || s === "error") severity = config.severity = s;
      else {
        fail(
          severityPath,
          `severity must be 'warn' or 'error', got ${describe(rawSeverity)}`,
          "allowed values: warn, error",
        );
        return;
      }
    }
    const problem = required[name]?.(args);
    if (problem) {
      fail([...path, i, name], problem);
      return;
    }
    specs.push({ name, args, severity, ...(Object.keys(config).length ? { config } : {}), at });
  });
  return specs;
}

/** Test configs dbt reads under `config:` or next to the arguments (and in dbt_project.yml). */
export const testConfigKeys = [
  "severity",
  "enabled",
  "tags",
  "meta",
  "store_failures",
  "where",
  "limit",
  "warn_if",
  "error_if",
];

/**
 * Set one test config key (`enabled`, `tags`, `meta`, `store_failures`, `where`, `limit`,
 * `warn_if`, `error_if`) of a generic or singular test, or of dbt_project.yml's `tests:`; what
 * is wrong with its value, or "unknown" for another key (`severity` is the caller's).
 *
 * @example setTestConfig(config, "limit", "ten") // { message: "limit must be a whole number of rows, got ..." }
 */
export function setTestConfig(
  config: TestConfig,
  key: string,
  value: unknown,
): { message: string; hint?: string } | "unknown" | undefined {
  switch (key) {
    case "enabled":
    case "store_failures":
      if (typeof value === "boolean") config[key] = value;
      else return { message: `${key} must be true or false, got ${describe(value)}` };
      return undefined;
    case "tags": {
      const tags = typeof value === "string" ? [value] : value;
      if (Array.isArray(tags) && tags.every((t) => typeof t === "string" && t !== ""))
        config.tags = tags;
      else return { message: `tags must be a tag or a list of tags, got ${describe(value)}` };
      return undefined;
    }
    case "meta":
      if (isMapping(value)) config.meta = value;
      else return { message: `meta must be a mapping, got ${describe(value)}` };
      return undefined;
    case "where":
      if (typeof value === "string" && value.trim() !== "") config.where = value;
      else return { message: `where must be a SQL condition, got ${describe(value)}` };
      return undefined;
    case "limit":
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0)
        config.limit = value;
      else return { message: `limit must be a whole number of rows, got ${describe(value)}` };
      return undefined;
    case "warn_if":
    case "error_if":
      if (typeof value === "string" && failureCondition(value)) config[key] = value;
      else
        return {
          message: `${key} must be a condition on the failure count, got ${describe(value)}`,
          hint: FAILURE_CONDITION_HELP,
        };
      return undefined;
    default:
      return "unknown";
  }
}
