/** A column of a table an incremental SELECT is written into. */
export interface IncomingColumn {
  name: string;
  /** The SELECT lacks it: a typed NULL of this (engine) type takes its place. */
  missingType?: string;
}

/**
 * `SELECT <columns> FROM (<selectSql>) AS sluice_incoming`: an incremental SELECT brought to a
 * table's columns, in order (on_schema_change), with typed NULLs for those it lacks. Shared by
 * the dialects, each with its own identifier quoting.
 *
 * @example
 * incomingColumnsSql(q, "select a from t", [{ name: "a" }, { name: "b", missingType: "bigint" }])
 * // SELECT "a", CAST(NULL AS bigint) AS "b" FROM (\nselect a from t\n) AS sluice_incoming
 */
export function incomingColumnsSql(
  quoteIdentifier: (name: string) => string,
  selectSql: string,
  columns: readonly IncomingColumn[],
): string {
  const list = columns.map((c) =>
    c.missingType === undefined
      ? quoteIdentifier(c.name)
      : `CAST(NULL AS ${c.missingType}) AS ${quoteIdentifier(c.name)}`,
  );
  return `SELECT ${list.join(", ")} FROM (\n${selectSql.trim().replace(/;\s*$/, "")}\n) AS sluice_incoming`;
}
