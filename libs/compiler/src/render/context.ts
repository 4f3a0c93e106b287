import { error } from "@sluice/project/diagnostics";
import { isLakeDialect, type Dialect } from "@sluice/dialects";
import { isKwargs } from "./kwargs.js";
import { locateCall } from "./locate.js";
import type { RenderScope } from "./render-scope.js";

/** Values the template functions read that do not change between renders of one compile. */
export interface ContextInputs {
  dialect: Dialect;
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** The target's name in sluice.yml: sluice projects' `target.name` (beside `target.type`). */
  targetName?: string;
  /** Where `log(msg, info=true)` and `print()` write (the CLI: stderr); default nowhere. */
  log?: (line: string) => void;
}

/**
 * `target` in a sluice project: `{ name, type }`, the type being the dialect (`duckdb` on the
 * local lake, `athena`), so a macro can give the lake a cheaper form of the same SQL. dbt
 * projects get dbt's fuller object (`targetObject` in dbt-context.ts) instead.
 */
export function sluiceTarget(inputs: ContextInputs): { name: string; type: string } {
  return { name: inputs.targetName ?? "", type: inputs.dialect.name };
}

/** Each name-taking function's arguments as quoted text, for the hint of an undefined name. */
const CALL_FORMS = {
  ref: "'<model>'",
  ref_window: "'<model>', '<column>'",
  source: "'<source>', '<table>'",
  source_window: "'<source>', '<table>'",
} as const;

/**
 * The functions every template can call. They read the current scope through `current()`, so
 * one nunjucks environment (and its compiled templates and macros) serves every render.
 */
export function contextFunctions(
  inputs: ContextInputs,
  current: () => RenderScope,
): Record<string, unknown> {
  // Each read's entry made once per name: a large project calls var() tens of thousands of
  // times with a few names, and the same string is hashed once.
  const readKeys = { var: new Map<string, string>(), env_var: new Map<string, string>() };
  const readKey = (fn: "var" | "env_var", key: string): string => {
    const made = readKeys[fn].get(key);
    if (made !== undefined) return made;
    const entry = `${fn === "var" ? "var" : "env"}:${key}`;
    readKeys[fn].set(key, entry);
    return entry;
  };
  const lookup = (fn: "var" | "env_var", args: unknown[]): unknown => {
    const [name, fallback] = args;
    const key = String(name);
    const { reads, overrides } = current();
    reads.add(readKey(fn, key));
    const given = overrides && (fn === "var" ? overrides.vars : overrides.env);
    const value =
      given && key in given ? given[key] : fn === "var" ? inputs.vars[key] : inputs.env[key];
    if (value !== undefined) return value;
    if (args.length >= 2 && !isKwargs(fallback)) return fallback;
    const scope = current();
    const code = fn === "var" ? "UNKNOWN_VAR" : "UNKNOWN_ENV_VAR";
    const what = fn === "var" ? "variable" : "environment variable";
    scope.diagnostics.push(
      error(
        code,
        `${fn}('${key}'): no ${what} '${key}' and no default`,
        locateCall(scope.file, scope.text, fn, [key]),
        fn === "var"
          ? "set it under vars: in sluice.yml, pass --vars, or give a default"
          : `export ${key}, or give a default`,
      ),
    );
    return "";
  };
  // ref(orders), quotes forgotten: the name is undefined; said so at the call, not as a
  // model named 'undefined'. True when reported.
  const undefinedName = (fn: keyof typeof CALL_FORMS, names: unknown[]): boolean => {
    if (!names.some((n) => n === undefined || n === null)) return false;
    const scope = current();
    scope.diagnostics.push(
      error(
        fn.startsWith("ref") ? "UNKNOWN_REF" : "UNKNOWN_SOURCE",
        `${fn}() is given an undefined name: its argument names nothing defined`,
        locateCall(scope.file, scope.text, fn),
        `quote the name: ${fn}(${CALL_FORMS[fn]})`,
      ),
    );
    return true;
  };
  return {
    ref: (name: unknown) => {
      const scope = current();
      if (undefinedName("ref", [name])) return "";
      scope.refs.push(String(name));
      return scope.resolveRef(String(name));
    },
    source: (sourceName: unknown, table: unknown) => {
      const scope = current();
      if (undefinedName("source", [sourceName, table])) return "";
      scope.sources.push([String(sourceName), String(table)]);
      return scope.resolveSource(String(sourceName), String(table));
    },
    // The source as far as the incremental window reaches: on a lake dialect, a marker the
    // runner binds to the raw lines it read from the window's hour folders (every hour in a full
    // build), counted from the files' bytes for the reconciliation; otherwise the source itself.
    // The model promises it reads no row before sluice_incremental_from() from it.
    source_window: (sourceName: unknown, table: unknown) => {
      const scope = current();
      if (undefinedName("source_window", [sourceName, table])) return "";
      scope.sources.push([String(sourceName), String(table)]);
      const relation = scope.resolveSource(String(sourceName), String(table));
      return isLakeDialect(inputs.dialect) ? `sluice_raw_window(${relation})` : relation;
    },
    // The model as far as the window reaches, by its partition `column`: in an incremental run on
    // a lake dialect, a marker the runner binds to the files of the partitions from
    // sluice_incremental_from() on (the table's older partitions are not even opened);
    // otherwise ref() itself. The model still filters `column >= sluice_incremental_from()`.
    ref_window: (name: unknown, column: unknown) => {
      const scope = current();
      if (undefinedName("ref_window", [name, column])) return "";
      scope.refs.push(String(name));
      const relation = scope.resolveRef(String(name));
      return scope.isIncremental && isLakeDialect(inputs.dialect)
        ? `sluice_ref_window(${relation}, ${inputs.dialect.literal(String(column))})`
        : relation;
    },
    config: (...args: unknown[]) => {
      const merged: Record<string, unknown> = {};
      for (const a of args) {
        if (typeof a === "object" && a !== null) Object.assign(merged, a);
      }
      delete merged.__keywords;
      current().configs.push(merged);
      return "";
    },
    var: (...args: unknown[]) => lookup("var", args),
    env_var: (...args: unknown[]) => lookup("env_var", args),
    is_incremental: () => current().isIncremental,
    literal: (value: unknown) => inputs.dialect.literal(value),
    identifier: (name: unknown) => inputs.dialect.quoteIdentifier(String(name)),
  };
}
