import { error, positionAt } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import type { DocBlock, ProjectFile } from "../types.js";

const OPEN = /\{%-?\s*docs\s+(\w+)\s*-?%\}/g;
const CLOSE = /\{%-?\s*enddocs\s*-?%\}/g;

/**
 * The `{% docs name %}...{% enddocs %}` blocks of a markdown file. A block never closed is a
 * TEMPLATE_SYNTAX error at its opening tag.
 *
 * @example parseDocBlocks({ path: "models/docs.md", text: "{% docs a %}A{% enddocs %}", absPath })
 * // { blocks: [{ name: "a", text: "A", at: { file: "models/docs.md", line: 1, column: 1 } }] }
 */
export function parseDocBlocks(file: ProjectFile): {
  blocks: DocBlock[];
  diagnostics: Diagnostic[];
} {
  const blocks: DocBlock[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const open of file.text.matchAll(OPEN)) {
    const at = { file: file.path, ...positionAt(file.text, open.index) };
    const start = open.index + open[0].length;
    CLOSE.lastIndex = start;
    const close = CLOSE.exec(file.text);
    if (!close) {
      diagnostics.push(
        error(
          "TEMPLATE_SYNTAX",
          `docs block '${open[1]}' is never closed`,
          at,
          "end it with {% enddocs %}",
        ),
      );
      continue;
    }
    blocks.push({ name: open[1]!, text: file.text.slice(start, close.index).trim(), at });
  }
  return { blocks, diagnostics };
}
