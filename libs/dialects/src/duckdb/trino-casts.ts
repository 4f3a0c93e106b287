import {
  CLOSE,
  COMMENT,
  OPEN,
  WORD,
  isSqlTextProblem,
  scanSqlTokens,
  type SqlTokenSpans,
} from "../sql-text/sql-tokens.js";

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
 * `error()` is volatile, and TRY refuses volatile functions): DuckDB reports `Could not convert
 * string 'Cannot cast '1.5' to BIGINT' to INT64`, which the lake reports as Trino does (see
 * trino-failures.ts).
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

/** A scan of one SQL text: its tokens' spans, and the lowercased text of one. */
interface Scan {
  sql: string;
  t: SqlTokenSpans;
}

const lower = (s: Scan, k: number): string => s.sql.slice(s.t.starts[k], s.t.ends[k]).toLowerCase();

/** Whether token `k` is the word `word` (lowercase), in any case. */
function isWord(s: Scan, k: number, word: string): boolean {
  return (
    k >= 0 &&
    k < s.t.count &&
    s.t.kinds[k] === WORD &&
    s.t.ends[k]! - s.t.starts[k]! === word.length &&
    lower(s, k) === word
  );
}

/** The index of the `close` token matching the `open` token at `open`, or -1. */
function matchingClose(s: Scan, open: number): number {
  let depth = 0;
  for (let k = open; k < s.t.count; k++) {
    const kind = s.t.kinds[k];
    if (kind === OPEN) depth++;
    else if (kind === CLOSE && --depth === 0) return k;
  }
  return -1;
}

/** The edits turning `cast(x AS <integer type>)` at token `at` into a macro call, if it is one. */
function castEdits(s: Scan, at: number): Edit[] {
  const tryCast = isWord(s, at, "try_cast");
  if (!tryCast && !isWord(s, at, "cast")) return [];
  if (at + 1 >= s.t.count || s.t.kinds[at + 1] !== OPEN) return [];
  const close = matchingClose(s, at + 1);
  if (close === -1 || !isWord(s, close - 2, "as")) return [];
  const typeName = lower(s, close - 1);
  if (typeName === "timestamp" && !tryCast) return wallTimeEdits(s, at, close);
  const type = integerTypes[typeName];
  if (!type) return [];
  // Drop ` AS <type>` with the blanks before it (kept after a line comment, which needs its newline).
  const before = close - 3;
  const from = s.t.kinds[before] === COMMENT ? s.t.starts[close - 2]! : s.t.ends[before]!;
  return [
    {
      from: s.t.starts[at]!,
      to: s.t.starts[at + 1]! + 1,
      text: `${tryCast ? "TRY(" : ""}${type.macro}(`,
    },
    { from, to: s.t.starts[close]!, text: tryCast ? ")" : "" },
  ];
}

/**
 * `cast(from_iso8601_timestamp(s) as timestamp)` → `__sluice_iso8601_wall_time(s)`: Trino keeps
 * the string's own wall time (10:00+02:00 → 10:00); a lake TIMESTAMPTZ has lost the offset.
 */
function wallTimeEdits(s: Scan, at: number, close: number): Edit[] {
  if (!isWord(s, at + 2, "from_iso8601_timestamp")) return [];
  if (s.t.kinds[at + 3] !== OPEN || matchingClose(s, at + 3) !== close - 3) return [];
  return [
    { from: s.t.starts[at]!, to: s.t.starts[at + 3]! + 1, text: "__sluice_iso8601_wall_time(" },
    { from: s.t.starts[close - 3]!, to: s.t.starts[close]! + 1, text: ")" },
  ];
}

/** The spans {@link strictIntegerCasts} scans into (see `scanSqlTokens`' `into`). */
const scratch: SqlTokenSpans = { count: 0, kinds: [], starts: [], ends: [] };

/** Whether no edit starts before the one ahead of it. */
function inTextOrder(edits: readonly Edit[]): boolean {
  for (let k = 1; k < edits.length; k++) if (edits[k]!.from < edits[k - 1]!.from) return false;
  return true;
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
  // One scan is read to the end before the next starts: the spans' arrays are reused rather
  // than grown anew for each of a compile's ~10,000 model texts.
  const t = scanSqlTokens(sql, scratch);
  if (isSqlTextProblem(t)) return sql;
  const scan: Scan = { sql, t };
  const edits: Edit[] = [];
  for (let k = 0; k < t.count; k++) {
    // Only a `cast` or `try_cast` word starts an edit (checked cheaply before castEdits).
    const length = t.ends[k]! - t.starts[k]!;
    if (t.kinds[k] === WORD && (length === 4 || length === 8)) edits.push(...castEdits(scan, k));
  }
  if (edits.length === 0) return sql;
  // Edits come in text order unless casts nest; sort (stable) only then.
  if (!inTextOrder(edits)) edits.sort((a, b) => a.from - b.from);
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += sql.slice(at, edit.from) + edit.text;
    at = edit.to;
  }
  return out + sql.slice(at);
}
