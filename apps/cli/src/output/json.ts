/** A column as the engine reports it (`decimal(38,9)`, `bigint`, ...). */
export interface JsonColumn {
  name: string;
  type: string;
}

/**
 * JSON that loses nothing: bigint (BIGINT beyond 2^53) as a string, and the DECIMAL columns of
 * a result as strings with their scale (`"123456789.123456789"`, `"1.50"`), so no reader
 * rounds them through a double. Dates and timestamps arrive as ISO text; NULL is null.
 *
 * @example
 * rowsToJson([{ name: "d", type: "decimal(5,2)" }], [{ d: 1.5 }]); // [{"d": "1.50"}]
 */
export function rowsToJson(
  columns: readonly JsonColumn[],
  rows: readonly Record<string, unknown>[],
): string {
  return jsonText(exactRows(columns, rows));
}

/** Rows with DECIMAL values as text at their column's scale (`1.5` in `decimal(5,2)` → `"1.50"`). */
export function exactRows(
  columns: readonly JsonColumn[],
  rows: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const scales = new Map<string, number>();
  for (const c of columns) {
    const decimal = /^decimal(?:\(\s*\d+\s*,\s*(\d+)\s*\))?/i.exec(c.type);
    if (decimal) scales.set(c.name, Number(decimal[1] ?? 0));
  }
  return rows.map((row) => {
    if (scales.size === 0) return row;
    const copy: Record<string, unknown> = { ...row };
    for (const [name, scale] of scales) {
      const v = copy[name];
      // Numbers are decimals that a double prints exactly (engines/duckdb-values.ts).
      if (typeof v === "number") copy[name] = withScale(v, scale);
    }
    return copy;
  });
}

/**
 * A number of a query's result as the engine gave it: all its digits, no thousands separators,
 * no rounding (`1234567`, `0.00001`, `1.5e-7`); other values as they are.
 */
export function exactNumber(value: unknown): unknown {
  return typeof value === "number" || typeof value === "bigint" ? String(value) : value;
}

/** `1.5` at scale 2 → `"1.50"`, from the digits the number prints (padding adds no error). */
function withScale(n: number, scale: number): string {
  const text = String(n);
  if (/e/i.test(text)) return n.toFixed(scale);
  const [whole, fraction = ""] = text.split(".");
  return scale === 0 && fraction === "" ? whole! : `${whole}.${fraction.padEnd(scale, "0")}`;
}

/** Keys in snake_case, bigint as text: one serialiser for stdout JSON and run_results.json. */
export { toSnakeJson } from "@sluice/runner/snake-json";

/** `value` as sluice prints JSON: indented by 2, bigint as text. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
