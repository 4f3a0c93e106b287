import type { ColumnInfo } from "./engine.js";

/**
 * A result's columns with names a row object can key: a query may return two columns of one
 * name (`select 1 as a, 2 as a`, a join's `select *`), and keyed by name the second replaced
 * the first in every row. A repeated name gets `:<n>` (`a`, `a:1`), DuckDB node-api's spelling,
 * skipping any name the result already has; the name as the query gave it is kept in
 * `sourceName` for the caller to say so. Columns named once are returned as they were.
 *
 * @example
 * uniqueColumns([{ name: "a", type: "integer" }, { name: "a", type: "integer" }]);
 * // [{ name: "a", type: "integer" }, { name: "a:1", type: "integer", sourceName: "a" }]
 */
export function uniqueColumns(columns: readonly ColumnInfo[]): ColumnInfo[] {
  const taken = new Set(columns.map((c) => c.name));
  if (taken.size === columns.length) return [...columns];
  const seen = new Map<string, number>();
  return columns.map((column) => {
    const count = seen.get(column.name) ?? 0;
    seen.set(column.name, count + 1);
    if (count === 0) return column;
    let n = count;
    while (taken.has(`${column.name}:${n}`)) n++;
    const name = `${column.name}:${n}`;
    taken.add(name);
    return { ...column, name, sourceName: column.name };
  });
}

/** A row's values (in column order) as an object keyed by `columns`' names. */
export function rowObject(columns: readonly ColumnInfo[], values: readonly unknown[]) {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!.name] = values[i];
  return row;
}
