import type { ColumnInfo as AthenaColumn, Row } from "@aws-sdk/client-athena";
import type { ColumnInfo } from "../engine.js";
import { uniqueColumns } from "../result-columns.js";

/**
 * Athena result columns as engine columns (type names lower case; a repeated name made unique,
 * see uniqueColumns).
 */
export function toColumns(columns: readonly AthenaColumn[]): ColumnInfo[] {
  return uniqueColumns(
    columns.map((c) => {
      const type = (c.Type ?? "varchar").toLowerCase();
      // Athena gives a decimal's precision and scale apart from its type name; the DDL of a new column needs them.
      const full =
        type === "decimal" && c.Precision !== undefined
          ? `decimal(${c.Precision},${c.Scale ?? 0})`
          : type;
      return { name: c.Name ?? c.Label ?? "", type: full };
    }),
  );
}

/**
 * Athena returns every value as a string (`VarCharValue`, absent for NULL). Convert by column
 * type to the same plain JS values the DuckDB engine returns: safe integers as number, larger
 * as bigint, DECIMAL and floating types as number, booleans, timestamps as ISO text
 * (`YYYY-MM-DDTHH:MM:SS.sss`, `Z` appended for UTC `timestamp with time zone`), the rest as text.
 */
export function toRows(
  columns: readonly ColumnInfo[],
  rows: readonly Row[],
): Record<string, unknown>[] {
  const converters = columns.map((c) => converterFor(c.type));
  return rows.map((row) => {
    const record: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const text = row.Data?.[i]?.VarCharValue;
      record[column.name] = text === undefined ? null : converters[i]!(text);
    });
    return record;
  });
}

function converterFor(type: string): (text: string) => unknown {
  // Drop precision arguments: `decimal(10,2)` → `decimal`, `timestamp(3) with time zone` → ...
  const base = type.replace(/\(\d+(,\s*\d+)?\)/g, "").trim();
  switch (base) {
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
      return Number;
    case "bigint":
      return (text) => {
        const n = BigInt(text);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(n)
          : n;
      };
    case "double":
    case "float":
    case "real":
    case "decimal":
      return Number;
    case "boolean":
      return (text) => text === "true";
    case "timestamp":
      return (text) => text.replace(" ", "T");
    case "timestamp with time zone":
      return (text) => text.replace(" ", "T").replace(/ UTC$/, "Z");
    default:
      return (text) => text;
  }
}
