import { error } from "../diagnostics.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { didYouMean } from "../suggest.js";
import { evaluateExpression } from "./jinja-expression.js";

/** `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') }}`, optionally `| int` / `| as_number`. */
const ENV_VAR =
  /^\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(?:(['"])(.*?)\3|(-?\d+(?:\.\d+)?)))?\s*\)\s*(?:\|\s*(int|as_number|as_bool|as_text|trim)\s*)?$/;

/** `{{ var('name') }}` or `{{ var('name', default) }}` (a quoted, numeric or boolean default). */
const VAR =
  /^\s*var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(?:(['"])(.*?)\3|(-?\d+(?:\.\d+)?)|(true|false|True|False)))?\s*\)\s*$/;

/** A `var()` without a value or default. */
const noVar = (name: string) =>
  `var('${name}'): no such variable in the project's vars or --vars, and no default`;

/** An `env_var()` without a value or default. */
const noEnvVar = (name: string) =>
  `env_var('${name}'): the environment variable is not set and has no default`;

/** Which file's values are rendered: the code of its errors and what the file can do instead. */
export interface TemplateFile {
  code: "PROFILE_INVALID" | "DBT_PROJECT_INVALID";
  /**
   * The project's variables (its `vars:` and `--vars`), when `var()` may be rendered in this
   * file (dbt_project.yml's config values); absent: `var()` is an error.
   */
  vars?: Readonly<Record<string, unknown>>;
  /**
   * Whether any other Jinja expression is evaluated too (dbt_project.yml's config values:
   * `{{ 'table' if target.name == 'prod' else 'view' }}`), with `var()`, `env_var()` and
   * {@link target} in scope; absent: only the forms above render.
   */
  expressions?: boolean;
  /** dbt's `target` for {@link expressions} (absent: the target is unknown, an expression reading it fails). */
  target?: Readonly<Record<string, unknown>>;
  /** The hint of a construct other than env_var(). */
  otherwise: string;
  /** Keys whose values are left as written (dbt_project.yml's hooks: rendered per model). */
  keep?: (key: string) => boolean;
  /**
   * A value that failed to render is dropped from its mapping or list (its error already stops
   * the command), so nothing else reports it again (an invalid or missing value); otherwise it
   * is undefined where it was.
   */
  dropFailed?: boolean;
}

const PROFILE_FILE: TemplateFile = {
  code: "PROFILE_INVALID",
  otherwise: "write the value itself, or read it with {{ env_var('NAME', 'default') }}",
};

/**
 * Render the Jinja expressions of a profiles.yml / packages.yml value as dbt does for the only
 * construct those files need: `env_var()` (with a default and a conversion filter). Anything
 * else inside `{{ }}` is an error at `at`, never left as literal text. `file`: dbt_project.yml's
 * config values are rendered with its own code and hint, `var()` of the project's variables, and
 * any other expression over `target`, `var()` and `env_var()` (see `evaluateExpression`); a
 * whole-value `{{ }}` keeps its value's type (`{{ var('x') }}`, `{{ target.name == 'prod' }}`).
 *
 * @example renderProfileValue("{{ env_var('DB', 'dev.duckdb') }}", {}, at) // { value: "dev.duckdb" }
 */
export function renderProfileValue(
  value: unknown,
  env: Record<string, string | undefined>,
  at: SourceLocation,
  diagnostics: Diagnostic[],
  file: TemplateFile = PROFILE_FILE,
): unknown {
  if (typeof value !== "string" || !value.includes("{{")) return value;
  const whole = /^\s*\{\{(.*)\}\}\s*$/s.exec(value);
  let failed = false;
  const evaluate = (expr: string): unknown => {
    const v = file.vars === undefined ? null : VAR.exec(expr);
    if (v) {
      const [, , name, , textDefault, numberDefault, boolDefault] = v;
      if (Object.hasOwn(file.vars!, name!)) return file.vars![name!];
      if (textDefault !== undefined) return textDefault;
      if (numberDefault !== undefined) return Number(numberDefault);
      if (boolDefault !== undefined) return /^true$/i.test(boolDefault);
      failed = true;
      diagnostics.push(
        error(
          file.code,
          noVar(name!),
          at,
          `define it under vars: in dbt_project.yml, pass --vars '{${name}: ...}', or give a default: var('${name}', '...')`,
        ),
      );
      return "";
    }
    const m = ENV_VAR.exec(expr);
    if (!m && file.expressions) {
      const result = evaluateExpression(expr, expressionScope(env, file));
      if ("value" in result) return result.value;
      failed = true;
      diagnostics.push(
        error(
          file.code,
          `cannot render '{{${expr}}}': ${whyNot(expr, result.error, file)}`,
          at,
          file.otherwise,
        ),
      );
      return "";
    }
    if (!m) {
      failed = true;
      diagnostics.push(
        error(
          file.code,
          `cannot render '{{${expr}}}': sluice renders only env_var()${file.vars === undefined ? "" : " and var()"} in this file`,
          at,
          file.otherwise,
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
          file.code,
          noEnvVar(name!),
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
  const text = value.replace(/\{\{(.*?)\}\}/g, (_, expr: string) => pyText(evaluate(expr)));
  return failed ? undefined : text;
}

/**
 * What an expression of {@link TemplateFile.expressions} can read: `target`, and `var()` /
 * `env_var()` as the plain forms render them (a missing one without a default is an error).
 */
function expressionScope(
  env: Record<string, string | undefined>,
  file: TemplateFile,
): Record<string, unknown> {
  const vars = file.vars ?? {};
  return {
    ...(file.target ? { target: file.target } : {}),
    var: (name: string, ...fallback: unknown[]) => {
      if (Object.hasOwn(vars, name)) return vars[name];
      if (fallback.length > 0) return fallback[0];
      throw new Error(noVar(name));
    },
    env_var: (name: string, ...fallback: unknown[]) => {
      const value = env[name] ?? fallback[0];
      if (value === undefined) throw new Error(noEnvVar(name));
      return value;
    },
  };
}

/** Why an expression failed: the attribute of `target` it misspelt, if any, else `error`. */
function whyNot(expr: string, reason: string, file: TemplateFile): string {
  if (!file.target) return reason;
  const keys = Object.keys(file.target);
  for (const [, key] of expr.matchAll(/\btarget\.(\w+)/g))
    if (!keys.includes(key!))
      return `target has no '${key}'; ${didYouMean(key!, keys) ?? `it has ${keys.join(", ")}`}`;
  return reason;
}

/** A value inside a longer string as Jinja prints it (True/False, lists as Python's). */
function pyText(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (Array.isArray(v))
    return `[${v.map((x) => (typeof x === "string" ? `'${x}'` : pyText(x))).join(", ")}]`;
  return String(v);
}

/** Every string in a YAML value rendered with {@link renderProfileValue}; `locate` places errors. */
export function renderProfileTree(
  value: unknown,
  env: Record<string, string | undefined>,
  locate: (path: (string | number)[]) => SourceLocation,
  diagnostics: Diagnostic[],
  path: (string | number)[] = [],
  file: TemplateFile = PROFILE_FILE,
): unknown {
  const kept = (v: unknown) => !(file.dropFailed && v === undefined);
  if (Array.isArray(value))
    return value
      .map((v, i) => renderProfileTree(v, env, locate, diagnostics, [...path, i], file))
      .filter(kept);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [
          k,
          file.keep?.(k) ? v : renderProfileTree(v, env, locate, diagnostics, [...path, k], file),
        ])
        .filter(([, v]) => kept(v)),
    );
  return renderProfileValue(value, env, locate(path), diagnostics, file);
}
