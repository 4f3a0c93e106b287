import { isLakeDialect } from "@sluice/dialects";
import type { Dialect } from "@sluice/dialects";
import { isLakeEngine, type Engine } from "@sluice/engines";

/** Versions published in this run: relation as the dialect quotes it → its new location. */
export type PublishedVersions = Map<string, string>;

/**
 * The rows of `relation` whose partition `column` is at least `from`, read from only the files of
 * those partitions: on lake engines, when the table's version was published in this run (its
 * location is known without asking the catalog). Undefined otherwise, and the caller reads the
 * relation itself; the SQL around it keeps its own `column >= from` filter either way, so this
 * only spares the engine opening every partition of the table's history.
 *
 * @example await tableWindowRelation(engine, dialect, published, '"staging"."stg_events"', "dt", "2026/11/27/23")
 * // "(SELECT * FROM read_parquet(['…/dt=2026%2F11%2F27%2F23/part-….parquet'], …))"
 */
export async function tableWindowRelation(
  engine: Engine,
  dialect: Dialect,
  published: ReadonlyMap<string, string> | undefined,
  relation: string,
  column: string,
  from: string,
): Promise<string | undefined> {
  const location = published?.get(relation);
  if (location === undefined || !isLakeEngine(engine) || !isLakeDialect(dialect)) return undefined;
  const files = await engine.versionFilesFrom(location, column, from);
  return files && files.length > 0 ? dialect.tableFilesRelation(files) : undefined;
}
