import { bridgeJinja } from "../render/jinja-bridge.js";
import { parseSimpleTemplate } from "../render/simple-template.js";
import type { SimplePart } from "../render/simple-template.js";

/**
 * A model template's skeleton: its tags (`{{ ... }}`, `{% set %}`, `{% if %}` with what each
 * branch holds), without its literal text, as one string; undefined when the template is not of
 * the simple kind (see simple-template.ts: anything else may capture literal text, e.g.
 * `{% set x %}...{% endset %}`, `{% call %}`, `{% macro %}`, or read another file).
 *
 * Two texts with the same skeleton render through the same calls with the same arguments in the
 * same order: they read the same refs, sources, vars, env vars and macros and set the same
 * config(); they differ only in the literal SQL between the tags (and in where the tags sit).
 * An edit that keeps the skeleton changes what the model's SQL says, never what it depends on.
 *
 * @example
 * templateSkeleton("select 1 from {{ ref('a') }}") === templateSkeleton("select 2 from {{ ref('a') }} -- x")
 * templateSkeleton("select 1 from {{ ref('a') }}") !== templateSkeleton("select 1 from {{ ref('b') }}")
 */
export function templateSkeleton(text: string): string | undefined {
  const parts = parseSimpleTemplate(bridgeJinja(text));
  return parts && JSON.stringify(tagsOf(parts));
}

/** The parts but literal text: a literal run's length or presence never changes a call. */
function tagsOf(parts: readonly SimplePart[]): unknown[] {
  const tags: unknown[] = [];
  for (const part of parts) {
    if (typeof part === "string") continue;
    tags.push(
      "if" in part ? { if: part.if, then: tagsOf(part.then), else: tagsOf(part.else) } : part,
    );
  }
  return tags;
}
