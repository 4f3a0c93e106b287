import { parse } from "csv-parse/sync";
import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import type { ProjectFile, SeedFile } from "./types.js";

/**
 * Parse a seed CSV (header row required, cells kept as text). A malformed file gives a
 * SEED_INVALID diagnostic with the line csv-parse stopped at, and no seed.
 */
export function parseSeed(file: ProjectFile): { seed?: SeedFile; diagnostics: Diagnostic[] } {
  const name = file.path.slice(file.path.lastIndexOf("/") + 1).replace(/\.csv$/i, "");
  let records: string[][];
  try {
    records = parse(file.text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    const csv = e as Error & { code?: unknown; lines?: number };
    if (typeof csv.code !== "string" || !csv.code.startsWith("CSV_")) throw e;
    const line = csv.lines ?? 1;
    const message = csv.message.replace(/^Invalid Record Length: /, "");
    return { diagnostics: [error("SEED_INVALID", `seed '${name}': ${message}`, { file: file.path, line, column: 1 })] };
  }
  const [header, ...rows] = records;
  if (!header) {
    return {
      diagnostics: [error("SEED_INVALID", `seed '${name}' is empty; a header row is required`, { file: file.path, line: 1, column: 1 })],
    };
  }
  const blank = header.findIndex((h) => h.trim() === "");
  const dup = header.findIndex((h, i) => header.indexOf(h) !== i);
  if (blank >= 0 || dup >= 0) {
    const message = blank >= 0 ? `column ${blank + 1} of the header has no name` : `column '${header[dup]}' appears twice in the header`;
    return { diagnostics: [error("SEED_INVALID", `seed '${name}': ${message}`, { file: file.path, line: 1, column: 1 })] };
  }
  return { seed: { ...file, name, columns: header, rows }, diagnostics: [] };
}
