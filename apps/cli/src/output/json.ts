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
  return toJson(exactRows(columns, rows));
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

/** `1.5` at scale 2 → `"1.50"`, from the digits the number prints (padding adds no error). */
function withScale(n: number, scale: number): string {
  const text = String(n);
  if (/e/i.test(text)) return n.toFixed(scale);
  const [whole, fraction = ""] = text.split(".");
  return scale === 0 && fraction === "" ? whole! : `${whole}.${fraction.padEnd(scale, "0")}`;
}

/**
 * What sluice itself prints as JSON (run results, summaries): keys in snake_case, as in dbt's
 * artifacts, and bigint as a string.
 */
export function toSnakeJson(value: unknown): string {
  return toJson(snakeKeys(value));
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      snakeKeys(v),
    ]),
  );
}
