import { isSqlTextProblem, tokenizeSql, type SqlToken } from "../sql-text/sql-tokens.js";

/**
 * Trino's integer casts, which DuckDB's CAST cannot be told to follow (a cast is no function, so
 * no macro shadows it). Trino casts a VARCHAR with Java's `Long.parseLong` / `Integer.parseInt`
 * (`io.trino.type.VarcharOperators.castToBigint`…): an optional sign and digits, nothing else —
 * `'1.5'`, `'1e3'`, `'0x10'`, `'1_000'`, `' 12 '` and `''` fail ("Cannot cast '1.5' to BIGINT"),
 * so `try(cast(…))` is NULL. DuckDB rounds `'1.5'` to 2 and reads the rest. Trino casts a DOUBLE
 * with `MathFunctions.round` (half away from zero: 2.5 → 3); DuckDB rounds half to even (2).
 *
 * The lake's SQL therefore calls `__sluice_cast_bigint(x)` (…`_integer`, `_smallint`,
 * `_tinyint`) where model SQL says `cast(x as bigint)`: {@link strictIntegerCasts} rewrites the
 * text, these macros do the casting. A failed cast raises through a cast of its message (DuckDB's
 * `error()` is volatile, and TRY refuses volatile functions), so the message reads
 * `Could not convert string 'Cannot cast '1.5' to BIGINT' to INT64`.
 */
const integerTypes: Record<string, { macro: string; duckdb: string; trino: string }> = {
  bigint: { macro: "__sluice_cast_bigint", duckdb: "BIGINT", trino: "BIGINT" },
  integer: { macro: "__sluice_cast_integer", duckdb: "INTEGER", trino: "INT" },
  int: { macro: "__sluice_cast_integer", duckdb: "INTEGER", trino: "INT" },
  smallint: { macro: "__sluice_cast_smallint", duckdb: "SMALLINT", trino: "SMALLINT" },
  tinyint: { macro: "__sluice_cast_tinyint", duckdb: "TINYINT", trino: "TINYINT" },
};

/** The cast macros, as `[head, body]` pairs of the compat layer. */
export const integerCastMacros: Array<[string, string]> = Object.entries(integerTypes)
  .filter(([name]) => name !== "int")
  .map(([, t]) => [
    `${t.macro}(x)`,
    "CASE WHEN typeof(x) = 'VARCHAR' THEN CASE " +
      `WHEN regexp_full_match(CAST(x AS VARCHAR), '[+-]?[0-9]+') THEN CAST(CAST(x AS VARCHAR) AS ${t.duckdb}) ` +
      `ELSE CAST('Cannot cast ''' || CAST(x AS VARCHAR) || ''' to ${t.trino}' AS ${t.duckdb}) END ` +
      `WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN CAST(round(CAST(x AS DOUBLE)) AS ${t.duckdb}) ` +
      `ELSE CAST(x AS ${t.duckdb}) END`,
  ]);

interface Edit {
  from: number;
  to: number;
  text: string;
}

/** The index of the `close` token matching the `open` token at `open`, or -1. */
function matchingClose(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const kind = tokens[k]!.kind;
    if (kind === "open") depth++;
    else if (kind === "close" && --depth === 0) return k;
  }
  return -1;
}

/** The edits turning `cast(x AS <integer type>)` at token `at` into a macro call, if it is one. */
function castEdits(tokens: readonly SqlToken[], at: number): Edit[] {
  const word = tokens[at]!;
  const name = word.text.toLowerCase();
  if (word.kind !== "word" || (name !== "cast" && name !== "try_cast")) return [];
  if (tokens[at + 1]?.kind !== "open") return [];
  const close = matchingClose(tokens, at + 1);
  if (close === -1) return [];
  const as = tokens[close - 2];
  if (as?.kind !== "word" || as.text.toLowerCase() !== "as") return [];
  const typeName = tokens[close - 1]!.text.toLowerCase();
  if (typeName === "timestamp" && name === "cast") return wallTimeEdits(tokens, at, close);
  const type = integerTypes[typeName];
  if (!type) return [];
  // Drop ` AS <type>` with the blanks before it (kept after a line comment, which needs its newline).
  const before = tokens[close - 3]!;
  const from = before.kind === "comment" ? as.offset : before.offset + before.text.length;
  const tryCast = name === "try_cast";
  return [
    {
      from: word.offset,
      to: tokens[at + 1]!.offset + 1,
      text: `${tryCast ? "TRY(" : ""}${type.macro}(`,
    },
    { from, to: tokens[close]!.offset, text: tryCast ? ")" : "" },
  ];
}

/**
 * `cast(from_iso8601_timestamp(s) as timestamp)` → `__sluice_iso8601_wall_time(s)`: Trino keeps
 * the string's own wall time (10:00+02:00 → 10:00); a lake TIMESTAMPTZ has lost the offset.
 */
function wallTimeEdits(tokens: readonly SqlToken[], at: number, close: number): Edit[] {
  const fn = tokens[at + 2];
  if (fn?.kind !== "word" || fn.text.toLowerCase() !== "from_iso8601_timestamp") return [];
  if (tokens[at + 3]?.kind !== "open" || matchingClose(tokens, at + 3) !== close - 3) return [];
  return [
    {
      from: tokens[at]!.offset,
      to: tokens[at + 3]!.offset + 1,
      text: "__sluice_iso8601_wall_time(",
    },
    { from: tokens[close - 3]!.offset, to: tokens[close]!.offset + 1, text: ")" },
  ];
}

/**
 * Rewrite Trino integer casts (`cast(x as bigint|integer|int|smallint|tinyint)`, `try_cast`
 * too) into the compat layer's strict cast macros, and `cast(from_iso8601_timestamp(s) as
 * timestamp)` into one that keeps the string's wall time, so the lake casts as Trino does. Strings,
 * quoted names and comments are left alone; text the tokenizer refuses is returned unchanged
 * (DuckDB then reports the error).
 *
 * @example
 * strictIntegerCasts("select try(cast(j as bigint))");
 * // "select try(__sluice_cast_bigint(j))"
 */
export function strictIntegerCasts(sql: string): string {
  // Edits start only at a `cast` or `try_cast` word: without one, no need to tokenize (most
  // test queries, compiled by the tens of thousands in a large project).
  if (!/cast/i.test(sql)) return sql;
  const tokens = tokenizeSql(sql);
  if (isSqlTextProblem(tokens)) return sql;
  const edits: Edit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    // Only a `cast` or `try_cast` word starts an edit (checked cheaply before castEdits).
    const t = tokens[k]!;
    if (t.kind === "word" && (t.text.length === 4 || t.text.length === 8))
      edits.push(...castEdits(tokens, k));
  }
  if (edits.length === 0) return sql;
  edits.sort((a, b) => a.from - b.from);
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += sql.slice(at, edit.from) + edit.text;
    at = edit.to;
  }
  return out + sql.slice(at);
}
