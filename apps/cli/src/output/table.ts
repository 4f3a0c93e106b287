/**
 * A plain-text table with a header rule, right-aligned numbers and a width cap per cell.
 *
 * @example
 * renderTable(["model", "rows"], [["silver.events", 50123]]);
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[], maxCell = 60): string {
  const cells = rows.map((r) => r.map((v) => clip(formatCell(v), maxCell)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => isNumberLike(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** Numbers, empty cells and numeric text are right-aligned. */
function isNumberLike(v: unknown): boolean {
  return v === null || v === undefined || v === "" || typeof v === "number" || typeof v === "bigint" || (typeof v === "string" && /^-?[\d,]+(\.\d+)?$/.test(v));
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : String(Math.round(value * 1e4) / 1e4);
  if (typeof value === "bigint") return value.toLocaleString("en-US");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Values to CSV (RFC 4180 quoting). */
export function renderCsv(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const quote = (v: unknown): string => {
    const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers.map(quote).join(","), ...rows.map((r) => r.map(quote).join(","))].join("\n");
}
