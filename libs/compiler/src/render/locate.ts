import { positionAt } from "@sluice/project/diagnostics";
import type { SourceLocation } from "@sluice/project";
import { escapeRegExp } from "../escape-regexp.js";

/**
 * Where a call like `ref('orders')` sits in a template, found in its text: nunjucks does not
 * tell a global function where it was called from. `args` are the leading string arguments to
 * match; falls back to the first call of `fn`, then to the start of the file.
 */
export function locateCall(
  file: string,
  text: string,
  fn: string,
  args: readonly string[] = [],
): SourceLocation {
  const head = `\\b${escapeRegExp(fn)}\\s*\\(`;
  const patterns: RegExp[] = [];
  if (args.length > 0) {
    const rest = args
      .map((a, i) => `${i === 0 ? "" : "\\s*,"}\\s*(['"])${escapeRegExp(a)}\\${i + 1}`)
      .join("");
    patterns.push(new RegExp(head + rest));
  }
  patterns.push(new RegExp(head));
  for (const re of patterns) {
    // An argument too long for a regular expression (V8 compiles one when first run, and
    // refuses a pattern of ~100,000 characters): the next pattern, the call alone.
    let m: RegExpExecArray | null = null;
    try {
      m = re.exec(text);
    } catch {
      continue;
    }
    if (m) return { file, ...positionAt(text, m.index) };
  }
  return { file, line: 1, column: 1 };
}
