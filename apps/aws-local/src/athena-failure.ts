import { trinoFailure } from "@sluice/dialects";

/**
 * Why a query failed, as Athena reports it: `StateChangeReason` starts with the Trino error name
 * (`TABLE_NOT_FOUND: ...`), and `AthenaError` carries the category (1 system, 2 user, 3 other),
 * the numeric type from Athena's error catalog and whether a retry could succeed.
 */
export class AthenaFailure extends Error {
  readonly errorType: number;
  constructor(
    readonly errorName: string,
    detail: string,
    options: { errorType?: number; category?: number; retryable?: boolean } = {},
  ) {
    super(`${errorName}: ${detail}`);
    this.errorType = options.errorType ?? ERROR_TYPES[errorName] ?? 1006;
    this.category = options.category ?? (this.errorType < 1000 ? 1 : 2);
    this.retryable = options.retryable ?? false;
  }
  readonly category: number;
  readonly retryable: boolean;
}

/**
 * Athena's error catalog groups failures by number (1000 user error, 1001-1002 data, 1003 DDL
 * task failed, 1006 analysis/syntax, 233 Iceberg, 200+ engine internal). Which number Athena
 * picks for each Trino error name is not documented per name; these are the nearest groups.
 */
const ERROR_TYPES: Record<string, number> = {
  GENERIC_INTERNAL_ERROR: 200,
  ICEBERG_COMMIT_ERROR: 233,
  HIVE_PATH_ALREADY_EXISTS: 1003,
  HIVE_TOO_MANY_OPEN_PARTITIONS: 1002,
  HIVE_COLUMN_ORDER_MISMATCH: 1003,
  INVALID_CAST_ARGUMENT: 1001,
  HIVE_BAD_DATA: 1001,
  HIVE_CURSOR_ERROR: 1001,
  DIVISION_BY_ZERO: 1001,
  GENERIC_USER_ERROR: 1000,
};

/** DuckDB's error text translated to the Athena error it stands for. */
export function failureFromDuckdb(error: unknown): AthenaFailure {
  const message = error instanceof Error ? error.message : String(error);
  // What the Trino compat layer raised (a failing cast of Trino's message): Trino's own words.
  const raised = trinoFailure(message);
  if (raised) return new AthenaFailure(raised.errorName, raised.message);
  const rules: [RegExp, string, (m: RegExpExecArray) => string][] = [
    [
      /Table with name "?([^"\s]+?)"? does not exist/i,
      "TABLE_NOT_FOUND",
      (m) => `Table '${m[1]}' does not exist`,
    ],
    [
      /Schema with name (\S+?) does not exist/i,
      "SCHEMA_NOT_FOUND",
      (m) => `Schema '${m[1]}' does not exist`,
    ],
    [
      /Referenced column "?([^"\s]+)"? not found/i,
      "COLUMN_NOT_FOUND",
      (m) => `Column '${m[1]}' cannot be resolved`,
    ],
    [
      /does not have a column named "?([^"\s]+)"?/i,
      "COLUMN_NOT_FOUND",
      (m) => `Column '${m[1]}' cannot be resolved`,
    ],
    [
      /Referenced table "?([^"\s]+)"? not found/i,
      "COLUMN_NOT_FOUND",
      (m) => `Column prefix '${m[1]}' cannot be resolved`,
    ],
    [
      /(Scalar|Aggregate|Table) Function with name (\S+?) does not exist/i,
      "FUNCTION_NOT_FOUND",
      (m) => `Function '${m[2]}' not registered`,
    ],
    [/No function matches/i, "FUNCTION_NOT_FOUND", () => "Unexpected parameters for function"],
    [/Parser Error/i, "SYNTAX_ERROR", () => "mismatched input"],
    [/Conversion Error|Could not convert/i, "INVALID_CAST_ARGUMENT", () => "Cannot cast value"],
    [/Division by zero/i, "DIVISION_BY_ZERO", () => "Division by zero"],
    [/Binder Error/i, "TYPE_MISMATCH", () => "query could not be analyzed"],
  ];
  for (const [pattern, name, detail] of rules) {
    const m = pattern.exec(message);
    if (m)
      return new AthenaFailure(
        name,
        `${detail(m)} (aws-local, DuckDB said: ${message.split("\n")[0]})`,
      );
  }
  return new AthenaFailure(
    "GENERIC_INTERNAL_ERROR",
    `aws-local, DuckDB said: ${message.split("\n")[0]}`,
  );
}
