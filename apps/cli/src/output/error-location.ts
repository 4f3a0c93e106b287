/**
 * Where an engine's error points, in the user's files. DuckDB ends a syntax or binder error with
 * the failing line of the statement it ran and a caret under the column:
 *
 *     LINE 13:         chanel,
 *                      ^
 *
 * The statement wraps the model's compiled SELECT, so the line is found by its text: in the
 * compiled file, then in the model's source file (the occurrence nearest to the compiled line,
 * shifted by the lines the template adds). Undefined when the message has no such line or the
 * text is in neither file (e.g. a line of a statement sluice wrote around the SELECT).
 *
 * @example
 * errorLocation('...\n\nLINE 2:   chanel,\n          ^', "select\n  chanel,", "{{ config() }}\nselect\n  chanel,");
 * // { compiled: { line: 2, column: 3 }, source: { line: 3, column: 3 } }
 */
export function errorLocation(
  message: string,
  compiledText: string,
  sourceText: string | undefined,
): { compiled: Position; source?: Position } | undefined {
  const m = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return undefined;
  const excerpt = m[2]!.replace(/^\.\.\./, "").replace(/\.\.\.$/, "");
  const caret = m[3]!.length - `LINE ${m[1]}: `.length;
  const wanted = excerpt.trim();
  if (wanted === "") return undefined;
  const compiledLines = compiledText.split("\n");
  const compiledLine = nearest(compiledLines, wanted, 1);
  if (compiledLine === undefined) return undefined;
  // The column within the excerpt, moved to where the excerpt's text starts on each line.
  const columnIn = (line: string): number =>
    line.indexOf(wanted) + (caret - (excerpt.length - excerpt.trimStart().length)) + 1;
  const compiled = { line: compiledLine, column: columnIn(compiledLines[compiledLine - 1]!) };
  if (sourceText === undefined) return { compiled };
  const sourceLines = sourceText.split("\n");
  const shift = sourceLines.length - compiledLines.length;
  const sourceLine = nearest(sourceLines, wanted, compiledLine + shift);
  return sourceLine === undefined
    ? { compiled }
    : { compiled, source: { line: sourceLine, column: columnIn(sourceLines[sourceLine - 1]!) } };
}

export interface Position {
  line: number;
  column: number;
}

/** 1-based number of the line containing `text` nearest to line `near`. */
function nearest(lines: readonly string[], text: string, near: number): number | undefined {
  let best: number | undefined;
  lines.forEach((l, i) => {
    if (l.includes(text) && (best === undefined || Math.abs(i + 1 - near) < Math.abs(best - near)))
      best = i + 1;
  });
  return best;
}
