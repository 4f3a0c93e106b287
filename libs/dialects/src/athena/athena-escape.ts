/**
 * Quoting and escaping for Athena's two grammars. One function per grammar and purpose: every
 * user value and identifier in Athena SQL goes through one of these.
 */

/** Trino identifier: `"name"`, embedded `"` doubled. */
export function trinoIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Hive identifier: `` `name` ``, embedded backtick doubled. */
export function hiveIdentifier(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/**
 * Trino string literal: `'` doubled. Trino has no backslash escapes, so `\` is literal, and a
 * newline inside the quotes is part of the string.
 */
export function trinoString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Hive string literal. Hive's lexer unescapes backslash sequences and concatenates adjacent
 * literals (`'a''b'` is `ab`, not `a'b`), so `\` and `'` are backslash-escaped instead.
 */
export function hiveString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * A Trino literal for a JS value: string, number, bigint, boolean, null/undefined, Date.
 * Non-integral numbers are written as DOUBLE (`1.5E0`): a bare `1.5` is a DECIMAL in Trino.
 * Dates become `TIMESTAMP 'yyyy-mm-dd hh:mm:ss.sss'` in UTC (Athena timestamps have precision 3).
 * Anything else is a programming error and throws.
 */
export function trinoLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return trinoString(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return trinoNumber(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("literal(): invalid Date");
    return `TIMESTAMP '${value.toISOString().slice(0, 23).replace("T", " ")}'`;
  }
  throw new TypeError(`literal(): no Athena literal for a value of type ${typeof value}`);
}

function trinoNumber(value: number): string {
  if (Number.isNaN(value)) return "nan()";
  if (value === Infinity) return "infinity()";
  if (value === -Infinity) return "-infinity()";
  const text = String(value).toUpperCase();
  if (Number.isInteger(value) || text.includes("E")) return text;
  return `${text}E0`;
}

/** A location as a directory with exactly one trailing slash (`s3://b/p/`), as Athena expects. */
export function directory(location: string): string {
  return `${location.replace(/\/+$/, "")}/`;
}
