import { error } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import { positionAt } from "@sluice/project/diagnostics";
import { closestHint } from "@sluice/project/suggest";

interface NunjucksError {
  message?: string;
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

/** What a template error is reported against: the template's text and the names it could use. */
export interface TemplateErrorContext {
  text: string;
  /** Globals: macros and context functions (ref, source, var, config, ...). */
  globals: readonly string[];
  filters: readonly string[];
}

/**
 * A nunjucks parse or render error as a TEMPLATE_SYNTAX diagnostic at file:line:column.
 * Parser errors and undefined outputs carry 1-based positions; errors wrapped at runtime
 * (`Unable to call ...`, unknown filters) carry nunjucks' 0-based ones. With the template's
 * text: a block, loop or comment left open is reported at its opening tag (nunjucks says
 * "end of file" at 1:1), an unknown filter at its use, and an unknown macro or filter gets
 * "did you mean".
 *
 * @example
 * templateErrorDiagnostic("m.sql", err, { text: "select 1\n{% if x %}\n", globals: [], filters: [] });
 * // m.sql:2:1 "{% if %} is never closed: expected {% endif %}"
 */
export function templateErrorDiagnostic(
  file: string,
  e: unknown,
  context?: TemplateErrorContext,
): Diagnostic {
  const err = (e ?? {}) as NunjucksError;
  const zeroBased = err.cause !== undefined;
  const line = (err.lineno ?? 0) + (zeroBased ? 1 : 0);
  const column = (err.colno ?? 0) + (zeroBased ? 1 : 0);
  const lines = String(err.message ?? e).split("\n");
  // nunjucks prefixes "(path) [Line l, Column c]" on its own line: drop it.
  const body = (lines[0]?.startsWith("(") ? lines.slice(1) : lines).join(" ").trim();
  const message = body.replace(/^(Template render error:\s*)?(\w*Error:\s*)?/, "");
  const at = { file, line: Math.max(1, line), column: Math.max(1, column) };
  if (!context) return error("TEMPLATE_SYNTAX", message, at);

  if (/end of (file|comment)/.test(message)) {
    const open = unclosed(context.text);
    if (open)
      return error(
        "TEMPLATE_SYNTAX",
        open.tag === "#"
          ? "{# is never closed: expected #}"
          : `{% ${open.tag} %} is never closed: expected {% end${open.tag} %}`,
        { file, line: open.line, column: open.column },
        open.tag === "#" ? "close the comment with #}" : `add {% end${open.tag} %} after the block`,
      );
  }
  const filter = /^filter not found: (\w+)/.exec(message)?.[1];
  if (filter) {
    const use = new RegExp(`\\|\\s*${filter}\\b`).exec(context.text);
    const where = use ? { file, ...positionAt(context.text, use.index) } : at;
    return error(
      "TEMPLATE_SYNTAX",
      `unknown filter '${filter}'`,
      where,
      closestHint(filter, context.filters),
    );
  }
  const call = /^Unable to call `(\w+)`, which is undefined/.exec(message)?.[1];
  if (call) {
    // nunjucks points into the call's arguments: point at the name, on the same line.
    const lineText = context.text.split("\n")[at.line - 1] ?? "";
    const name = new RegExp(`\\b${call}\\s*\\(`).exec(lineText);
    return error(
      "TEMPLATE_SYNTAX",
      `'${call}' is not a macro or function`,
      name ? { ...at, column: name.index + 1 } : at,
      closestHint(call, context.globals) ?? "macros come from the project's macro-paths",
    );
  }
  // dbt projects' renderer prints None (only undefined fails); sluice projects' fails on both.
  if (/^attempted to output (null or )?undefined value$/.test(message)) {
    const output = outputAt(context.text, at.line, at.column);
    if (output) return undefinedOutput(output, at, context);
  }
  return error("TEMPLATE_SYNTAX", message, at);
}

/** dbt context members sluice does not provide, and what to write instead. */
const NOT_PROVIDED: Record<string, string> = {
  selected_resources:
    "sluice does not provide dbt's selected_resources: select with --select on the command line",
};

/** The expression of the `{{ ... }}` that starts at `line`:`column` (1-based), if one does. */
function outputAt(text: string, line: number, column: number): string | undefined {
  const lines = text.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  if (!text.startsWith("{{", start)) return undefined;
  const end = text.indexOf("}}", start + 2);
  if (end < 0) return undefined;
  return text
    .slice(start + 2, end)
    .replace(/^-|-$/g, "")
    .trim();
}

/**
 * `{{ name }}` or `{{ a.b }}` that rendered nothing defined (nunjucks says only "attempted to
 * output undefined value"): the expression named, with a closest name or what to do instead.
 */
function undefinedOutput(
  expression: string,
  at: { file: string; line: number; column: number },
  context: TemplateErrorContext,
): Diagnostic {
  const name = /^[A-Za-z_]\w*$/.test(expression) ? expression : undefined;
  const shown = expression.length > 60 ? `${expression.slice(0, 57)}...` : expression;
  const hint =
    name === undefined
      ? "a member that does not exist, or a name nothing defines: check each part of the expression"
      : (NOT_PROVIDED[name] ??
        closestHint(name, context.globals) ??
        `define it with {% set ${name} = ... %}, or read a project variable with var('${name}')`);
  return error("TEMPLATE_SYNTAX", `{{ ${shown} }} is undefined`, at, hint);
}

/** Tags that open a block closed by `end<tag>`. */
const BLOCKS = new Set(["if", "for", "macro", "call", "filter", "set", "block", "raw"]);

/**
 * The innermost block tag or comment still open at the end of a template, by its position:
 * what nunjucks reports as "unexpected end of file".
 */
function unclosed(text: string): { tag: string; line: number; column: number } | undefined {
  const open: { tag: string; index: number }[] = [];
  const tags = /\{#|\{%-?\s*(\w+)([^%]*?)-?%\}/g;
  for (let m = tags.exec(text); m; m = tags.exec(text)) {
    if (m[0] === "{#") {
      const end = text.indexOf("#}", m.index + 2);
      if (end < 0) return { tag: "#", ...positionAt(text, m.index) };
      tags.lastIndex = end + 2;
      continue;
    }
    const tag = m[1]!;
    // `{% set x = 1 %}` is a statement; only `{% set x %}...{% endset %}` is a block.
    if (tag === "set" && m[2]!.includes("=")) continue;
    if (BLOCKS.has(tag)) open.push({ tag, index: m.index });
    else if (tag.startsWith("end") && open.at(-1)?.tag === tag.slice(3)) open.pop();
  }
  const last = open.at(-1);
  return last ? { tag: last.tag, ...positionAt(text, last.index) } : undefined;
}
