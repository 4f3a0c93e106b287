import { error, warning } from "@sluice/project/diagnostics";
import { setTestConfig } from "@sluice/project/compile-time";
import type { Diagnostic, GenericTestSpec } from "@sluice/project";

/** What a `{% test %}` block's `config()` changes of one test. */
export interface BlockConfigResult {
  /** The spec with the block's config under its own (`enabled=false`: undefined). */
  spec: GenericTestSpec | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Apply a `{% test %}` block's `config(...)` as dbt does: over dbt_project.yml's `tests:` and
 * under the test's own `config:` (`spec.inherited` tells which of the spec's config keys came
 * from the project). `severity`, `enabled`, `tags` (added), `limit`, `warn_if`/`error_if`,
 * `store_failures` apply; `where` (read before the block renders), `fail_calc` and other keys
 * are warnings at the test; a bad value is an error there.
 *
 * @example withBlockConfig(spec, { severity: "warn" }) // { spec: { ...spec, severity: "warn" }, diagnostics: [] }
 */
export function withBlockConfig(
  spec: GenericTestSpec,
  block: Record<string, unknown>,
): BlockConfigResult {
  const diagnostics: Diagnostic[] = [];
  const config = { ...spec.config };
  const own = (key: string) =>
    (config as Record<string, unknown>)[key] !== undefined && !spec.inherited?.includes(key);
  let severity = spec.severity;
  const where = `config(${Object.keys(block).join(", ")}) of the {% test ${spec.name} %} block`;
  for (const [key, value] of Object.entries(block)) {
    if (key === "tags") {
      const before = config.tags ?? [];
      const problem = setTestConfig(config, key, value);
      if (problem && problem !== "unknown")
        diagnostics.push(error("TEST_INVALID", `${where}: ${problem.message}`, spec.at));
      else config.tags = [...new Set([...before, ...(config.tags ?? [])])];
      continue;
    }
    if (own(key) || key === "meta") continue;
    if (key === "severity") {
      const s = String(value).toLowerCase();
      if (s === "warn" || s === "error") severity = config.severity = s;
      else
        diagnostics.push(
          error("TEST_INVALID", `${where}: severity must be 'warn' or 'error'`, spec.at),
        );
      continue;
    }
    if (
      key === "where" ||
      !["enabled", "limit", "warn_if", "error_if", "store_failures"].includes(key)
    ) {
      diagnostics.push(
        warning(
          "TEST_INVALID",
          `${where}: '${key}' is not applied`,
          spec.at,
          key === "where"
            ? "set where: in the test's config: or dbt_project.yml's tests:"
            : "sluice applies severity, enabled, tags, limit, warn_if, error_if, store_failures",
        ),
      );
      continue;
    }
    const problem = setTestConfig(config, key, value);
    if (problem && problem !== "unknown")
      diagnostics.push(
        error("TEST_INVALID", `${where}: ${problem.message}`, spec.at, problem.hint),
      );
  }
  if (config.enabled === false) return { spec: undefined, diagnostics };
  return { spec: { ...spec, severity, config }, diagnostics };
}
