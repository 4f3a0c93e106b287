import { positionAt } from "./diagnostics.js";

const endsField = (c: string | undefined) =>
  c === undefined || c === "," || c === "\n" || c === "\r";

/**
 * Offset of the first quote mistake in a CSV text, by an RFC 4180 scan: a quote inside an
 * unquoted field, a closing quote followed by something other than a delimiter (the offset of
 * that character), or a quoted field never closed (the offset of its opening quote).
 */
export function quoteMistakeOffset(text: string): number | undefined {
  let quoted = false;
  let fieldStart = true;
  let openedAt = 0;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') continue;
      if (text[i + 1] === '"') i++;
      else if (endsField(text[i + 1])) quoted = false;
      else return i + 1;
    } else if (c === '"') {
      if (!fieldStart) return i;
      quoted = true;
      openedAt = i;
    } else fieldStart = endsField(c);
  }
  return quoted ? openedAt : undefined;
}

/**
 * 1-based line and column of a csv-parse error in `text`. csv-parse gives the line (`lines`) but
 * its `column` is a field index, so quote errors are located by {@link quoteMistakeOffset}; other
 * errors point at the start of their line.
 */
export function csvErrorPosition(
  text: string,
  e: { code: string; lines?: number },
): { line: number; column: number } {
  const offset = e.code.includes("QUOTE") ? quoteMistakeOffset(text) : undefined;
  if (offset !== undefined) return positionAt(text, offset);
  return { line: e.lines ?? 1, column: 1 };
}
