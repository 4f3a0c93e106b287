import { stringify } from "csv-stringify/sync";
import fullWidth from "string-width";
import { grouped } from "@sluice/runner/grouped-number";

/** Terminal columns of a cell: printable ASCII is one column a character (string-width is ~1 µs a call). */
const stringWidth = (s: string): number => (/^[\x20-\x7e]*$/.test(s) ? s.length : fullWidth(s));

/**
 * A plain-text table with a header rule, right-aligned numbers and a width cap per cell. Widths
 * are terminal columns (string-width), so CJK, emoji and combining marks line up.
 *
 * @example
 * renderTable(["model", "rows"], [["silver.events", 50123]]);
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  maxCell = 60,
): string {
  const cells = rows.map((r) => r.map((v) => clip(formatCell(v), maxCell)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => isNumberLike(r[i])));
  const widths = headers.map((h, i) =>
    Math.max(stringWidth(h), ...cells.map((r) => stringWidth(r[i] ?? ""))),
  );
  const pad = (v: string, i: number): string => {
    const fill = " ".repeat(Math.max(0, widths[i]! - stringWidth(v)));
    return numeric[i] ? fill + v : v + fill;
  };
  const line = (values: readonly string[]): string => values.map(pad).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
}

/** Numbers, empty cells and numeric text are right-aligned. */
function isNumberLike(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === "" ||
    typeof v === "number" ||
    typeof v === "bigint" ||
    (typeof v === "string" && /^-?[\d,]+(\.\d+)?(e[-+]?\d+)?$/i.test(v))
  );
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  // grouped: toLocaleString's text without loading ICU's locale data (~25 ms on a build's summary).
  if (typeof value === "number")
    return Number.isInteger(value) ? grouped(value) : String(Math.round(value * 1e4) / 1e4);
  if (typeof value === "bigint") return grouped(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** One line, at most `max` columns wide (the last one an ellipsis when cut). */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, " ");
  if (stringWidth(flat) <= max) return flat;
  let out = "";
  for (const ch of new Intl.Segmenter().segment(flat)) {
    if (stringWidth(out + ch.segment) > max - 1) break;
    out += ch.segment;
  }
  return `${out}…`;
}

/**
 * Values to CSV (RFC 4180 quoting, by csv-stringify): NULL as an empty field, bigint and
 * booleans as text (`true`), lists and structs as JSON.
 */
export function renderCsv(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  return renderCsvRows([headers, ...rows]);
}

/**
 * Rows as {@link renderCsv} writes them, without a header line: a streamed result's batches,
 * each printed as it comes after the header, make the same text as the whole result.
 */
export function renderCsvRows(rows: readonly (readonly unknown[])[]): string {
  const text = stringify(rows as unknown[][], {
    cast: {
      boolean: (v) => String(v),
      date: (v) => v.toISOString(),
      bigint: (v) => v.toString(),
      object: (v) =>
        JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)),
    },
  });
  return text.replace(/\n$/, "");
}
