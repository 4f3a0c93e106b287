/** Where something is in a project file. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path relative to the project directory (or absolute when outside it). */
  file: string;
  line: number;
  column: number;
}

export type Severity = "error" | "warn";

/**
 * Every user-mistake code, with a one-line summary. A diagnostic is data: libraries collect
 * them and keep going; only the CLI turns them into an exit code (2 when any is an error).
 */
export const diagnosticCodes = {
  CONFIG_INVALID: "sluice.yml does not match its schema",
  CONFIG_NOT_FOUND: "no sluice.yml in the project directory",
  YAML_SYNTAX: "a YAML file does not parse",
  PROPERTIES_INVALID: "a properties YAML file does not match the dbt version 2 shape",
  SEED_INVALID: "a seed CSV file does not parse",
  DUPLICATE_MODEL: "two models share a name",
  TEMPLATE_SYNTAX: "a template does not parse or fails while rendering",
  TEMPLATE_LOG: "a template's log(..., info=True) or print() output, shown where it was called",
  UNKNOWN_REF: "ref() names no model or seed",
  UNKNOWN_SOURCE: "source() names no declared source table",
  UNKNOWN_VAR: "var() names no variable and gives no default",
  UNKNOWN_ENV_VAR: "env_var() names an unset environment variable and gives no default",
  CONFIG_VALUE_INVALID: "a model config value is invalid",
  CONFIG_VALUE_UNDEFINED: "config() sets a key to an undefined value (a name nothing defines)",
  CONFIG_KEY_UNKNOWN: "a model config key is not one sluice reads",
  SEED_CONFIG_IGNORED: "a seeds: folder config key that seeds do not apply",
  CONFIG_CONFLICT: "model config keys that cannot work together (or on this target)",
  CONFIG_PATH_UNUSED: "a sluice.yml models: folder path applies to no model",
  PROPERTIES_UNUSED: "a properties YAML entry names no model",
  CYCLE: "models depend on each other in a cycle",
  UNKNOWN_TARGET: "the target is not defined in sluice.yml",
  SELECTOR_INVALID: "a --select/--exclude expression does not parse",
  SELECTOR_NO_MATCH: "a --select/--exclude expression matches nothing",
  TEST_INVALID: "a generic test is declared wrongly",
  UNIT_TEST_INVALID: "a unit test names no model, or gives an input its model does not read",
  DQDL_SYNTAX: "a DQDL ruleset does not parse",
  DQDL_UNSUPPORTED: "a DQDL rule cannot be evaluated on this target",
  DQDL_TARGET: "a DQDL ruleset names no model or source",
  VARS_INVALID: "--vars is not a YAML mapping",
  INVALID_UTF8: "a project file is not valid UTF-8",
  NUL_BYTE: "a project file holds a NUL byte",
  PROJECT_FILE_SKIPPED: "a project file's name on a link to nothing or on no regular file",
  NAME_INVALID: "a schema, table or column name is not one Glue accepts (or leaves the lake)",
  RELATION_CONFLICT: "two nodes resolve to the same relation",
  LOCATION_CONFLICT: "a table's folder overlaps a source's external location",
  ATHENA_SYNTAX: "a compiled statement would not parse on Athena (Trino or Hive grammar)",
  ATHENA_FUNCTION: "a compiled statement calls a function Athena (Trino) does not have",
  ATHENA_COLUMNS:
    "a model's SELECT has a column Athena would not create (no name, a name twice, a bare NULL)",
  DBT_PROJECT_INVALID: "dbt_project.yml does not match dbt's shape",
  DBT_KEY_IGNORED: "a dbt setting with a visible effect that sluice does not apply",
  PROFILE_INVALID: "profiles.yml is missing, or the profile or output is unusable",
  PACKAGE_INVALID: "packages.yml names a package sluice cannot use",
  SNAPSHOT_INVALID: "a dbt snapshot is declared wrongly or cannot be built on this target",
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

/** A user mistake found while loading or compiling a project. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  at?: SourceLocation;
  /** A suggested fix, printed after the message ("did you mean 'stg_events'?"). */
  hint?: string;
}

/** Build an error diagnostic. */
export function error(
  code: DiagnosticCode,
  message: string,
  at?: SourceLocation,
  hint?: string,
): Diagnostic {
  return { code, severity: "error", message, ...(at ? { at } : {}), ...(hint ? { hint } : {}) };
}

/** Build a warning diagnostic. */
export function warning(
  code: DiagnosticCode,
  message: string,
  at?: SourceLocation,
  hint?: string,
): Diagnostic {
  return { code, severity: "warn", message, ...(at ? { at } : {}), ...(hint ? { hint } : {}) };
}

/**
 * One line (plus hint) per diagnostic, compiler style:
 * `models/staging/stg.sql:3:14: error UNKNOWN_REF: ref('stg_evnts') ... \n  hint: did you mean 'stg_events'?`
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.at ? `${d.at.file}:${d.at.line}:${d.at.column}: ` : "";
  const head = `${where}${d.severity} ${d.code}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Line and column (1-based) of a character offset in a text. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
