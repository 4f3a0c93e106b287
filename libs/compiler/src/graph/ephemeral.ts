/** Name of the CTE an ephemeral model becomes inside the models that ref it. */
export function cteName(model: string): string {
  return `__sluice_cte__${model}`;
}

/**
 * What a node reads once ephemeral models are inlined: its own dependencies plus, for each
 * ephemeral among them, everything the ephemeral reads (already expanded, since ephemerals
 * compile first). The runner never runs ephemerals, so without these a model could run
 * before a table its inlined ephemeral selects from.
 *
 * @example throughEphemerals(["model.eph"], new Map([["model.eph", { materialization: "ephemeral", dependsOn: ["model.t"] }]]))
 * // ["model.eph", "model.t"]
 */
export function throughEphemerals(
  deps: readonly string[],
  nodes: ReadonlyMap<string, { materialization: string; dependsOn: readonly string[] }>,
): string[] {
  // Most nodes read no ephemeral: their own dependencies, without repeats, and no array per id.
  if (!deps.some((id) => nodes.get(id)?.materialization === "ephemeral"))
    return deps.length < 2 ? [...deps] : [...new Set(deps)];
  return [
    ...new Set(
      deps.flatMap((id) => {
        const dep = nodes.get(id);
        return dep?.materialization === "ephemeral" ? [id, ...dep.dependsOn] : [id];
      }),
    ),
  ];
}

/** Offset of the first token after leading whitespace and SQL comments. */
function firstTokenOffset(sql: string): number {
  let i = 0;
  for (;;) {
    const rest = sql.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest.startsWith("--")) {
      const nl = rest.indexOf("\n");
      i = nl === -1 ? sql.length : i + nl + 1;
      continue;
    }
    if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/");
      i = end === -1 ? sql.length : i + end + 2;
      continue;
    }
    return i;
  }
}

/**
 * Prepend ephemeral models as CTEs (dependencies first). A query that already starts with
 * `WITH` gets them merged into its own WITH list, since SQL allows only one.
 *
 * @example inlineCtes("select * from __sluice_cte__a", [{ name: "a", sql: "select 1 as x" }])
 * // "with __sluice_cte__a as (\nselect 1 as x\n)\nselect * from __sluice_cte__a"
 */
export function inlineCtes(sql: string, ctes: readonly { name: string; sql: string }[]): string {
  if (ctes.length === 0) return sql;
  const list = ctes.map((c) => `${cteName(c.name)} as (\n${c.sql.trim()}\n)`).join(",\n");
  const start = firstTokenOffset(sql);
  const withClause = /^with(\s+recursive)?\s+/i.exec(sql.slice(start));
  if (!withClause) return `with ${list}\n${sql.trimStart()}`;
  const keyword = withClause[1] ? "with recursive" : "with";
  return `${sql.slice(0, start)}${keyword} ${list},\n${sql.slice(start + withClause[0].length)}`;
}
