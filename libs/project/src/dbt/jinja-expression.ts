import nunjucks from "nunjucks";

/** A Jinja expression's value, or why it has none. */
export type ExpressionResult = { value: unknown } | { error: string };

let environment: nunjucks.Environment | undefined;

/**
 * Evaluate one Jinja expression (the inside of `{{ }}`) against `context`, keeping the value's
 * type: dbt renders dbt_project.yml natively, so `{{ target.name == 'prod' }}` is a boolean and
 * `{{ target.threads }}` a number. A syntax error, an error thrown by a context function and an
 * undefined result (`target.nmae`) are errors, never an empty string.
 *
 * @example evaluateExpression("'table' if target.name == 'prod' else 'view'", { target: { name: "dev" } })
 * // { value: "view" }
 */
export function evaluateExpression(
  expr: string,
  context: Readonly<Record<string, unknown>>,
): ExpressionResult {
  environment ??= new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  let value: unknown;
  const capture = (v: unknown): string => {
    value = v;
    return "";
  };
  try {
    environment.renderString(`{{ __sluice_capture((${expr})) }}`, {
      ...context,
      __sluice_capture: capture,
    });
  } catch (error) {
    return { error: reason(error) };
  }
  return value === undefined ? { error: "it is undefined" } : { value };
}

/** The last line of a nunjucks error, without its `(unknown path) [Line 1, Column 9]` head. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((l) => l.trim());
  const last = lines.filter((l) => l !== "" && !/^\(unknown path\)/.test(l)).at(-1) ?? text;
  return last.replace(/^Error: /, "");
}
