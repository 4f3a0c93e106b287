import { readFileSync } from "node:fs";
import path from "node:path";
import { codeFrameColumns } from "@babel/code-frame";
import { formatDiagnostic } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { Io } from "../command.js";

/**
 * A diagnostic with its file relative to the current directory (`models/marts/funnel.sql`, not
 * `marts/funnel.sql`), so `path:line:col` opens in an editor or terminal from where the
 * command ran. Diagnostics hold project-relative paths.
 */
export function fromHere(d: Diagnostic, projectDir: string | undefined): Diagnostic {
  if (!d.at || projectDir === undefined) return d;
  const file = path.relative(process.cwd(), path.resolve(projectDir, d.at.file)) || d.at.file;
  return { ...d, at: { ...d.at, file } };
}

/**
 * Print diagnostics to stderr, errors last, with a count line; paths relative to the current
 * directory. Within a file they come in line order (files in the order they were reported).
 */
export function printDiagnostics(
  io: Io,
  diagnostics: readonly Diagnostic[],
  projectDir?: string,
): void {
  if (diagnostics.length === 0) return;
  for (const d of inReadingOrder(diagnostics)) {
    if (d.severity === "warn") io.onWarning?.();
    io.err(formatDiagnostic(fromHere(d, projectDir)));
    const frame = codeFrame(d, projectDir, io.color?.err ?? false);
    if (frame) io.err(frame);
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) io.err(`\n${errors} error${errors === 1 ? "" : "s"} found; nothing was run.`);
}

/** Warnings, then errors; by file (first reported first), line and column. */
function inReadingOrder(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const fileRank = new Map<string, number>();
  diagnostics.forEach((d, i) => {
    if (d.at && !fileRank.has(d.at.file)) fileRank.set(d.at.file, i);
  });
  const key = (d: Diagnostic, i: number): number[] => [
    d.severity === "warn" ? 0 : 1,
    d.at ? fileRank.get(d.at.file)! : i,
    d.at?.line ?? 0,
    d.at?.column ?? 0,
  ];
  return diagnostics
    .map((d, i) => ({ d, k: key(d, i) }))
    .sort((a, b) => {
      for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j]! - b.k[j]!;
      return 0;
    })
    .map(({ d }) => d);
}

/**
 * The lines around a diagnostic's position with a marker under its column (@babel/code-frame),
 * indented under the message; undefined when the file cannot be read or has no such line.
 */
export function codeFrame(
  d: Diagnostic,
  projectDir: string | undefined,
  color: boolean,
): string | undefined {
  if (!d.at || d.at.line < 1) return undefined;
  let text: string;
  try {
    text = readFileSync(path.resolve(projectDir ?? ".", d.at.file), "utf8");
  } catch {
    return undefined;
  }
  if (d.at.line > text.split("\n").length) return undefined;
  const frame = codeFrameColumns(
    text,
    { start: { line: d.at.line, column: d.at.column } },
    { highlightCode: color, forceColor: color, linesAbove: 2, linesBelow: 1 },
  );
  return frame
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
