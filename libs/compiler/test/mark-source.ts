import type { SourceLocation } from "@sluice/project";

const MARK = "⟨here⟩";

/**
 * Remove the `⟨here⟩` marker from a fixture text and say where it was (1-based), so tests state
 * error positions in the fixture itself.
 */
export function markSource(file: string, marked: string): { text: string; at: SourceLocation } {
  const offset = marked.indexOf(MARK);
  if (offset === -1) throw new Error(`no ${MARK} in fixture`);
  const before = marked.slice(0, offset);
  const lines = before.split("\n");
  return {
    text: before + marked.slice(offset + MARK.length),
    at: { file, line: lines.length, column: lines[lines.length - 1]!.length + 1 },
  };
}
