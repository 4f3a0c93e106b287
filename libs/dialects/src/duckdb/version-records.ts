import type { Relation, TableVersionState } from "../dialect.js";
import { duckdbLiteral, duckdbStringLiteral } from "./duckdb-escape.js";

/**
 * The table versions sluice created in the lake, one row per version folder
 * (`<lake>/<schema>/<table>/<version>`): `status` is 'writing' from before its first file is
 * written, 'published' once its view points at it (with `files`, the JSON of
 * `{ "<path in the version>": size in bytes }`), 'replaced' after a newer version was published.
 * Cleanup removes only the folders recorded here; checks compare `files` with the disk.
 * `carried` (added later: {@link VERSIONS_CARRIED_COLUMN}) is the JSON of the version's
 * `CarryRecord`, when it carried rows under a `carry_where` bound; NULL otherwise.
 */
export const DUCKDB_VERSIONS = "main.sluice_versions";

/** The lake root the catalog's views were written for (one row). */
export const DUCKDB_LAKE_ROOT = "main.sluice_lake";

/** Status of a recorded version (see {@link DUCKDB_VERSIONS}). */
export type VersionStatus = "writing" | "published" | "replaced";

/** The version's folder name: the last segment of its location. */
export function versionName(location: string): string {
  // The segment after the last `/` once trailing slashes are dropped, without a split per call.
  let end = location.length;
  while (end > 0 && location.charCodeAt(end - 1) === 0x2f) end--;
  return location.slice(location.lastIndexOf("/", end - 1) + 1, end);
}

const COLUMNS = "(schema_name, table_name, version, run_id, status, files, recorded_at)";

const tableKey = (relation: Relation): string =>
  `schema_name = ${duckdbStringLiteral(relation.schema)} ` +
  `AND table_name = ${duckdbStringLiteral(relation.name)}`;

const versionKey = (relation: Relation, version: string): string =>
  `${tableKey(relation)} AND version = ${duckdbStringLiteral(version)}`;

/**
 * CREATE of {@link DUCKDB_VERSIONS} (idempotent; once per run). A lake from before versions
 * were recorded adopts each table's published version (the table state's location) when the
 * table is created, without files (nothing to check): the next publish of the table replaces
 * it, and cleanup removes it. `CREATE ... AS` runs its SELECT only when it creates the table.
 */
export const versionsSetupSql = (tableState: string): string =>
  `CREATE TABLE IF NOT EXISTS ${DUCKDB_VERSIONS} AS SELECT schema_name, table_name, ` +
  `regexp_extract(location, '[^/]+$') AS version, run_id, 'published' AS status, ` +
  `CAST(NULL AS VARCHAR) AS files, CAST(now() AS TIMESTAMP) AS recorded_at ` +
  `FROM ${tableState} WHERE location IS NOT NULL`;

/**
 * The migration adding `carried` to {@link DUCKDB_VERSIONS} (idempotent; once per run, after
 * {@link versionsSetupSql}). A lake from before it has no record: its next carry counts every
 * file once, and records.
 */
export const VERSIONS_CARRIED_COLUMN = `ALTER TABLE ${DUCKDB_VERSIONS} ADD COLUMN IF NOT EXISTS carried VARCHAR`;

/** A table version by its table and location (`<lake>/<schema>/<table>/<version>`). */
export interface TableVersionRef {
  relation: Relation;
  location: string;
}

/**
 * Record versions as 'writing' before any file of them exists, so a killed run's folder is
 * known to be sluice's and the next run removes it.
 *
 * @example recordVersionsSql([{ relation: { schema: "silver", name: "events" },
 *   location: "/lake/silver/events/v_7" }], "7")
 */
export function recordVersionsSql(versions: readonly TableVersionRef[], runId: string): string {
  if (versions.length === 0) throw new TypeError("recordVersionsSql needs at least one version");
  const rows = versions.map(
    ({ relation, location }) =>
      `(${duckdbStringLiteral(relation.schema)}, ${duckdbStringLiteral(relation.name)}, ` +
      `${duckdbStringLiteral(versionName(location))}, ${duckdbLiteral(runId)}, 'writing', ` +
      `NULL, now())`,
  );
  // A version recorded twice (a node's own record after the run's) is harmless: publishing
  // replaces its rows, forgetting deletes them all.
  return `INSERT INTO ${DUCKDB_VERSIONS} ${COLUMNS} VALUES ${rows.join(", ")}`;
}

/**
 * The statements (inside the publish transaction) that mark the version at `location`
 * published with its files and sizes (`state.files`; NULL, i.e. nothing to check, without
 * them), and every earlier published version of the table 'replaced'.
 */
export function publishVersionRecordSql(
  relation: Relation,
  location: string,
  state: Pick<TableVersionState, "runId" | "files" | "carried"> | undefined,
): string[] {
  const version = versionName(location);
  const files = state?.files ? JSON.stringify(state.files) : null;
  // Named only when recorded: a publish without it keeps its text.
  const carried = state?.carried
    ? [", carried", `, ${duckdbLiteral(JSON.stringify(state.carried))}`]
    : ["", ""];
  return [
    `UPDATE ${DUCKDB_VERSIONS} SET status = 'replaced' ` +
      `WHERE ${tableKey(relation)} AND status = 'published';`,
    `DELETE FROM ${DUCKDB_VERSIONS} WHERE ${versionKey(relation, version)};`,
    `INSERT INTO ${DUCKDB_VERSIONS} ${COLUMNS.slice(0, -1)}${carried[0]}) VALUES (` +
      `${duckdbStringLiteral(relation.schema)}, ${duckdbStringLiteral(relation.name)}, ` +
      `${duckdbStringLiteral(version)}, ${duckdbLiteral(state?.runId ?? null)}, 'published', ` +
      `${duckdbLiteral(files)}, now()${carried[1]});`,
  ];
}

/** SELECT `{ files }` (JSON; NULL while writing) of one recorded version; no row if unrecorded. */
export const versionFilesQuery = (relation: Relation, version: string): string =>
  `SELECT files FROM ${DUCKDB_VERSIONS} WHERE ${versionKey(relation, version)}`;

/** Newest first: a 'replaced' version keeps the time it was published. */
const NEWEST_FIRST = "ORDER BY recorded_at DESC, version DESC";

/**
 * SELECT `{ version, status }` of every recorded version of a table but `keep`, the most
 * recently published first (a 'replaced' version keeps the time it was published).
 */
export const otherVersionsQuery = (relation: Relation, keep: string): string =>
  `SELECT version, status FROM ${DUCKDB_VERSIONS} ` +
  `WHERE ${tableKey(relation)} AND version <> ${duckdbStringLiteral(keep)} ${NEWEST_FIRST}`;

/**
 * SELECT `{ schema_name, table_name, version, status, files, carried }` of every recorded
 * version, each table's most recently published first: what a run reads once instead of
 * {@link versionFilesQuery} and {@link otherVersionsQuery} per table (`carried`: the run's
 * setup added it, {@link VERSIONS_CARRIED_COLUMN}).
 */
export const allVersionsQuery = (): string =>
  `SELECT schema_name, table_name, version, status, files, carried FROM ${DUCKDB_VERSIONS} ${NEWEST_FIRST}`;

/** DELETE the records of versions whose folders are gone. */
export function forgetVersionsSql(
  versions: readonly { relation: Relation; version: string }[],
): string {
  if (versions.length === 0) throw new TypeError("forgetVersionsSql needs at least one version");
  const which = versions
    .map(({ relation, version }) => `(${versionKey(relation, version)})`)
    .join(" OR ");
  return `DELETE FROM ${DUCKDB_VERSIONS} WHERE ${which}`;
}

/** SELECT `{ schema_name, table_name, version, files }` of every version published once. */
export const recordedVersionsQuery = (): string =>
  `SELECT schema_name, table_name, version, files FROM ${DUCKDB_VERSIONS} WHERE files IS NOT NULL`;
