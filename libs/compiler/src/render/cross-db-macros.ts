import type { SqlDialect } from "@sluice/project";

type Sql = string | number;

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

/** The types dbt's `type_*()` macros name: the same in Trino and DuckDB. */
const TYPES: Record<string, string> = {
  string: "varchar",
  int: "integer",
  bigint: "bigint",
  float: "double",
  numeric: "decimal(28, 6)",
  timestamp: "timestamp",
  boolean: "boolean",
};

/**
 * dbt's cross-database macros (`dbt.dateadd`, `dbt.datediff`, `dbt.safe_cast`, `dbt.concat`,
 * `dbt.hash`, `dbt.string_literal`, `dbt.type_*`, `dbt.current_timestamp`, `dbt.date_trunc`, `dbt.split_part`) as SQL
 * of the project's dialect: Trino for Athena and Trino-compat lakes (what dbt-athena writes),
 * DuckDB for a dbt-duckdb project (what dbt-duckdb writes). Each is also a global of its name.
 *
 * @example crossDbMacros("trino").dateadd("day", 1, "order_date") // "date_add('day', 1, order_date)"
 */
export function crossDbMacros(dialect: SqlDialect): Record<string, (...args: never[]) => string> {
  const trino = dialect === "trino";
  const macros = {
    dateadd: (datepart: string, interval: Sql, from: string) =>
      trino
        ? `date_add('${datepart}', ${interval}, ${from})`
        : `(${from} + (interval (${interval}) ${datepart}))`,
    datediff: (first: string, second: string, datepart: string) =>
      `date_diff('${datepart}', ${first}, ${second})`,
    date_trunc: (datepart: string, date: string) => `date_trunc('${datepart}', ${date})`,
    safe_cast: (field: string, type: string) => `try_cast(${field} as ${type})`,
    concat: (fields: unknown) =>
      trino ? `concat(${list(fields).join(", ")})` : list(fields).join(" || "),
    hash: (field: string) =>
      trino
        ? `lower(to_hex(md5(to_utf8(cast(${field} as varchar)))))`
        : `md5(cast(${field} as varchar))`,
    split_part: (string: string, delimiter: string, part: Sql) =>
      `split_part(${string}, ${delimiter}, ${part})`,
    current_timestamp: () => "current_timestamp",
    string_literal: (value: unknown) => `'${String(value).replaceAll("'", "''")}'`,
    ...Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [`type_${k}`, () => v])),
  };
  return macros as Record<string, (...args: never[]) => string>;
}
