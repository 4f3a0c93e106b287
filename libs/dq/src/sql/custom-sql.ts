import { isSqlTextProblem, tokenizeSql } from "@sluice/dialects";

/**
 * Replace the bare word `primary` (any case) with the quoted alias, outside string literals,
 * quoted identifiers and comments: DuckDB reserves PRIMARY, so `from primary` must become
 * `from "primary"`.
 */
export function rewritePrimary(sql: string, quoted: string): string {
  const tokens = tokenizeSql(sql);
  if (isSqlTextProblem(tokens)) return sql; // the parser reported it already
  let out = "";
  let copied = 0;
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== "word" || t.text.toLowerCase() !== "primary" || tokens[i - 1]?.text === ".")
      continue;
    out += sql.slice(copied, t.offset) + quoted;
    copied = t.offset + t.text.length;
  }
  return out + sql.slice(copied);
}
