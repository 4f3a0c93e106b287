import type nunjucks from "nunjucks";
import { isKwargs, type Kwargs } from "./kwargs.js";
import { pythonFormat, pythonTruth } from "./python-operators.js";

/** `a.b.c` of a value, as Jinja2's attribute lookups (`attribute='column.name'`) read it. */
const attribute = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, key) => (v === null || v === undefined ? v : (v as never)[key]), value);

/** A filter's input as a list (none is empty). */
const listOf = (items: unknown): unknown[] =>
  Array.isArray(items)
    ? items
    : items === null || items === undefined
      ? []
      : [...(items as Iterable<unknown>)];

/**
 * Jinja2's filters nunjucks lacks or has differently that dbt projects use, added to an
 * environment: `map(attribute='name')` (with `default=`; `attribute=0` an index) and `map('upper')` (a filter by name,
 * with its arguments): `{{ columns | map(attribute='name') | join(', ') }}`;
 * `selectattr`/`rejectattr` with a test and its argument (`selectattr('type', 'equalto',
 * 'model')`: nunjucks ignored both and kept the truthy items, silently); `format`
 * (`'%s-%s' | format(a, b)`, Python's `%`).
 */
export function addJinjaFilters(env: nunjucks.Environment): void {
  env.addFilter("map", (items: unknown, ...args: unknown[]) => {
    const list = listOf(items);
    const kw = isKwargs(args.at(-1)) ? (args.pop() as Kwargs) : {};
    // An integer attribute is an index, as Jinja2's getitem: `rows | map(attribute=0)`.
    if (typeof kw.attribute === "string" || typeof kw.attribute === "number") {
      const path = String(kw.attribute);
      return list.map((v) => attribute(v, path) ?? kw.default);
    }
    const [name, ...rest] = args;
    const filter = env.getFilter(String(name)) as (...a: unknown[]) => unknown;
    return list.map((v) => filter(v, ...rest));
  });
  for (const [name, keep] of [
    ["selectattr", true],
    ["rejectattr", false],
  ] as const) {
    env.addFilter(name, function (this: unknown, items: unknown, ...args: unknown[]) {
      const [path, test, ...rest] = args as [string, string | undefined, ...unknown[]];
      const check =
        test === undefined
          ? undefined
          : (env as unknown as { getTest(name: string): Test }).getTest(test);
      return listOf(items).filter((item) => {
        const value = attribute(item, String(path));
        const ok = check ? check.call(this, value, ...rest) === true : pythonTruth(value);
        return ok === keep;
      });
    });
  }
  env.addFilter("format", (text: unknown, ...args: unknown[]) => {
    const kw = isKwargs(args.at(-1)) ? (args.pop() as Kwargs) : undefined;
    if (!kw) return pythonFormat(String(text), args);
    const { __keywords: _, ...named } = kw;
    return pythonFormat(String(text), named);
  });
}

type Test = (this: unknown, value: unknown, ...args: unknown[]) => unknown;
