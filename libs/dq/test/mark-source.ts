import { positionAt } from "@sluice/project";

/** Remove the `‸` marker from a source and return where it was (Malloy's markSource idea). */
export function markSource(marked: string): { text: string; line: number; column: number } {
  const offset = marked.indexOf("‸");
  if (offset < 0) throw new Error("no ‸ marker in the source");
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { text, ...positionAt(text, offset) };
}
