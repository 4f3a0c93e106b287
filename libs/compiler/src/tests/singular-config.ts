import { error, positionAt, warning } from "@sluice/project/diagnostics";
import { closestHint } from "@sluice/project/suggest";
import { setTestConfig } from "@sluice/project/compile-time";
import type { Diagnostic, SingularTestFile, SourceLocation, TestConfig } from "@sluice/project";
import { locateCall } from "../render/locate.js";
import type { CompiledNode, NewDataScope } from "../types.js";

/** What a singular test's `{{ config(...) }}` sets, as its node takes it. */
export interface SingularConfig {
  /** `enabled=false`: the test is not built. */
  enabled: boolean;
  severity: "error" | "warn";
  thresholds?: CompiledNode["thresholds"];
  /** At most this many failing rows are counted (dbt's `limit`). */
  limit?: number;
  tags: string[];
  newData?: NewDataScope;
  /** dbt's `store_failures` when set (project or file): decides over `--store-failures`. */
  storeFailures?: boolean;
}

/** Keys read, keys with no visible effect (accepted), keys warned about as not applied. */
const APPLIED = [
  "enabled",
  "severity",
  "warn_if",
  "error_if",
  "limit",
  "tags",
  "store_failures",
  "new_data",
];
const INERT = ["meta", "description", "docs", "group"];
const NOT_APPLIED: Record<string, string> = {
  where: "dbt ignores where for singular (one-off) tests too: filter in the test's SQL",
  store_failures_as: "sluice stores failing rows with --store-failures, for every test of the run",
  fail_calc: "sluice counts failing rows (count(*)); write the count into the test's SQL",
  alias: "a test's failures table is named after the test",
  schema: "a test's failures table is named after the test",
  database: "a test's failures table is named after the test",
};

/** Where `key=` sits in the file (inside its config call), else the config call. */
function locateKey(file: SingularTestFile, key: string): SourceLocation {
  const m = new RegExp(`\\b${key}\\s*=`).exec(file.text);
  return m
    ? { file: file.path, ...positionAt(file.text, m.index) }
    : locateCall(file.path, file.text, "config");
}

/**
 * A singular test's `config(...)` as dbt applies it to one, over the project's test config
 * (`project`, from dbt_project.yml's `tests:`; tags add up): `enabled`, `severity`,
 * `warn_if`/`error_if`, `limit`, `tags`, `store_failures`, and sluice's `new_data='partitions'`
 * (see {@link NewDataScope}). `where` (ignored by dbt for singular tests, also the project's),
 * `store_failures_as`, `fail_calc` and the failures table's names are warnings at the key; an
 * unknown key a warning with the closest key; a bad value an error (`TEST_INVALID`) at the key.
 *
 * @example singularConfig(file, [{ severity: "warn", limit: 10 }]) // { config: { severity: "warn", limit: 10, ... }, diagnostics: [] }
 */
export function singularConfig(
  file: SingularTestFile,
  configs: readonly Record<string, unknown>[],
  project: TestConfig = {},
): { config: SingularConfig; diagnostics: Diagnostic[] } {
  const values: Record<string, unknown> = Object.assign({}, ...configs);
  const config: SingularConfig = {
    enabled: project.enabled ?? true,
    severity: project.severity ?? "error",
    tags: project.tags ?? [],
    ...(project.store_failures === undefined ? {} : { storeFailures: project.store_failures }),
  };
  const diagnostics: Diagnostic[] = [];
  const invalid = (key: string, message: string, hint: string) =>
    diagnostics.push(error("TEST_INVALID", `${key}: ${message}`, locateKey(file, key), hint));
  const { limit, warn_if, error_if } = project;
  const tested: TestConfig = { limit, warn_if, error_if };
  for (const [key, value] of Object.entries(values)) {
    if (INERT.includes(key)) continue;
    if (key in NOT_APPLIED) {
      diagnostics.push(
        warning(
          "TEST_INVALID",
          `config '${key}' of a singular test is not applied`,
          locateKey(file, key),
          NOT_APPLIED[key],
        ),
      );
      continue;
    }
    switch (key) {
      case "enabled":
        if (typeof value === "boolean") config.enabled = value;
        else invalid(key, `expected true or false, got ${JSON.stringify(value)}`, "enabled=false");
        break;
      case "severity": {
        const s = String(value).toLowerCase();
        if (s === "warn" || s === "error") config.severity = s;
        else
          invalid(
            key,
            `expected 'warn' or 'error', got ${JSON.stringify(value)}`,
            "severity='warn'",
          );
        break;
      }
      case "tags": {
        const tags = typeof value === "string" ? [value] : value;
        if (Array.isArray(tags) && tags.every((t) => typeof t === "string"))
          config.tags = [...new Set([...config.tags, ...tags])];
        else
          invalid(
            key,
            `expected a tag or a list of tags, got ${JSON.stringify(value)}`,
            "tags=['nightly']",
          );
        break;
      }
      case "store_failures":
        if (typeof value === "boolean") config.storeFailures = value;
        else
          invalid(
            key,
            `expected true or false, got ${JSON.stringify(value)}`,
            "store_failures=true",
          );
        break;
      case "new_data":
        if (value === "partitions") config.newData = { kind: "partitions" };
        else
          invalid(
            key,
            `expected 'partitions', got ${JSON.stringify(value)}`,
            "config(new_data='partitions') when every failing row lies in partitions the run wrote; else leave it out (the test reads whole tables)",
          );
        break;
      default: {
        const problem = setTestConfig(tested, key, value);
        if (problem === "unknown")
          diagnostics.push(
            warning(
              "TEST_INVALID",
              `config '${key}' is not a test config: it is ignored`,
              locateKey(file, key),
              closestHint(key, [...APPLIED, ...INERT, ...Object.keys(NOT_APPLIED)]) ??
                `a singular test reads ${APPLIED.join(", ")}`,
            ),
          );
        else if (problem)
          diagnostics.push(
            error("TEST_INVALID", problem.message, locateKey(file, key), problem.hint),
          );
      }
    }
  }
  if (tested.limit !== undefined) config.limit = tested.limit;
  const thresholds = {
    ...(tested.warn_if !== undefined ? { warn_if: tested.warn_if } : {}),
    ...(tested.error_if !== undefined ? { error_if: tested.error_if } : {}),
  };
  if (Object.keys(thresholds).length > 0) config.thresholds = thresholds;
  return { config, diagnostics };
}
