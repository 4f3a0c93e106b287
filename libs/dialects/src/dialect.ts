import type { IncomingColumn } from "./sql-text/incoming-columns.js";
import type { PartitionColumnRef, PartitionValueRows } from "./sql-text/partition-rows.js";

export type { IncomingColumn, PartitionColumnRef, PartitionValueRows };
/**
 * A physical relation: `schema` is the DuckDB schema or the Athena (Glue) database the target
 * maps the model's logical schema to.
 */
export interface Relation {
  schema: string;
  name: string;
}

/**
 * Which grammar a statement is written in. Athena routes Hive DDL (CREATE EXTERNAL TABLE,
 * ALTER TABLE, DROP TABLE) to Hive and everything else to Trino; DuckDB statements are DuckDB.
 */
export type Grammar = "trino" | "hive" | "duckdb";

export type StatementKind =
  | "create_schema"
  | "create_table_as"
  | "insert"
  | "merge"
  | "create_view"
  | "drop_table"
  | "drop_view"
  | "create_external_table"
  | "alter_table"
  | "copy"
  | "select"
  | "macro"
  | "update"
  /** Bookkeeping of the lake's own versions (no rows written). */
  | "record_version";

/** One finished SQL statement, ready for an engine. */
export interface Statement {
  kind: StatementKind;
  sql: string;
  grammar: Grammar;
  /**
   * Only needed when the statements before it in the same list wrote no rows (e.g. a zero-row
   * schema file that keeps an empty partitioned table readable); runners may skip it otherwise.
   */
  onlyIfNoRows?: boolean;
}

/** What a table write needs. Locations are physical (`s3://...` or an absolute lake path). */
export interface TableWrite {
  relation: Relation;
  /** The SELECT producing the rows; partition columns must be last (Athena requires it). */
  selectSql: string;
  /** Partition columns, in order (they are the last columns of the SELECT). */
  partitionedBy: readonly string[];
  /**
   * Where the data goes. For a new table version: a fresh, empty location. For an insert: the
   * table's current location.
   */
  location: string;
  /** A unique id for file names written by this statement (DuckDB has no unique file names for plain COPY). */
  writeId: string;
  /** Table format (model config `table_type`); dialects with `icebergTables` write Iceberg tables. Default hive. */
  tableType?: "hive" | "iceberg";
  /**
   * An insert into an existing table: its columns in the table's order, named by the INSERT (the
   * SELECT gives them in that order), so a wrong column fails rather than land in another.
   */
  columns?: readonly string[];
}

/** A partition column and its engine type (`date`, `varchar`, `integer`, ...). */
export interface PartitionColumn {
  name: string;
  type: string;
}

/** The raw Firehose zone exposed as `line varchar, dt varchar('YYYY/MM/DD/HH')`. */
export interface RawSourceSpec {
  relation: Relation;
  /** Physical location of the raw zone prefix (`s3://b/raw/events` or `/abs/.lake/raw/events`). */
  location: string;
  /** First hour for Athena partition projection, `YYYY/MM/DD/HH`. */
  projectionStart: string;
  /**
   * Set when the zone is partitioned by event type first (Firehose dynamic partitioning,
   * `partitioning: firehose_event_type_hourly`): objects are under
   * `event_type=<t>/YYYY/MM/DD/HH/`, and the relation has an `event_type` column (a partition
   * Athena projects as an enum of these values, a folder DuckDB prunes on) before `dt`.
   */
  eventTypes?: readonly string[];
}

/** Capability flags. Code branches on these (and on `family`), never on `name`. */
export interface DialectCapabilities {
  /** Max partitions one CTAS/INSERT may write (Athena: 100); undefined = no limit. */
  maxPartitionsPerWrite: number | undefined;
  /**
   * CTAS can write Iceberg tables (`TableWrite.tableType` iceberg), the only tables
   * `CatalogDialect.mergeInto` applies to (Athena: MERGE INTO needs Iceberg).
   */
  icebergTables: boolean;
  /**
   * The SQL model text is written in, which SQL the compiler generates around it must match:
   * `trino` (Athena, and a lake with the Trino-compat layer) or `duckdb` (a plain DuckDB lake).
   */
  modelSql: "trino" | "duckdb";
}

/** The state published with a table version, atomically with it. */
/**
 * What a version carried under `carry_where` of the shape `<column> < '<bound>'` (`<=` when
 * `inclusive`): each file it carried (linked whole or copied out of another), by its path in the
 * version, as `[bytes, rows]`. Every row of those files met the condition under `bound`, so under
 * a bound not lower they still do; a file of another size is not the one recorded.
 *
 * @example { column: "dt", inclusive: false, bound: "2026/11/27/00",
 *   files: { "event_date=2026-11-26~part-0.parquet": [41230, 1812] } }
 */
export interface CarryRecord {
  column: string;
  inclusive: boolean;
  bound: string;
  files: Readonly<Record<string, readonly [bytes: number, rows: number]>>;
}

export interface TableVersionState {
  /** Newest raw partition (`dt`) the version has processed, when the model has one. */
  watermark?: string;
  runId: string;
  /**
   * The raw hour folders the version has read, as `{ "YYYY/MM/DD/HH": signature }` for the hours
   * of the lookback window: the next run re-reads only the hours whose files changed since.
   */
  rawHours?: Readonly<Record<string, string>>;
  /**
   * Every file of the version has the same columns (a fresh write, or incremental writes with
   * no column change since): readers need not unify files by column name. Unknown: false.
   */
  uniformSchema?: boolean;
  /**
   * The table's columns, in order, with their types, when they are not every file's
   * (on_schema_change='sync_all_columns' dropped or retyped some): the view selects exactly
   * these, each cast to its type. Absent: the view reads every column of the files.
   */
  columns?: readonly { name: string; type: string }[];
  /**
   * When the run that wrote the version started listing the raw zone (epoch ms): the next run
   * looks for late files in older hour folders changed since.
   */
  listedAt?: number;
  /**
   * The first raw hour this version read that no reconciliation has balanced yet: the next run
   * reads from there again until one does.
   */
  pendingFrom?: string;
  /**
   * The version's data files as `{ "<path inside the version>": size in bytes }`, recorded with
   * it so a later run can tell a lost or changed file (lake dialects).
   */
  files?: Readonly<Record<string, number>>;
  /**
   * The rows of each file the version carried under a `carry_where` bound, recorded with it so
   * the next run need not count them again (lake dialects; see {@link CarryRecord}).
   */
  carried?: CarryRecord;
  /**
   * The fingerprint of what the version was built from (`inputsFingerprint`: a seed's definition
   * and rows), when the plan records one: a later build with the same fingerprint leaves the
   * table as it is (lake dialects; Athena records `sluice_inputs` on the table entry).
   */
  inputs?: string;
  /**
   * The id of the write that last set the table's columns (`sluice_schema` on Athena): a new
   * version's, or an incremental write's that changed them; else the one the table had.
   */
  schema?: string;
  /**
   * Incremental tables: the fingerprint of what decided the incremental SELECT's columns when they
   * were last compared with the table's and found the same (`sluice_select` on Athena): while it
   * holds, the next build needs no column probe. Absent: not known.
   */
  select?: string;
}

/**
 * SQL text for one engine. Pure: no I/O, same input gives the same text.
 *
 * @example
 * const d = createDuckdbDialect();
 * d.literal("it's"); // "'it''s'"
 * d.createView({ schema: "marts", name: "funnel" }, "select 1 as x");
 */
export interface Dialect {
  readonly name: "athena" | "duckdb";
  /**
   * `lake`: a table version is a Parquet folder published by swapping a view onto it, with its
   * state (the DuckDB lake: {@link LakeDialect}); `catalog`: tables are written by CTAS and
   * published by a catalog swap the engine does (Athena + Glue: {@link CatalogDialect}).
   */
  readonly family: "lake" | "catalog";
  readonly capabilities: DialectCapabilities;
  /** The grammar of the dialect's queries (SELECT), e.g. a probe or a watermark read. */
  readonly queryGrammar: Grammar;
  /** Quote one identifier, escaping as the engine requires. */
  quoteIdentifier(name: string): string;
  /** `schema.name`, both quoted. */
  quoteRelation(relation: Relation): string;
  /**
   * An ad-hoc reading query in the project's model SQL (`sluice query`, `show`) as this target
   * runs it: on a lake running Trino SQL its integer casts made Trino's, as a model's are;
   * otherwise as written.
   */
  querySql(sql: string): string;
  /** A SQL literal for a JS value: string, number, bigint, boolean, null, Date (timestamp). */
  literal(value: unknown): string;
  createSchema(schema: string, location?: string): Statement[];
  /** Create a new table from a SELECT (Athena CTAS; DuckDB COPY to Parquet + view). */
  createTableAs(write: TableWrite): Statement[];
  /** Append rows from a SELECT to an existing table. */
  insertInto(write: TableWrite): Statement[];
  createView(relation: Relation, selectSql: string): Statement[];
  dropTable(relation: Relation): Statement[];
  /** Declare the raw JSON-lines zone as a source relation. */
  rawSource(spec: RawSourceSpec): Statement[];
  /** Wrap a failing-rows query into one returning a single row `{ failures: bigint }`. */
  assertion(failingRowsSql: string): Statement;
  /**
   * An incremental SELECT brought to a table's columns in this order, typed NULLs for the
   * columns it lacks (on_schema_change): `SELECT "a", CAST(NULL AS bigint) AS "b" FROM (...)`.
   */
  selectIncoming(selectSql: string, columns: readonly IncomingColumn[]): string;
  /** SELECT returning `{ watermark }`: the max of `column` in `relation`. */
  selectMax(relation: Relation, column: string): string;
  /** SELECT returning `{ n }`: the rows of `relation` (e.g. the failing rows a test stored). */
  countRows(relation: Relation): string;
  /** A SELECT of at most `limit` rows of a query. */
  limit(sql: string, limit: number): string;
  /**
   * `SELECT *` of the rows of `relation` in the given partitions (a batch of a staged write, the
   * partitions a run wrote for a test of new data). `values` are the catalog's text form, one
   * array per partition in `columns` order; null is the NULL partition; no partitions, no rows.
   * Where a column's `type` is known the values are literals of it (Athena prunes only on typed
   * literals; DuckDB casts text). `readFrom` is read instead of the relation (the lake: a
   * relation over only the files of those partitions).
   *
   * @example
   * d.selectPartitions({ schema: "s", name: "t" }, [{ name: "d", type: "date" }], [["2026-11-26"]]);
   * // Athena: SELECT * FROM "s"."t"\nWHERE "d" IN (DATE '2026-11-26')
   */
  selectPartitions(
    relation: Relation,
    columns: readonly PartitionColumnRef[],
    values: PartitionValueRows,
    readFrom?: string,
  ): string;
  /**
   * `SELECT *` of the rows of `relation` in the given partitions or whose `key` is among the
   * rows of `newRows` (a SELECT of those partitions): every row that can share a key with a new
   * row, a superset, for a uniqueness check of new keys against the whole table.
   */
  selectRowsOfKeys(
    relation: Relation,
    key: string,
    columns: readonly PartitionColumnRef[],
    values: PartitionValueRows,
    newRows: string,
  ): string;
  /**
   * The values of `field` in `relation` that the non-null `column` values of `newRows` can find,
   * looked for first in `nearRows` (the relation's partitions written this run), then, only for
   * the keys not found there, in the whole relation: a key present anywhere is found, and when
   * every key is near the second read has nothing to look for (the engine skips the table).
   */
  selectKeysNearFirst(
    relation: Relation,
    column: string,
    field: string,
    newRows: string,
    nearRows: string,
  ): string;
  /**
   * A SELECT of these columns of a query, in this order (e.g. a table's order, partition keys
   * last, for a CTAS that must match it): `SELECT "a", "b" FROM (<sql>) AS sluice_columns`.
   */
  selectColumns(sql: string, columns: readonly string[]): string;
}

/**
 * The local lake's SQL (DuckDB): table versions recorded, published with their state, raw hours
 * read from the files' bytes into a temporary table, merges rewritten into a new version.
 */
export interface LakeDialect extends Dialect {
  readonly family: "lake";
  /**
   * Publish a table version written at `location`: point the relation at it and record its
   * state, in one transaction.
   */
  publishTableVersion(relation: Relation, location: string, state: TableVersionState): Statement[];
  /**
   * Record the versions at these locations as being written by run `runId`, before any of their
   * files exist (lake dialects): cleanup removes only recorded versions. `createTableAs`
   * includes it; a runner records all of a run's versions at once up front.
   */
  recordTableVersions(
    versions: readonly { relation: Relation; location: string }[],
    runId: string,
  ): Statement[];
  /**
   * Create, or bring up to date, the table {@link LakeDialect.publishTableVersion} records state in:
   * run once per run before anything is published (not with each publish).
   */
  tableStateSetup(): Statement[];
  /**
   * Statements as one, sent in one round trip: each still commits on its own, as when sent one by
   * one (a run's setup: its schemas, {@link LakeDialect.tableStateSetup}, the versions recorded).
   *
   * @example
   * dialect.inOneRoundTrip([...dialect.createSchema("silver"), ...dialect.tableStateSetup()]);
   */
  inOneRoundTrip(statements: readonly Statement[]): Statement;
  /**
   * SELECT returning `{ watermark, location }` (and `raw_hours`, the JSON of
   * {@link TableVersionState.rawHours}, where recorded) of a published table; zero rows when unknown.
   */
  tableStateQuery(relation: Relation): string;
  /**
   * SELECT returning the rows {@link LakeDialect.tableStateQuery} returns for every published
   * table at once, each with its `schema_name` and `table_name`: a run plans all its incremental
   * models' windows from one read.
   */
  tableStatesQuery(): string;
  /** SELECT returning `{ watermark }`: the max of `column` over the data files at `location`. */
  maxOfVersion(location: string, column: string): string;
  /**
   * SELECT returning `{ n }`: the rows of the data files at `location` (read from the Parquet
   * footers, no data page is read), e.g. a table's total after an append.
   */
  rowsOfVersion(location: string): string;
  /**
   * SELECT returning `{ t, s }`, the type name and text of each distinct non-NULL value of the
   * one-column `subquery` (at most `limit` rows): what `sluice_listed((subquery))` binds to a
   * literal list with {@link LakeDialect.listedLiteral}.
   */
  listedValuesQuery(subquery: string, limit: number): string;
  /**
   * The rows of an incremental SELECT (model SQL) the lake writes when the model's `carry_where`
   * `condition` marks the rest as carried from the table: those for which it is not true.
   *
   * @example rowsNotCarried("select * from x", "dt < '2026/11/27/01'")
   * // "SELECT * FROM (\nselect * from x\n) AS sluice_new WHERE NOT (dt < '2026/11/27/01') OR (dt < '2026/11/27/01') IS NULL"
   */
  rowsNotCarried(selectSql: string, condition: string): string;
  /**
   * SELECT returning `{ file, rows, dropped }` for each of `files` (absolute paths of a version's
   * Parquet files): its rows (from the footer) and how many of them `condition` (model SQL) is
   * not true for. Files whose rows all meet it can be carried whole.
   */
  carriedRowsQuery(files: readonly string[], condition: string): string;
  /** COPY of the rows of `files` that meet `condition` into the one Parquet file `target`. */
  copyCarriedRows(files: readonly string[], condition: string, target: string): Statement;
  /** A value `listedValuesQuery` returned as a SQL literal; undefined for a type it cannot write. */
  listedLiteral(type: string, text: string): string | undefined;
  /**
   * The type a query result column of `type` has once written to a version's files (what the
   * table's entry reports afterwards), e.g. DuckDB stores `HUGEINT` as `DOUBLE` in Parquet. The
   * on_schema_change probe compares these with the table's, so a type the files cannot hold is
   * not a change at every run.
   */
  storedType(type: string): string;
  /**
   * Lake dialects: the DDL of the temporary table (`line`, `dt`) the engine reads raw hours into
   * from the files' bytes; `sluice_raw_window()` reads bind to it. With `eventType` (a zone
   * partitioned by event type) `line`, `event_type`, `dt`: the raw source's columns.
   */
  rawLinesTable(name: string, options?: { eventType?: boolean }): string;
  /** Lake dialects: the statement marking these tables' pending raw hours as reconciled. */
  markReconciled(relations: readonly Relation[]): Statement;
  /**
   * Lake dialects: a FROM-able relation over exactly these data files of one table (columns
   * matched by name across files), for a window read of a partitioned table. No alias: the model
   * may give it one. With `columns` (the version's `TableVersionState.columns`), exactly those,
   * each cast to its type, as the table's view lists them.
   */
  tableFilesRelation(
    files: readonly string[],
    columns?: readonly { name: string; type: string }[],
  ): string;
  /**
   * Lake dialects: a FROM-able relation with the columns of `relation` (as the dialect quotes it)
   * and no row, for a window that holds no file of the table. No alias.
   *
   * @example noRowsOf('"staging"."stg_events"') // '(SELECT * FROM "staging"."stg_events" LIMIT 0)'
   */
  noRowsOf(relation: string): string;
  /**
   * Lake dialects: record on a raw source's view the fingerprint of the statements that made it
   * (the engine lists it as the view's `definition`), so a run whose statements are the same
   * leaves the view as it is.
   */
  markSourceView(relation: Relation, definition: string): Statement;
  /**
   * Lake dialects: the rows a uniqueness check of new keys reads, from a table version split by
   * where its files came from (`LakeEngine.versionFileOrigins`, each side a `tableFilesRelation`):
   * every row `written` holds, and the rows of `carried` whose `key` is among them. Together: every
   * row that can share a key with a row written this run, read by filtering the carried files on
   * the key (no partition predicate ORed into the scan).
   *
   * @example d.selectRowsOfWrittenKeys("event_id", "(SELECT * FROM read_parquet([...new]))", "(SELECT * FROM read_parquet([...old]))")
   * // SELECT * FROM (…new) AS sluice_written UNION ALL BY NAME SELECT * FROM (…old) AS sluice_carried WHERE "event_id" IN (…)
   */
  selectRowsOfWrittenKeys(key: string, written: string, carried: string | undefined): string;
  /**
   * Lake dialects: the rows a check of new rows reads, from the files a table version's own write
   * produced (`written`, a `tableFilesRelation`): the rows written this run, without the rows
   * carried unchanged into its partitions from the version before.
   *
   * @example d.selectWrittenRows("(SELECT * FROM read_parquet([...new]))")
   * // SELECT * FROM (…new) AS sluice_written
   */
  selectWrittenRows(written: string): string;
  /**
   * Write `write.selectSql` merged into the table at `currentLocation` by `uniqueKey` into the
   * fresh `write.location`: current rows whose key is not in the new rows, plus the new rows.
   * With `write.columns`, exactly those columns (on_schema_change='sync_all_columns': the
   * current rows' dropped columns go); without, every column of either side.
   */
  mergeRewrite(
    write: TableWrite,
    currentLocation: string,
    uniqueKey: readonly string[],
  ): Statement[];
}

/** Athena + Glue: ALTER TABLE in place, Iceberg MERGE, writes split into batches of partitions. */
export interface CatalogDialect extends Dialect {
  readonly family: "catalog";
  /**
   * Catalog tables (Athena): add columns to an existing table in place (Hive
   * `ALTER TABLE ... ADD COLUMNS`), for on_schema_change='append_new_columns'. Lake dialects
   * rewrite a version instead and leave it out.
   */
  addColumns(relation: Relation, columns: readonly { name: string; type: string }[]): Statement[];
  /**
   * Catalog tables (Athena, Hive tables): make `columns` the table's data columns, in order
   * (Hive `ALTER TABLE ... REPLACE COLUMNS`; partition columns are not listed and stay), for
   * on_schema_change='sync_all_columns' dropping or retyping columns. Athena rejects it on
   * Iceberg tables and with `date` columns: the caller checks both first.
   */
  replaceColumns(
    relation: Relation,
    columns: readonly { name: string; type: string }[],
  ): Statement[];
  /**
   * Merge the rows of `selectSql` into the (Iceberg) table `relation` by `uniqueKey`: matched
   * rows take the new values of `columns`, the others are inserted (Iceberg tables only).
   */
  mergeInto(
    relation: Relation,
    selectSql: string,
    uniqueKey: readonly string[],
    columns: readonly string[],
  ): Statement[];
  /**
   * `SELECT DISTINCT` of partition columns, ordered (to split a write into batches of partitions).
   */
  selectDistinct(relation: Relation, columns: readonly string[]): string;
  /** `SELECT *` of `relation` (one batch holding every partition of a staged write). */
  selectAll(relation: Relation): string;
}

/** The dialect publishes tables as lake versions (folders + views). */
export function isLakeDialect(dialect: Dialect): dialect is LakeDialect {
  return dialect.family === "lake";
}

/** The dialect as a lake dialect (code that only lake targets reach; another dialect is a bug). */
export function lakeDialect(dialect: Dialect): LakeDialect {
  if (!isLakeDialect(dialect)) throw new Error(`dialect ${dialect.name} is not a lake dialect`);
  return dialect;
}

/** The dialect as a catalog dialect (code that only catalog targets reach; another is a bug). */
export function catalogDialect(dialect: Dialect): CatalogDialect {
  if (!isCatalogDialect(dialect))
    throw new Error(`dialect ${dialect.name} is not a catalog dialect`);
  return dialect;
}

/** The dialect's tables are published through a catalog (Athena + Glue). */
export function isCatalogDialect(dialect: Dialect): dialect is CatalogDialect {
  return dialect.family === "catalog";
}
