/**
 * DuckDB escaping: the only place that turns JS values and names into DuckDB SQL text.
 * DuckDB string literals are standard SQL (backslashes are plain characters), so only `'`
 * needs doubling; NUL cannot live in a literal and is spliced in with `chr(0)`.
 */

/**
 * Quote one identifier, doubling embedded `"`.
 *
 * @example quoteDuckdbIdentifier('my "col"') // '"my ""col"""'
 */
export function quoteDuckdbIdentifier(name: string): string {
  if (name.includes("\0"))
    throw new TypeError(`identifier contains a NUL character: ${JSON.stringify(name)}`);
  // Most names hold no quote: no replaceAll (a compile quotes names by the hundred thousand).
  return name.includes('"') ? `"${name.replaceAll('"', '""')}"` : `"${name}"`;
}

/** A string literal; NUL characters are concatenated in with `chr(0)`. */
export function duckdbStringLiteral(value: string): string {
  // Most values hold neither: one template string instead of a split, a map and a replaceAll.
  if (!value.includes("'") && !value.includes("\0")) return `'${value}'`;
  const parts = value.split("\0").map((part) => `'${part.replaceAll("'", "''")}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || chr(0) || ")})`;
}

/**
 * A path as the literal start of a DuckDB glob pattern: DuckDB reads `*`, `?` and `[...]` in
 * every part of a pattern, so a folder named `shop [old]` would be a character class (no file
 * found). Each is put in a class of its own (`[[]`, `[*]`, `[?]`), which DuckDB reads as the
 * character itself; `]` alone is literal already.
 *
 * @example duckdbGlobLiteral("/home/ana/shop [old]") // "/home/ana/shop [[]old]"
 */
export function duckdbGlobLiteral(path: string): string {
  return /[[*?]/.test(path) ? path.replace(/[[*?]/g, "[$&]") : path;
}

/**
 * A DuckDB literal for a JS value: string, number, bigint, boolean, null/undefined, Date
 * (a TIMESTAMP literal in UTC, millisecond precision).
 *
 * @example duckdbLiteral("it's") // "'it''s'"
 * @example duckdbLiteral(new Date(0)) // "TIMESTAMP '1970-01-01 00:00:00.000'"
 */
export function duckdbLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  switch (typeof value) {
    case "string":
      return duckdbStringLiteral(value);
    case "boolean":
      return value ? "TRUE" : "FALSE";
    case "bigint":
      return value.toString();
    case "number":
      return numberLiteral(value);
    default:
      break;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw new TypeError("cannot write an invalid Date as a SQL literal");
    return `TIMESTAMP '${value.toISOString().replace("T", " ").replace("Z", "")}'`;
  }
  throw new TypeError(`cannot write a ${Object.prototype.toString.call(value)} as a SQL literal`);
}

function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return "CAST('NaN' AS DOUBLE)";
  if (!Number.isFinite(value)) return `CAST('${value > 0 ? "Infinity" : "-Infinity"}' AS DOUBLE)`;
  if (Object.is(value, -0)) return "0";
  // Integers stay integers; other numbers are doubles, as in JS (a bare 0.1 would be a DECIMAL).
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
  return `CAST('${String(value)}' AS DOUBLE)`;
}
