import { splitTopLevel } from "@sluice/dialects";
import { AthenaFailure } from "./athena-failure.js";

/** A relation name as written: `"db"."t"`, `` `db`.`t` ``, `db.t` or `t`. */
const IDENT = String.raw`(?:"(?:[^"]|"")+"|\`[^\`]+\`|[A-Za-z_][A-Za-z0-9_]*)`;
export const RELATION = String.raw`(${IDENT})(?:\s*\.\s*(${IDENT}))?`;

/** An identifier's name: unquoted, lower-cased (Athena and Glue names are case-insensitive). */
export function unquote(identifier: string): string {
  if (identifier.startsWith('"'))
    return identifier.slice(1, -1).replaceAll('""', '"').toLowerCase();
  if (identifier.startsWith("`")) return identifier.slice(1, -1).toLowerCase();
  return identifier.toLowerCase();
}

/** `[db, name]` from the two captures of {@link RELATION}, defaulting to the query's database. */
export function relationOf(
  first: string,
  second: string | undefined,
  database: string,
): { database: string; name: string } {
  return second === undefined
    ? { database, name: unquote(first) }
    : { database: unquote(first), name: unquote(second) };
}

/** What may come before a statement's first keyword: blank space and comments. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** The statement without leading comments and blank space, and without a trailing `;`. */
export function stripStatement(sql: string): string {
  return sql.slice(LEADING.exec(sql)![0].length).replace(/[\s;]+$/, "");
}

/** Athena's `line L:C` of a statement's first keyword in `sql` (after blank space and comments). */
export function statementPosition(sql: string): string {
  const lines = LEADING.exec(sql)![0].split("\n");
  return `line ${lines.length}:${lines.at(-1)!.length + 1}`;
}

/** A SQL string literal's text (`'it''s'` → `it's`); Hive DDL also accepts `\` escapes like `'\001'`. */
export function literal(text: string): string {
  const body = text.slice(1, -1);
  if (text.startsWith('"')) return body.replaceAll('""', '"');
  return body
    .replaceAll("''", "'")
    .replace(/\\([0-7]{3}|.)/g, (_, e: string) =>
      /^[0-7]{3}$/.test(e)
        ? String.fromCharCode(parseInt(e, 8))
        : e === "n"
          ? "\n"
          : e === "t"
            ? "\t"
            : e,
    );
}

/** The text between the parenthesis at `open` and its match (quotes respected). */
export function balanced(text: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  throw new AthenaFailure("SYNTAX_ERROR", "unbalanced parentheses");
}

/** `a = 'x', b = ARRAY['k']` (a CTAS WITH list or TBLPROPERTIES) as a map; values keep their SQL text. */
export function properties(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of splitOutsideQuotes(list)) {
    const m = /^\s*('(?:[^']|'')*'|"[^"]*"|[A-Za-z_][\w.]*)\s*=\s*([\s\S]+?)\s*$/.exec(item);
    if (!m) throw new AthenaFailure("SYNTAX_ERROR", `cannot read property '${item.trim()}'`);
    const name =
      m[1]!.startsWith("'") || m[1]!.startsWith('"') ? literal(m[1]!) : m[1]!.toLowerCase();
    out.set(name, m[2]!);
  }
  return out;
}

/** Split at top-level commas outside quotes and brackets. */
export function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if ("([<".includes(c)) depth++;
    else if (")]>".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== "") parts.push(text.slice(start));
  return parts;
}

/** `ARRAY['a', 'b']` → `["a", "b"]`. */
export function stringArray(sql: string | undefined): string[] {
  if (sql === undefined) return [];
  const m = /^ARRAY\s*\[([\s\S]*)\]$/i.exec(sql.trim());
  if (!m) throw new AthenaFailure("SYNTAX_ERROR", `expected ARRAY[...], got ${sql}`);
  return splitOutsideQuotes(m[1]!).map((v) => literal(v.trim()).toLowerCase());
}

/** A Hive column list `` `a` string, `b` array<int> `` → `[{Name, Type}]`. */
export function hiveColumns(list: string): { Name: string; Type: string }[] {
  return splitTopLevel(list).map((item) => {
    const m = new RegExp(
      String.raw`^\s*(${IDENT})\s+([\s\S]+?)(?:\s+COMMENT\s+'(?:[^']|'')*')?\s*$`,
      "i",
    ).exec(item);
    if (!m)
      throw new AthenaFailure("SYNTAX_ERROR", `cannot read column definition '${item.trim()}'`);
    return { Name: unquote(m[1]!), Type: m[2]!.toLowerCase().replace(/\s+/g, "") };
  });
}
