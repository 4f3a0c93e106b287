import type { Dialect } from "@sluice/dialects";

export type SeedColumnType = "bigint" | "double" | "boolean" | "date" | "varchar";

const isInt = (v: string) => /^[+-]?\d+$/.test(v);
const isNumber = (v: string) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v);
const isBool = (v: string) => /^(true|false)$/i.test(v);
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/** The narrowest type every non-empty cell of a column fits (empty cells are NULL). */
export function inferColumnType(cells: readonly string[]): SeedColumnType {
  const values = cells.filter((c) => c !== "");
  if (values.length === 0) return "varchar";
  if (values.every(isInt)) return "bigint";
  if (values.every(isNumber)) return "double";
  if (values.every(isBool)) return "boolean";
  if (values.every(isDate)) return "date";
  return "varchar";
}

function typedValue(cell: string, type: SeedColumnType): unknown {
  if (cell === "") return null;
  switch (type) {
    case "bigint":
      return BigInt(cell);
    case "double":
      return Number(cell);
    case "boolean":
      return cell.toLowerCase() === "true";
    default:
      return cell;
  }
}

/**
 * A SELECT of a seed's rows, each value cast to its column's inferred type so even a one-row
 * seed gets the right types.
 *
 * @example seedSelectSql(d, ["code", "n"], [["DE", "1"]])
 * // SELECT * FROM (VALUES (CAST('DE' AS varchar), CAST(1 AS bigint))) AS t("code", "n")
 */
export function seedSelectSql(
  dialect: Dialect,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const types = columns.map((_, i) => inferColumnType(rows.map((r) => r[i] ?? "")));
  const cast = (cell: string, i: number) =>
    `CAST(${dialect.literal(typedValue(cell, types[i]!))} AS ${types[i]})`;
  const names = columns.map((c) => dialect.quoteIdentifier(c));
  if (rows.length === 0) {
    return `SELECT ${names.map((n, i) => `CAST(NULL AS ${types[i]}) AS ${n}`).join(", ")} WHERE 1 = 0`;
  }
  const values = rows
    .map((r) => `(${columns.map((_, i) => cast(r[i] ?? "", i)).join(", ")})`)
    .join(",\n  ");
  return `SELECT * FROM (VALUES\n  ${values}\n) AS t(${names.join(", ")})`;
}
