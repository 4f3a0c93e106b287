import type { PartitionColumn } from "../dialect.js";
import { trinoIdentifier, trinoString } from "./athena-escape.js";

/**
 * A WHERE predicate selecting partitions by literal values. One column: `"k" IN (...)`; several:
 * `("a" = ... AND "b" = ...) OR ...`. Athena does no dynamic partition pruning, so the values
 * must be literals, typed like the column (`DATE '2024-01-02'`, not `'2024-01-02'`, which Trino
 * would refuse to compare with a date).
 *
 * @example
 * partitionPredicate([{ name: "event_date", type: "date" }], [["2024-01-01"], ["2024-01-02"]]);
 * // "event_date" IN (DATE '2024-01-01', DATE '2024-01-02')
 */
export function partitionPredicate(
  columns: readonly PartitionColumn[],
  values: readonly (readonly (string | null)[])[],
): string {
  if (columns.length === 0 || values.length === 0)
    throw new RangeError("partitionPredicate(): no partition columns or values");
  if (columns.length === 1) {
    const column = columns[0]!;
    const name = trinoIdentifier(column.name);
    const present = values.map((v) => v[0] ?? null).filter((v): v is string => v !== null);
    const parts =
      present.length > 0
        ? [`${name} IN (${present.map((v) => typedLiteral(v, column.type)).join(", ")})`]
        : [];
    if (present.length < values.length) parts.push(`${name} IS NULL`);
    return parts.join(" OR ");
  }
  return values
    .map((row) => `(${columns.map((c, i) => equals(c, row[i] ?? null)).join(" AND ")})`)
    .join("\n   OR ");
}

function equals(column: PartitionColumn, value: string | null): string {
  const name = trinoIdentifier(column.name);
  return value === null ? `${name} IS NULL` : `${name} = ${typedLiteral(value, column.type)}`;
}

/** A literal of the column's type from its text form. */
export function typedLiteral(text: string, type: string): string {
  const base = type.toLowerCase().replace(/\(.*$/, "").trim();
  switch (base) {
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
    case "bigint":
      if (!/^-?\d+$/.test(text)) throw new TypeError(`not an integer partition value: ${text}`);
      return text;
    case "boolean":
      if (text !== "true" && text !== "false")
        throw new TypeError(`not a boolean partition value: ${text}`);
      return text.toUpperCase();
    case "date":
      return `DATE ${trinoString(text)}`;
    case "timestamp":
      return `TIMESTAMP ${trinoString(text.replace("T", " "))}`;
    case "double":
    case "real":
    case "float":
    case "decimal":
      return `CAST(${trinoString(text)} AS ${type})`;
    default:
      return trinoString(text);
  }
}
