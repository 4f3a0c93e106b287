import { splitTopLevel } from "@sluice/dialects";
import { AthenaFailure } from "./athena-failure.js";

/** A Hive/Glue column type (`string`, `decimal(10,2)`, `array<struct<a:int>>`) as a DuckDB type. */
export function hiveToDuckdb(type: string): string {
  const t = type.trim().toLowerCase();
  const inner = (prefix: string) => t.slice(prefix.length, -1);
  if (t.startsWith("array<")) return `${hiveToDuckdb(inner("array<"))}[]`;
  if (t.startsWith("map<")) {
    const [k = "string", v = "string"] = splitTopLevel(inner("map<"));
    return `MAP(${hiveToDuckdb(k)}, ${hiveToDuckdb(v)})`;
  }
  if (t.startsWith("struct<")) {
    const fields = splitTopLevel(inner("struct<")).map((f) => {
      const at = f.indexOf(":");
      return `"${f.slice(0, at).trim().replaceAll('"', '""')}" ${hiveToDuckdb(f.slice(at + 1))}`;
    });
    return `STRUCT(${fields.join(", ")})`;
  }
  if (/^decimal\(\d+,\s*\d+\)$/.test(t)) return t.toUpperCase();
  if (/^(varchar|char)\(\d+\)$/.test(t)) return "VARCHAR";
  const simple: Record<string, string> = {
    string: "VARCHAR",
    varchar: "VARCHAR",
    char: "VARCHAR",
    int: "INTEGER",
    integer: "INTEGER",
    bigint: "BIGINT",
    smallint: "SMALLINT",
    tinyint: "TINYINT",
    double: "DOUBLE",
    float: "FLOAT",
    real: "FLOAT",
    boolean: "BOOLEAN",
    date: "DATE",
    timestamp: "TIMESTAMP",
    binary: "BLOB",
    decimal: "DECIMAL(10,0)",
  };
  const mapped = simple[t];
  if (mapped === undefined)
    throw new AthenaFailure("NOT_SUPPORTED", `aws-local cannot read the Hive type '${type}'`);
  return mapped;
}

/**
 * A DuckDB result type as the Hive type a CTAS registers in Glue. Trino's Hive connector
 * refuses `timestamp with time zone` columns in a Hive table, and so does this.
 */
export function duckdbToHive(type: string): string {
  const t = type.trim().toUpperCase();
  if (t.endsWith("[]")) return `array<${duckdbToHive(t.slice(0, -2))}>`;
  if (t.startsWith("STRUCT(")) {
    const fields = splitTopLevel(t.slice(7, -1)).map((f) => {
      const m = /^\s*("(?:[^"]|"")+"|\S+)\s+(.*)$/.exec(f)!;
      return `${m[1]!.replace(/^"|"$/g, "").toLowerCase()}:${duckdbToHive(m[2]!)}`;
    });
    return `struct<${fields.join(",")}>`;
  }
  if (t.startsWith("MAP(")) {
    const [k = "VARCHAR", v = "VARCHAR"] = splitTopLevel(t.slice(4, -1));
    return `map<${duckdbToHive(k)},${duckdbToHive(v)}>`;
  }
  if (t.startsWith("DECIMAL")) return t.toLowerCase().replace(/\s/g, "");
  if (t === "TIMESTAMP WITH TIME ZONE") {
    throw new AthenaFailure(
      "NOT_SUPPORTED",
      "Unsupported Hive type: timestamp(3) with time zone. Supported CTAS types do not include timestamp with time zone",
    );
  }
  const simple: Record<string, string> = {
    VARCHAR: "string",
    BIGINT: "bigint",
    HUGEINT: "bigint",
    UBIGINT: "bigint",
    UINTEGER: "bigint",
    INTEGER: "int",
    USMALLINT: "int",
    SMALLINT: "smallint",
    UTINYINT: "smallint",
    TINYINT: "tinyint",
    DOUBLE: "double",
    FLOAT: "float",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMP: "timestamp",
    TIMESTAMP_MS: "timestamp",
    TIMESTAMP_NS: "timestamp",
    TIMESTAMP_S: "timestamp",
    BLOB: "binary",
    JSON: "string",
    UUID: "string",
  };
  const mapped = simple[t];
  if (mapped === undefined)
    throw new AthenaFailure("NOT_SUPPORTED", `Unsupported Hive type for a CTAS column: ${type}`);
  return mapped;
}

/** A DuckDB result type as Athena's result `ColumnInfo.Type` (plus precision/scale for decimals). */
export function duckdbToAthena(type: string): { Type: string; Precision: number; Scale: number } {
  const t = type.trim().toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { Type: "decimal", Precision: Number(decimal[1]), Scale: Number(decimal[2]) };
  const names: Record<string, string> = {
    VARCHAR: "varchar",
    BIGINT: "bigint",
    HUGEINT: "bigint",
    UBIGINT: "bigint",
    UINTEGER: "bigint",
    INTEGER: "integer",
    SMALLINT: "smallint",
    TINYINT: "tinyint",
    DOUBLE: "double",
    FLOAT: "real",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMP: "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    BLOB: "varbinary",
    JSON: "json",
    UUID: "uuid",
    INTERVAL: "interval day to second",
    '"NULL"': "unknown",
    NULL: "unknown",
  };
  const name = t.endsWith("[]")
    ? "array"
    : t.startsWith("STRUCT")
      ? "row"
      : t.startsWith("MAP")
        ? "map"
        : (names[t] ?? t.toLowerCase());
  const precision: Record<string, number> = {
    varchar: 2147483647,
    bigint: 19,
    integer: 10,
    double: 17,
    timestamp: 3,
    date: 0,
    boolean: 0,
  };
  return { Type: name, Precision: precision[name] ?? 0, Scale: 0 };
}

/** The SQL that renders a DuckDB value as Athena's result text (`VarCharValue`). */
export function athenaText(column: string, type: string): string {
  const t = type.toUpperCase();
  if (t === "TIMESTAMP WITH TIME ZONE")
    return `strftime(${column}, '%Y-%m-%d %H:%M:%S.%g') || ' UTC'`;
  if (t.startsWith("TIMESTAMP")) return `strftime(${column}, '%Y-%m-%d %H:%M:%S.%g')`;
  return `CAST(${column} AS VARCHAR)`;
}
