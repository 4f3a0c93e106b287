import { error } from "../diagnostics.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";

/** `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') }}`, optionally `| int` / `| as_number`. */
const ENV_VAR =
  /^\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(?:(['"])(.*?)\3|(-?\d+(?:\.\d+)?)))?\s*\)\s*(?:\|\s*(int|as_number|as_bool|as_text|trim)\s*)?$/;

/**
 * Render the Jinja expressions of a profiles.yml / packages.yml value as dbt does for the only
 * construct those files need: `env_var()` (with a default and a conversion filter). Anything
 * else inside `{{ }}` is an error at `at`, never left as literal text.
 *
 * @example renderProfileValue("{{ env_var('DB', 'dev.duckdb') }}", {}, at) // { value: "dev.duckdb" }
 */
export function renderProfileValue(
  value: unknown,
  env: Record<string, string | undefined>,
  at: SourceLocation,
  diagnostics: Diagnostic[],
): unknown {
  if (typeof value !== "string" || !value.includes("{{")) return value;
  const whole = /^\s*\{\{(.*)\}\}\s*$/s.exec(value);
  let failed = false;
  const evaluate = (expr: string): string | number | boolean => {
    const m = ENV_VAR.exec(expr);
    if (!m) {
      failed = true;
      diagnostics.push(
        error(
          "PROFILE_INVALID",
          `cannot render '{{${expr}}}': sluice renders only env_var() in this file`,
          at,
          "write the value itself, or read it with {{ env_var('NAME', 'default') }}",
        ),
      );
      return "";
    }
    const [, , name, , textDefault, numberDefault, filter] = m;
    const raw = env[name!] ?? textDefault ?? numberDefault;
    if (raw === undefined) {
      failed = true;
      diagnostics.push(
        error(
          "PROFILE_INVALID",
          `env_var('${name}'): the environment variable is not set and has no default`,
          at,
          `export ${name}, or give a default: env_var('${name}', '...')`,
        ),
      );
      return "";
    }
    if (filter === "int" || filter === "as_number") return Number(raw);
    if (filter === "as_bool") return /^true$/i.test(raw.trim());
    return filter === "trim" ? raw.trim() : raw;
  };
  if (whole && !whole[1]!.includes("{{")) {
    const v = evaluate(whole[1]!);
    return failed ? undefined : v;
  }
  const text = value.replace(/\{\{(.*?)\}\}/g, (_, expr: string) => String(evaluate(expr)));
  return failed ? undefined : text;
}

/** Every string in a YAML value rendered with {@link renderProfileValue}; `locate` places errors. */
export function renderProfileTree(
  value: unknown,
  env: Record<string, string | undefined>,
  locate: (path: (string | number)[]) => SourceLocation,
  diagnostics: Diagnostic[],
  path: (string | number)[] = [],
): unknown {
  if (Array.isArray(value))
    return value.map((v, i) => renderProfileTree(v, env, locate, diagnostics, [...path, i]));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        renderProfileTree(v, env, locate, diagnostics, [...path, k]),
      ]),
    );
  return renderProfileValue(value, env, locate(path), diagnostics);
}
