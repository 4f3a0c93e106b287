const TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const TRAILING_COMMA = /,(\s*[)\]])/g;
const HAS_TRAILING_COMMA = /,\s*[)\]]/;
// Where any of the statement rewrites below could match: each of their patterns starts so.
const MAY_REWRITE = /\{%-?\s*(?:test\s|endtest|do\s|set\s+\w+\.)/;

/**
 * dbt's Jinja statements that nunjucks does not have, rewritten to nunjucks before compiling.
 * Every rewrite keeps the text's lines, so errors still point at the user's line.
 *
 * - `{% test name(model, column_name) %}...{% endtest %}` → the macro `test_name` (dbt's
 *   generic test definition; the compiler looks tests up under that name).
 * - `{% do expr %}` → `{% set __do = expr %}` (evaluate, print nothing).
 * - `{% set ns.attr = expr %}` (a `namespace()` attribute) → a call of the namespace's setter.
 * - A trailing comma before `)` or `]` in a tag (`config(unique_key='id',)`, which Jinja2 and
 *   Python accept) becomes a space.
 * - `{% materialization %}` blocks are not rewritten: a macro file's are skipped with a warning
 *   before it compiles (materialization-blocks.ts); elsewhere nunjucks reports them as unknown
 *   tags at their position (`{% snapshot %}` blocks are cut out of snapshot files when they load).
 *
 * @example bridgeJinja("{% test is_even(model, column_name) %}...{% endtest %}")
 * // "{% macro test_is_even(model, column_name) %}...{% endmacro %}"
 */
export function bridgeJinja(text: string): string {
  if (!text.includes("{%") && !text.includes("{{")) return text;
  // A tag can only hold a trailing comma if the text does: most models have none, and the tag
  // pass would copy every tag for nothing.
  const commas = HAS_TRAILING_COMMA.test(text)
    ? text.replace(TAG, (tag) => tag.replace(TRAILING_COMMA, " $1"))
    : text;
  // One search instead of four passes over most models, which use none of these statements.
  return MAY_REWRITE.test(commas) ? rewriteJinjaStatements(commas) : commas;
}

/**
 * {@link bridgeJinja}'s statement rewrites (test blocks, `do`, namespace `set`), each applied to
 * the whole text: what bridgeJinja skips when `MAY_REWRITE` finds no place one could match.
 */
export function rewriteJinjaStatements(text: string): string {
  return text
    .replace(/(\{%-?\s*)test(\s+)(\w+)(\s*\()/g, "$1macro$2test_$3$4")
    .replace(/(\{%-?\s*)endtest(\s*-?%\})/g, "$1endmacro$2")
    .replace(/(\{%-?\s*)do(\s)/g, "$1set __do =$2")
    .replace(
      /(\{%-?\s*)set\s+(\w+)\.(\w+)\s*=([\s\S]*?)(-?%\})/g,
      "$1set __do = $2.__setattr__('$3', $4)$5",
    );
}
