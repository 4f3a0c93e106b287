import type { CarryRecord, RawSourceSpec, Relation } from "@sluice/dialects";

/** What {@link Engine.carryVersionFiles} did: files carried, partitions the new version had written. */
export interface CarriedFiles {
  carried: number;
  /**
   * Where each carried file went: its path inside the new version, by its path inside the one it
   * came from (the files a carry linked or copied whole; not those a carry_where copy wrote).
   */
  paths?: Readonly<Record<string, string>>;
  writtenPartitions: number;
  /** The partitions the new version wrote (its own files, not carried ones). */
  written: WrittenPartitions;
}

/**
 * The partitions a write replaced or created: the partition columns (in order; `type` when the
 * catalog knows it) and one list of values per partition, as text (null: the NULL partition).
 */
export interface WrittenPartitions {
  columns: { name: string; type?: string }[];
  values: (string | null)[][];
}

export interface ColumnInfo {
  name: string;
  /** Engine type name, lower case (`varchar`, `bigint`, `double`, `timestamp`, `date`, ...). */
  type: string;
  /**
   * A query result's column whose name repeats an earlier column's: the name the query gave it
   * (`a`), where `name` (`a:1`) is the key its values have in the rows (see uniqueColumns).
   */
  sourceName?: string;
}

export interface QueryStats {
  elapsedMs: number;
  /** Rows written by a CTAS/INSERT/COPY, when the engine reports it. */
  rowsAffected?: number;
  /** Athena DataScannedInBytes; bytes of files read locally when known. */
  bytesScanned?: number;
  /** Athena QueryExecutionId. */
  queryId?: string;
  /** Time the engine spent running the statement (Athena EngineExecutionTimeInMillis). */
  engineMs?: number;
  /**
   * Bytes the query is billed for, when the engine bills by bytes scanned (Athena: rounded up to
   * the MB with a 10 MB minimum per query; 0 for plain DDL and failed queries).
   */
  billedBytes?: number;
}

export interface QueryResult {
  columns: ColumnInfo[];
  /** Plain JS values: number for ints that fit, bigint beyond, string, boolean, null, Date-free ISO strings for timestamps. */
  rows: Record<string, unknown>[];
  stats: QueryStats;
}

/** A batch of a result handed over by `Engine.executeInBatches`: its rows made on demand. */
export interface RowBatch {
  rowCount: number;
  /** The batch's rows as {@link QueryResult.rows} holds them, converted when called. */
  rows(): Record<string, unknown>[];
}

export interface RelationInfo {
  exists: boolean;
  kind?: "table" | "view";
  /** Physical data location of a table (the Parquet directory or S3 prefix). */
  location?: string;
  columns?: ColumnInfo[];
  /** Catalog engines: the table's parameters (Glue `Parameters`), e.g. sluice's recorded watermark. */
  parameters?: Readonly<Record<string, string>>;
  /**
   * Lake engines, a view: the fingerprint of the statements that made it, as sluice recorded it
   * (`LakeDialect.markSourceView`: a raw source's view).
   */
  definition?: string;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** What the statement belongs to (node id), for errors and logs. */
  label?: string;
  /**
   * `true`: the statement reads only this run's new data (a window of raw hours, the partitions
   * the run wrote), a few thousand rows; `false`: it may read a table's history. A lake engine
   * runs new-data statements on one thread: on inputs that small DuckDB's other threads have
   * nothing to share and cost CPU waiting for work (see `duckdb/thread-setting.ts`). Unset: as the
   * statement before it. Other engines ignore it.
   */
  newDataOnly?: boolean;
  /**
   * Refuse the statement unless it only reads (the read-only guard of `sluice query`), on an
   * engine that may write: a user's hook on the local lake, whose tables and files sluice alone
   * writes. Catalog engines (Athena) ignore it: there hooks run as written, as dbt's do.
   */
  readsOnly?: boolean;
}

/**
 * What every engine does: runs finished SQL (never writes SQL text itself: that is the
 * Dialect's job), describes relations, cleans up after a publish, closes. What only lake engines
 * or only catalog engines do is in {@link LakeEngine} and {@link CatalogEngine}, told apart by
 * `family` ({@link isLakeEngine}, {@link isCatalogEngine}), never by which methods are present.
 *
 * @example
 * const engine = await openDuckdbEngine({ lakeDir: "/abs/models/.lake" });
 * const { rows } = await engine.execute("select 1 as x");
 * await engine.close();
 */
export interface Engine {
  readonly name: "athena" | "duckdb";
  /** `lake`: table versions are folders published as views; `catalog`: Athena + Glue + S3. */
  readonly family: "lake" | "catalog";
  execute(sql: string, options?: ExecuteOptions): Promise<QueryResult>;
  /**
   * Run a read query to its end, then hand its rows to `onBatch` batch by batch (DuckDB's
   * chunks of 2,048 rows, each converted to JS values only when `rows()` is called), for output
   * written as it goes (`sluice query`: 5,000,000 rows as CSV held 2.6 GB as JS objects at once).
   * A query that fails hands over no row: the result is complete before the first batch.
   * `onBatch` gets the columns first, with no rows. Engines without it (Athena pages through
   * execute) are read through {@link execute}.
   */
  executeInBatches?(
    sql: string,
    onBatch: (columns: readonly ColumnInfo[], batch: RowBatch) => void,
    options?: ExecuteOptions,
  ): Promise<{ columns: ColumnInfo[]; rowCount: number; stats: QueryStats }>;
  /**
   * What the catalog says of a relation. With `written`, the run is about to write it (a catalog
   * engine then reads it from its database's listing, which the staging sweep needs anyway).
   */
  describeRelation(relation: Relation, options?: { written?: boolean }): Promise<RelationInfo>;
  /**
   * After a table was published at `keepLocation`, remove every other data location of that
   * table (old versions, leftovers of crashed builds).
   */
  removeStaleLocations(
    relation: Relation,
    keepLocation: string,
    options?: CleanupOptions,
  ): Promise<void>;
  /**
   * Do the work deferred by `{ defer: true }` calls (catalog entries and old data nobody reads
   * any more). Called once by the runner after all nodes; a failure leaves leftovers that the
   * next build of those tables removes.
   */
  finishRun(): Promise<CleanupOutcome>;
  /**
   * The raw hours ('YYYY/MM/DD/HH') of a raw zone from hour `from` on (all without it), each
   * with a signature of its files that changes when a file lands, goes, grows or is rewritten
   * (names, sizes and modification times or ETags; no file is read), and the paths outside the
   * zone's layout, which are not read. In a zone partitioned by event type an hour is that hour's
   * folders of every declared event type together.
   */
  listRawHours(zone: RawZone, from?: string): Promise<RawZoneListing>;
  close(): Promise<void>;
}

/** A version's files by where they came from (see {@link LakeEngine.versionFileOrigins}). */
export interface VersionFileOrigins {
  /** Written by the version's own write (absolute paths): in partition folders, or unpartitioned. */
  written: string[];
  /** Carried from an earlier version (absolute paths), flat at the root with their partition. */
  carried: string[];
  /**
   * The carried files (of `carried`) that belong to a partition the version wrote: rows
   * carry_where kept beside the written ones. Empty when every carried file is of another
   * partition.
   */
  carriedIntoWritten: string[];
}

/** The local lake (DuckDB): table versions are Parquet folders, raw hours read from the files' bytes. */
export interface LakeEngine extends Engine {
  readonly family: "lake";
  /**
   * Carry the files of version `from` into the new version `to` without copying data; with
   * `skipWrittenPartitions`, partitions `to` already holds stay behind (insert_overwrite).
   * Returns how many files were carried and how many partitions `to` held before (the
   * partitions the new rows wrote).
   */
  carryVersionFiles(
    from: string,
    to: string,
    options: {
      skipWrittenPartitions: boolean;
      /** Only these files of `from` (paths relative to it), e.g. those `carry_where` keeps whole. */
      files?: readonly string[];
    },
  ): Promise<CarriedFiles>;
  /**
   * Where a file of another version holding rows of `partition` (of a file of that version, as
   * {@link LakeEngine.versionFiles} names it) goes in the version at `to`, as a new file
   * `name`: flat at its root, the partition in its name, as carried files are.
   */
  carriedFilePath(to: string, fileOfPartition: string, name: string): string;
  /**
   * Hour folders before `before` that changed (a file landed or went) at or after `sinceMs`:
   * late files older than an incremental window.
   */
  rawHoursChangedSince(zone: RawZone, sinceMs: number, before: string): Promise<string[]>;
  /**
   * Read these raw hours from the files' bytes into a temporary table `table` (created by
   * `createSql`, columns `line`, `dt`, and `event_type` between them when the zone is partitioned
   * by event type), counting each file's records from its bytes independently of that read;
   * unreadable files and oversized lines are quarantined.
   */
  loadRawWindow(
    zone: RawZone,
    hours: readonly string[],
    table: { name: string; createSql: string },
  ): Promise<RawWindowLoad>;
  /**
   * The data files of the table version at `location` whose partition value of `column` is at
   * least `from` (what rows `column >= from` can be in), so a window read opens those files
   * instead of every partition of the table's history. Undefined when the version is not
   * partitioned by `column` (or its values cannot be ordered by their text).
   */
  versionFilesFrom(location: string, column: string, from: string): Promise<string[] | undefined>;
  /**
   * The files of the table version at `location` that its own write produced (the rows written
   * by the run that published it) and those it carried from an earlier version, unchanged (see
   * {@link LakeEngine.carryVersionFiles}); every file is in exactly one of them.
   */
  versionFileOrigins(location: string): Promise<VersionFileOrigins>;
  /**
   * The files of the table version at `location` that are not as they were when it was
   * published (missing, or another size), from the version's record; none when the version was
   * never recorded (a lake from before versions were recorded). One stat per file.
   */
  checkTableVersion(relation: Relation, location: string): Promise<VersionDamage[]>;
  /**
   * The data files of the version at `location` (path inside it → bytes), to be recorded when
   * it is published (see `TableVersionState.files`).
   */
  versionFiles(location: string): Promise<Record<string, number>>;
  /**
   * What the published version at `location` recorded of the rows it carried under a
   * `carry_where` bound (`TableVersionState.carried`); undefined when it recorded none, or the
   * run's read of the records cannot tell (then every file is counted).
   */
  carryRecord(relation: Relation, location: string): Promise<CarryRecord | undefined>;
  /** {@link LakeEngine.checkTableVersion} for every table's current version (`sluice debug`). */
  verifyLake(): Promise<LakeVerification>;
}

/** Athena + Glue + S3: tables published by catalog swaps, data in S3. */
export interface CatalogEngine extends Engine {
  readonly family: "catalog";
  /**
   * Start listing the tables of these databases now, without waiting: a run calls it before it
   * creates them, so the listing that answers its tables' first reads (and the staging sweep)
   * overlaps the creation instead of delaying the first node of each database. A database that
   * does not exist yet lists as empty (it has no table until this run writes one). Errors surface
   * where the listing is used, as without the call.
   *
   * @example engine.prefetchTables(["ecommerce_silver", "ecommerce_marts"]); // then CREATE DATABASE ...
   */
  prefetchTables(databases: readonly string[]): void;
  /**
   * dbt's persist_docs for `relation` in this run: every entry of the table the engine writes
   * from now on (its publish, a partition publish's table update, a parameter update) carries
   * `docs` (Glue: the table's `Description`, its columns' `Comment`s). No call of its own.
   */
  setTableDocs(relation: Relation, docs: TableDocs): void;
  /**
   * Delete the files failed query `queryId` wrote under `within` (Athena reads the query's data
   * manifest), so a retry of the same rows cannot duplicate them. Returns how many were deleted.
   */
  removeQueryOutput(queryId: string, within: string): Promise<number>;
  /**
   * Publish `staging`, just written by a CTAS at a fresh location, as `target` by swapping the
   * catalog entry; the staging entry is removed (with `defer`, by {@link Engine.finishRun}).
   */
  publishTable(
    staging: Relation,
    target: Relation,
    options?: PublishOptions,
  ): Promise<PublishOutcome>;
  /**
   * Set these parameters on the table's catalog entry (the others are kept), e.g. the watermark
   * of a version an INSERT changed.
   */
  setTableParameters(
    relation: Relation,
    parameters: Readonly<Record<string, string>>,
  ): Promise<void>;
  /**
   * Drop leftovers of crashed builds of `relation`, i.e. tables named `<name><marker>*` (catalog
   * entry and data), except those containing `keep`. Returns their names.
   */
  dropStagingTables(relation: Relation, marker: string, keep: string): Promise<string[]>;
  /**
   * Drop one table, its catalog entry and its data; with `unlessReadBy`, the data stays when that
   * table reads any of it (a staging table whose partitions were published).
   */
  dropTableWithData(relation: Relation, options?: { unlessReadBy?: Relation }): Promise<void>;
  /**
   * insert_overwrite: publish the partitions of `staging` (a table partitioned like `target`,
   * just written at a fresh location) as partitions of `target`: existing ones repointed,
   * missing ones created, the others untouched; all or nothing for readers. The staging entry is
   * removed (with `defer`, by {@link Engine.finishRun}), and so is the data the repointed
   * partitions had, once nothing reads it (see `versions_to_keep`).
   */
  publishPartitions(
    staging: Relation,
    target: Relation,
    options?: PublishOptions,
  ): Promise<PartitionPublishOutcome>;
  /**
   * A table this build leaves unchanged: remove what earlier builds left for later and could not
   * remove (an interrupted or failed cleanup): data locations its publishes retired past
   * `versionsToKeep` and, for a table published as a whole (`partitioned` false), objects under
   * its folder that neither its location nor a kept version holds. Deferred with `defer`; makes
   * no call for a partitioned table with nothing expired.
   */
  removeLeftovers(
    relation: Relation,
    table: RelationInfo,
    options: CleanupOptions & { partitioned: boolean },
  ): Promise<void>;
  /**
   * `sluice clone`: create `to` as a catalog entry pointing at the data of `from` (zero copy:
   * `from`'s table input and partitions, marked as a clone of it, no object read or written).
   * A view or an Iceberg table is not cloned: `kind` says which, and the caller makes a view.
   * `to` must not exist. Every write path of the engine refuses a clone (see
   * {@link CatalogEngine.replaceClone}).
   */
  cloneTable(from: Relation, to: Relation): Promise<CloneTableOutcome>;
  /**
   * Before a build writes `relation`: when its entry is a clone, delete that entry only (never
   * an object: they are the cloned table's), so the build makes a table of its own; returns the
   * `database.table` it was a clone of (undefined: not a clone, nothing done).
   */
  replaceClone(relation: Relation): Promise<string | undefined>;
  /** Create or update the raw source table through the catalog API (idempotent). */
  registerRawSource(spec: RawSourceSpec): Promise<"created" | "updated" | "unchanged">;
  /** Checks of the connection and the target's setup, in plain words, for `sluice debug`. */
  checkSetup(databases: readonly string[]): Promise<SetupCheck[]>;
}

/** What {@link CatalogEngine.cloneTable} did: a table entry made, or why none (make a view). */
export type CloneTableOutcome =
  | { kind: "table"; location: string | undefined; partitions: number }
  | { kind: "view" | "iceberg"; location?: undefined; partitions?: undefined };

/** A catalog entry's parameter that marks it a clone, naming the `database.table` it points at. */
export const CLONE_OF_PARAMETER = "sluice_clone_of";

/** The engine publishes tables as lake versions (folders + views). */
export function isLakeEngine(engine: Engine): engine is LakeEngine {
  return engine.family === "lake";
}

/**
 * The engine as a lake engine: what a dialect that publishes tables as views needs (paired with
 * another engine: a bug).
 */
export function lakeEngine(engine: Engine): LakeEngine {
  if (!isLakeEngine(engine))
    throw new Error(`engine ${engine.name} is not a lake engine, but its dialect needs one`);
  return engine;
}

/** The engine publishes tables through a catalog (Athena + Glue + S3). */
export function isCatalogEngine(engine: Engine): engine is CatalogEngine {
  return engine.family === "catalog";
}

/**
 * A raw zone: where Firehose delivers and how it lays out the folders. Without `eventTypes`,
 * `<location>/YYYY/MM/DD/HH/<object>`; with them (Firehose dynamic partitioning by `event_type`,
 * raw.yml `partitioning: firehose_event_type_hourly`),
 * `<location>/event_type=<t>/YYYY/MM/DD/HH/<object>` for each declared `t`: the folders of other
 * event types are not read (as Athena's enum projection does not list them).
 *
 * @example { location: "/abs/models/.lake/raw/events", eventTypes: ["product_view", "order_paid"] }
 */
export interface RawZone {
  /** The zone root (`/abs/.lake/raw/events`, `s3://bucket/raw/events/`). */
  location: string;
  eventTypes?: readonly string[];
}

/** The folder of one event type in a zone partitioned by event type (Firehose's `event_type=<t>`). */
export const eventTypeFolder = (eventType: string): string => `event_type=${eventType}`;

/** The layout a zone's paths must follow, for messages about those that do not. */
export const rawZoneLayout = (zone: RawZone): string =>
  zone.eventTypes === undefined ? "YYYY/MM/DD/HH" : "event_type=<declared type>/YYYY/MM/DD/HH";

/** A raw zone listing: hour → file signature, and paths outside the zone's layout. */
export interface RawZoneListing {
  hours: ReadonlyMap<string, string>;
  strays: readonly string[];
  /**
   * The newest hour listed and the latest modification time of its files or objects (file
   * mtime, S3 LastModified): how fresh the zone is, without reading any data.
   */
  newest?: { hour: string; modifiedMs: number };
}

/** What one raw hour held, counted from the files' bytes. */
export interface RawHourCensus {
  /** Files present (quarantined ones included). */
  files: number;
  /** Bytes of those files as stored (compressed). */
  bytes: number;
  /** Newline-delimited records of the readable files, every line counted. */
  records: number;
  /** Records set aside (oversized lines): counted, not handed to SQL. */
  quarantinedRecords: number;
  /** Files that could not be read (their records cannot be counted). */
  quarantinedFiles: number;
}

/** A raw file or line the engine quarantined instead of reading. */
export interface QuarantinedRaw {
  kind: "file" | "line";
  /** Absolute path of the raw file. */
  path: string;
  dt: string;
  /** 1-based line number, for a line. */
  line?: number;
  /** Bytes of the file or the line. */
  size: number;
  reason: string;
  detail?: string;
  /** Where the line's exact bytes were copied. */
  copy?: string;
}

/** Raw hours read into a temporary table, with their independent census. */
export interface RawWindowLoad {
  /** The temporary table, as SQL can name it. */
  relation: string;
  hours: ReadonlyMap<string, RawHourCensus>;
  quarantined: readonly QuarantinedRaw[];
}

/** Cleanup calls: `defer` queues the work for {@link Engine.finishRun} (engines without it do it now). */
export interface CleanupOptions {
  defer?: boolean;
  /**
   * How many earlier versions keep their data (model config `versions_to_keep`, default
   * {@link DEFAULT_VERSIONS_TO_KEEP}): a query that started before a swap still reads them;
   * older data is deleted by the publish after. 0 deletes the replaced data right after the swap.
   */
  versionsToKeep?: number;
  /** Catalog engines: earlier data locations a stale-data cleanup leaves (see {@link PublishOutcome}). */
  retain?: readonly string[];
}

/** Earlier versions a table keeps when its model does not say (`versions_to_keep`). */
export const DEFAULT_VERSIONS_TO_KEEP = 1;

/** A catalog publish: cleanup, plus parameters recorded on the published entry (with the version, in the same call). */
export interface PublishOptions extends CleanupOptions {
  parameters?: Readonly<Record<string, string>>;
  /**
   * Catalog engines, partition publishes with `defer`: hold the publish's one table update until
   * the reconciliation records its verdict on the table ({@link CatalogEngine.setTableParameters})
   * or the run ends ({@link Engine.finishRun}), so one call records both. Until then the
   * published partitions are read, the entry keeps its earlier parameters, and the staging entry
   * marks the publish as in flight (a crash is recovered by the next sweep).
   */
  holdUntilReconciled?: boolean;
  /**
   * Catalog engines, partition publishes: the folder the staging table was written at (its
   * CTAS's location), listed for its partitions and their files (the files are recorded, so that
   * replaced data is deleted by key when it expires). Absent: the partitions are read from the
   * catalog.
   */
  stagingLocation?: string;
}

/**
 * A table's documentation as a catalog keeps it (see {@link CatalogEngine.setTableDocs}): the
 * description, and comments by column name (lower case), already within the catalog's limits.
 */
export interface TableDocs {
  description?: string;
  columns?: Readonly<Record<string, string>>;
}

/** What deferred cleanup removed. */
export interface CleanupOutcome {
  tablesDropped: number;
  objectsDeleted: number;
  /**
   * Entries of table folders that sluice did not create (no version record), left alone:
   * absolute paths, for a warning.
   */
  strays?: string[];
}

/** A file of a published table version that is not as it was published. */
export interface VersionDamage {
  /** `schema.table`. */
  table: string;
  /** The version folder (absolute). */
  version: string;
  /** The missing or changed file (absolute); the version folder itself when it is gone. */
  path: string;
  problem: "missing folder" | "missing file" | "size changed";
  /** Recorded and found sizes in bytes (`size changed`). */
  expectedBytes?: number;
  actualBytes?: number;
}

/** What {@link Engine.verifyLake} found. */
export interface LakeVerification {
  /** Current versions checked, with how many files. */
  checked: { table: string; version: string; files: number }[];
  /** Tables whose current version has no record (built before versions were recorded). */
  unrecorded: string[];
  damage: VersionDamage[];
}

/** What publishing a table through the catalog did. */
/** What a partition publish did. */
export interface PartitionPublishOutcome {
  updated: number;
  created: number;
  /** The partitions published (repointed or created). */
  written: WrittenPartitions;
  /** Data locations of the repointed partitions before the publish. */
  replaced: string[];
}

export interface PublishOutcome {
  location: string | undefined;
  created: boolean;
  partitions: { created: number; updated: number; deleted: number };
  /** Earlier data locations kept for `versionsToKeep`: pass them as `retain` to the stale cleanup. */
  retained: string[];
}

/** One check of `sluice debug`. */
export interface SetupCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** A failed statement, with what a user needs to find it. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly details: {
      sql: string;
      label?: string;
      queryId?: string;
      engineMessage: string;
      /**
       * The engine says running it again may succeed (Athena `AthenaError.Retryable`, or an
       * Iceberg commit conflict), but did not: the statement may have written part of its output,
       * which must be removed first.
       */
      retryable?: boolean;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "QueryError";
  }
}
