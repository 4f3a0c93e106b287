import { error } from "@sluice/project";
import type { Diagnostic } from "@sluice/project";

interface NunjucksError {
  message?: string;
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

/**
 * A nunjucks parse or render error as a TEMPLATE_SYNTAX diagnostic at file:line:column.
 * Parser errors and undefined outputs carry 1-based positions; errors wrapped at runtime
 * (`Unable to call ...`, unknown filters) carry nunjucks' 0-based ones.
 */
export function templateErrorDiagnostic(file: string, e: unknown): Diagnostic {
  const err = (e ?? {}) as NunjucksError;
  const zeroBased = err.cause !== undefined;
  const line = (err.lineno ?? 0) + (zeroBased ? 1 : 0);
  const column = (err.colno ?? 0) + (zeroBased ? 1 : 0);
  const lines = String(err.message ?? e).split("\n");
  // nunjucks prefixes "(path) [Line l, Column c]" on its own line: drop it.
  const body = (lines[0]?.startsWith("(") ? lines.slice(1) : lines).join(" ").trim();
  const message = body.replace(/^(Template render error:\s*)?(\w*Error:\s*)?/, "");
  return error("TEMPLATE_SYNTAX", message, {
    file,
    line: Math.max(1, line),
    column: Math.max(1, column),
  });
}
