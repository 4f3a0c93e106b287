import { trinoSpelling } from "@sluice/dialects";
import { AthenaFailure } from "./athena-failure.js";

/**
 * After these a name followed by `(` is not a call: a qualified name (`x.len(`), a table with its
 * columns (`CREATE TABLE len (`, `INSERT INTO range (`), an alias with column names
 * (`AS median (a, b)`), a CTE (`WITH range (n) AS`).
 */
const NOT_A_CALL_AFTER = new Set([".", "table", "exists", "into", "view", "as", "with"]);

/** True when the parenthesis at `open` holds column names, as a CTE's: `(a, b) AS (`. */
function namesColumns(sql: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === "(") depth += 1;
    else if (sql[i] === ")" && --depth === 0) return /^\s*AS\s*\(/i.test(sql.slice(i + 1, i + 64));
  }
  return false;
}

/**
 * What Athena rejects in a statement that DuckDB, behind athena-local, would run: a `::` cast
 * (Trino's grammar has none: `SYNTAX_ERROR`) and a call of one of the well-known DuckDB (and
 * other warehouses') functions Trino lacks, `trinoSpelling`'s list (strftime, epoch_ms,
 * list_value, string_agg, ...: `FUNCTION_NOT_FOUND`), with Athena's `line L:C` of the statement
 * as sent. Read outside string literals, quoted identifiers and comments; a qualified name
 * (`x.len(`) is not a built-in's call. Not a parse (a Trino parse per query would cost every
 * statement more than DuckDB runs it): a DuckDB-only name outside that list, or other DuckDB-only
 * syntax, still runs.
 *
 * @example duckdbOnly("SELECT 1::int") // SYNTAX_ERROR: line 1:9: mismatched input '::' ...
 */
export function duckdbOnly(sql: string): AthenaFailure | undefined {
  let line = 1;
  let lineStart = 0;
  let previous = "";
  const at = (i: number) => `line ${line}:${i - lineStart + 1}`;
  for (let i = 0; i < sql.length;) {
    const c = sql[i]!;
    if (c === "\n") {
      line += 1;
      lineStart = i + 1;
      i += 1;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      // A literal or quoted identifier; its quote doubled inside is part of it.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) {
        if (sql[j] === c) j += 1;
        else if (sql[j] === "\n") {
          line += 1;
          lineStart = j + 1;
        }
        j += 1;
      }
      previous = c;
      i = j + 1;
      continue;
    }
    if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      for (let j = i; j < stop; j++)
        if (sql[j] === "\n") {
          line += 1;
          lineStart = j + 1;
        }
      i = stop;
      continue;
    }
    if (sql.startsWith("::", i))
      return new AthenaFailure(
        "SYNTAX_ERROR",
        `${at(i)}: mismatched input '::'. Expecting: <expression> (Trino has no :: cast: write CAST(x AS type))`,
      );
    if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 128))![0];
      const name = word.toLowerCase();
      // trinoSpelling names only functions Trino lacks (tested in the dialects lib).
      if (
        trinoSpelling(name) &&
        /^\s*\(/.test(sql.slice(i + word.length, i + word.length + 64)) &&
        !NOT_A_CALL_AFTER.has(previous.toLowerCase()) &&
        !namesColumns(sql, sql.indexOf("(", i + word.length))
      )
        return new AthenaFailure(
          "FUNCTION_NOT_FOUND",
          `${at(i)}: Function '${name}' not registered`,
        );
      previous = word;
      i += word.length;
      continue;
    }
    if (!/\s/.test(c)) previous = c;
    i += 1;
  }
  return undefined;
}
