import { isLakeDialect } from "@sluice/dialects";
import type { Dialect, Relation } from "@sluice/dialects";
import { isLakeEngine, type Engine } from "@sluice/engines";

/**
 * Versions published in this run: relation as the dialect quotes it → its new location and, when
 * its files hold other columns than the table (on_schema_change='sync_all_columns' dropped or
 * retyped some), the table's columns with their types (`TableVersionState.columns`).
 */
export type PublishedVersions = Map<string, PublishedVersion>;

/** One version published in this run (see {@link PublishedVersions}). */
export interface PublishedVersion {
  location: string;
  columns?: readonly { name: string; type: string }[];
}

/**
 * The rows of `relation` whose partition `column` is at least `from`, read from only the files of
 * those partitions: on lake engines, when the table's version was published in this run (its
 * location is known without asking the catalog). Undefined otherwise, and the caller reads the
 * relation itself; the SQL around it keeps its own `column >= from` filter either way, so this
 * only spares the engine opening every partition of the table's history. The relation has exactly
 * the table's columns, as its view does: the recorded ones, each cast to its type, when the
 * version records them (files carried from before a sync keep the dropped columns).
 *
 * @example await tableWindowRelation(engine, dialect, published, '"staging"."stg_events"', "dt", "2026/11/27/23")
 * // "(SELECT * FROM read_parquet(['…/dt=2026%2F11%2F27%2F23/part-….parquet'], …))"
 */
export async function tableWindowRelation(
  engine: Engine,
  dialect: Dialect,
  published: ReadonlyMap<string, PublishedVersion> | undefined,
  relation: string,
  column: string,
  from: string,
): Promise<string | undefined> {
  const version = published?.get(relation);
  if (version === undefined || !isLakeEngine(engine) || !isLakeDialect(dialect)) return undefined;
  const files = await engine.versionFilesFrom(version.location, column, from);
  return files && files.length > 0 ? dialect.tableFilesRelation(files, version.columns) : undefined;
}

/**
 * For a table this run did not publish: no row of `relation` when its current version (as the
 * catalog lists it) has no file of a partition `column` at least `from`, so a read of that window
 * opens none of the table's history (a reconciliation after a build with no new data). Undefined
 * otherwise, and the caller reads the relation with its own `column >= from` filter.
 *
 * @example await emptyWindowRelation(engine, dialect, { schema: "staging", name: "stg_events" }, "dt", "2026/11/27/23")
 * // '(SELECT * FROM "staging"."stg_events" LIMIT 0)'
 */
export async function emptyWindowRelation(
  engine: Engine,
  dialect: Dialect,
  relation: Relation,
  column: string,
  from: string,
): Promise<string | undefined> {
  if (!isLakeEngine(engine) || !isLakeDialect(dialect)) return undefined;
  const info = await engine.describeRelation(relation);
  if (!info.exists || info.kind !== "table" || !info.location) return undefined;
  const files = await engine.versionFilesFrom(info.location, column, from);
  return files?.length === 0 ? dialect.noRowsOf(dialect.quoteRelation(relation)) : undefined;
}
