/**
 * dbt's source freshness query: the newest `loaded_at_field` (an SQL expression, as dbt takes
 * it) of a relation, over the rows `filter` keeps. `relation` is already quoted by the dialect.
 *
 * @example freshnessSql('"raw"."orders"', "loaded_at", "loaded_at > now() - interval '1' day")
 * // SELECT MAX(loaded_at) AS max_loaded_at FROM "raw"."orders" WHERE (loaded_at > ...)
 */
export function freshnessSql(relation: string, loadedAtField: string, filter?: string): string {
  const where = filter === undefined ? "" : ` WHERE (${filter})`;
  return `SELECT MAX(${loadedAtField}) AS max_loaded_at FROM ${relation}${where}`;
}
