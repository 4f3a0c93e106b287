import type { SourceLocation } from "@sluice/project";
import { newScope } from "../render/render-scope.js";
import type { CompileContext } from "./compile-context.js";

/**
 * A description from properties YAML, rendered as dbt renders it (`'{{ doc("orders_status") }}'`
 * becomes the docs block's text). Text without Jinja is returned as it is; a template error is a
 * diagnostic at the description and the raw text is kept.
 */
export function renderDescription(
  ctx: CompileContext,
  text: string | undefined,
  at: SourceLocation,
): string | undefined {
  if (text === undefined || !/\{\{|\{%/.test(text)) return text;
  const template = ctx.renderer.compile(at.file, text);
  if ("code" in template) {
    ctx.diagnostics.add({ ...template, at });
    return text;
  }
  const scope = newScope({
    file: at.file,
    text,
    isIncremental: false,
    resolveRef: (n) => ctx.dialect.quoteIdentifier(n),
    resolveSource: (s, t) => `${ctx.dialect.quoteIdentifier(s)}.${ctx.dialect.quoteIdentifier(t)}`,
  });
  const out = ctx.renderer.render(template, scope);
  scope.diagnostics.forEach((d) => ctx.diagnostics.add({ ...d, at }));
  return out ?? text;
}
