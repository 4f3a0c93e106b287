import { CsvError, parse } from "csv-parse/sync";
import { csvErrorPosition } from "./csv-error-position.js";
import { error } from "./diagnostics.js";
import type { Diagnostic, SourceLocation } from "./diagnostics.js";
import { glueNameProblem, glueNameSuggestion } from "./glue-name.js";
import type { ProjectFile, SeedFile } from "./types.js";

/**
 * Parse a seed CSV (header row required, cells kept as text). A malformed file gives a
 * SEED_INVALID diagnostic at the line and column csv-parse stopped at, and no seed; so does a
 * header with a blank name or names equal but for case. A header name Glue does not accept is a
 * NAME_INVALID diagnostic with the suggested name.
 */
export function parseSeed(file: ProjectFile): { seed?: SeedFile; diagnostics: Diagnostic[] } {
  const name = file.path.slice(file.path.lastIndexOf("/") + 1).replace(/\.csv$/i, "");
  const fail = (message: string, at: Omit<SourceLocation, "file">, hint?: string) => ({
    diagnostics: [
      error("SEED_INVALID", `seed '${name}': ${message}`, { file: file.path, ...at }, hint),
    ],
  });
  let records: string[][];
  try {
    records = parse(file.text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const csv = e as CsvError & { lines?: number };
    const message = csv.message.replace(/^Invalid Record Length: /, "");
    const hint = csv.code.includes("QUOTE")
      ? 'quote the whole cell and double inner quotes: "5 ft 11"""'
      : undefined;
    return fail(message, csvErrorPosition(file.text, { code: csv.code, lines: csv.lines }), hint);
  }
  const [header, ...rows] = records;
  if (!header) return fail("it is empty; a header row is required", { line: 1, column: 1 });
  const columns = headerColumns(file.text, header);
  const blank = header.findIndex((h) => h.trim() === "");
  if (blank >= 0) return fail(`column ${blank + 1} of the header has no name`, columns[blank]!);
  const lower = header.map((h) => h.toLowerCase());
  const dup = lower.findIndex((h, i) => lower.indexOf(h) !== i);
  if (dup >= 0) {
    const first = header[lower.indexOf(lower[dup]!)]!;
    const same = first === header[dup] ? "appears twice" : `and '${first}' differ only in case`;
    return fail(
      `column '${header[dup]}' ${same} in the header`,
      columns[dup]!,
      "column names are case-insensitive; rename one",
    );
  }
  const diagnostics = header.flatMap((h, i) => {
    const problem = glueNameProblem(h);
    if (!problem) return [];
    return [
      error(
        "NAME_INVALID",
        `seed '${name}': column name '${h}' ${problem}`,
        { file: file.path, ...columns[i]! },
        `rename the column to '${glueNameSuggestion(h)}'`,
      ),
    ];
  });
  return { seed: { ...file, name, columns: header, rows }, diagnostics };
}

/** Where each header cell starts on the first line (found in order; quoted cells at the quote). */
function headerColumns(
  text: string,
  header: readonly string[],
): { line: number; column: number }[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  let from = 0;
  return header.map((h) => {
    const i = first.indexOf(h, from);
    if (i < 0) return { line: 1, column: from + 1 };
    from = i + h.length;
    const quoted = first[i - 1] === '"';
    return { line: 1, column: (quoted ? i - 1 : i) + 1 };
  });
}
