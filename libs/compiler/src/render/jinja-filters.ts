import type nunjucks from "nunjucks";

type Kwargs = Record<string, unknown> & { __keywords?: true };
const isKwargs = (v: unknown): v is Kwargs =>
  typeof v === "object" && v !== null && (v as Kwargs).__keywords === true;

/** `a.b.c` of a value, as Jinja2's attribute lookups (`attribute='column.name'`) read it. */
const attribute = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, key) => (v === null || v === undefined ? v : (v as never)[key]), value);

/**
 * Jinja2's filters nunjucks lacks that dbt projects use, added to an environment:
 * `map(attribute='name')` (with `default=`) and `map('upper')` (a filter by name, with its
 * arguments): `{{ columns | map(attribute='name') | join(', ') }}`.
 */
export function addJinjaFilters(env: nunjucks.Environment): void {
  env.addFilter("map", (items: unknown, ...args: unknown[]) => {
    const list = Array.isArray(items)
      ? items
      : items === null || items === undefined
        ? []
        : [...(items as Iterable<unknown>)];
    const kw = isKwargs(args.at(-1)) ? (args.pop() as Kwargs) : {};
    if (typeof kw.attribute === "string") {
      const path = kw.attribute;
      return list.map((v) => attribute(v, path) ?? kw.default);
    }
    const [name, ...rest] = args;
    const filter = env.getFilter(String(name)) as (...a: unknown[]) => unknown;
    return list.map((v) => filter(v, ...rest));
  });
}
