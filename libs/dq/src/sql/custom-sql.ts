/**
 * Replace the bare word `primary` (any case) with the quoted alias, outside string literals,
 * quoted identifiers and comments: DuckDB reserves PRIMARY, so `from primary` must become
 * `from "primary"`.
 */
export function rewritePrimary(sql: string, quoted: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === "`") {
      let k = i + 1;
      while (k < sql.length) {
        if (sql[k] === ch) {
          if (sql[k + 1] === ch) k += 2;
          else break;
        } else k++;
      }
      out += sql.slice(i, k + 1);
      i = k + 1;
      continue;
    }
    if (sql.startsWith("--", i)) {
      const nl = sql.indexOf("\n", i);
      const end = nl === -1 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))?.[0];
    if (word) {
      out += word.toLowerCase() === "primary" && sql[i - 1] !== "." ? quoted : word;
      i += word.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
