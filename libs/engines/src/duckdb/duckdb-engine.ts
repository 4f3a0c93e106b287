import { existsSync, mkdirSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import {
  allVersionsQuery,
  DUCKDB_TABLE_COMMENT_PREFIX,
  forgetVersionsSql,
  otherVersionsQuery,
  recordedVersionsQuery,
  tableViewsQuery,
  trinoCompatStatements,
  versionFilesQuery,
  versionName,
  type TableView,
} from "@sluice/dialects";
import type { CarryRecord, Relation } from "@sluice/dialects";
import {
  DEFAULT_VERSIONS_TO_KEEP,
  type CleanupOptions,
  type ColumnInfo,
  type CleanupOutcome,
  type LakeEngine,
  type ExecuteOptions,
  type QueryResult,
  type QueryStats,
  type RowBatch,
  type RawWindowLoad,
  type RawZone,
  type RawZoneListing,
  type RelationInfo,
} from "../engine.js";
import type {
  CarriedFiles,
  LakeVerification,
  VersionDamage,
  VersionFileOrigins,
} from "../engine.js";
import { relocateCatalog } from "./lake-relocation.js";
import {
  checkVersionFiles,
  listVersionFiles,
  parseCarryRecord,
  parseVersionFiles,
} from "./version-check.js";
import { damagedCatalogError, fileSystemOpenError } from "../open-error.js";
import { checkLakeLock, LakeBusyError, liveLakeLockHolder } from "./lake-lock.js";
import { releaseLakeLock, writeLakeLock } from "./lake-lock.js";
import { snapshotCatalog, type CatalogSnapshot } from "./catalog-snapshot.js";
import { readOnlySettings, writeRefusal } from "./read-only-guard.js";
import { faultInjector } from "./fault-injection.js";
import { BackgroundRemover } from "./background-remover.js";
import { carryFiles, filesFrom, filesUnder, flatName, writtenAndCarried } from "./version-files.js";
import { writeDayPacks, writePackRemainders } from "./day-packs.js";
import { hourFolderTimes, hoursChangedSince, listRawZone } from "./raw-hours.js";
import { queryFailure } from "./query-failure.js";
import { readerRows, resultColumns, rowsOf } from "./reader-rows.js";
import { loadRawWindow } from "./raw-window-load.js";
import { LakeConnections, type LaneChoice } from "./lake-connections.js";
import { ThreadSetting } from "./thread-setting.js";
import { mayChangeCatalog, RelationListing } from "./relation-listing.js";
import { RunVersionRecords } from "./run-version-records.js";

/** Name of the catalog file inside the lake. */
export const DUCKDB_CATALOG_FILE = "catalog.duckdb";

export interface DuckdbEngineOptions {
  /** Absolute lake directory; the catalog is `<lakeDir>/catalog.duckdb`. */
  lakeDir: string;
  /**
   * Only read: the connection refuses statements that write, files outside the lake and
   * extensions (see read-only-guard.ts). The catalog is opened read-only.
   */
  readOnly?: boolean;
  /**
   * With readOnly: open a private copy of the catalog (catalog-snapshot.ts), so this reader
   * takes no lock a build would wait on. The copy is removed on close.
   */
  snapshot?: boolean;
  /** Named in the lake's lock file while this engine writes (the runner's run id). */
  runId?: string;
  /**
   * Connections to open (default 1; a reader always has one): the run's `threads`, so nodes
   * that run at once also query at once (see lake-connections.ts). The first is ready when the
   * engine is; the others are set up in the background.
   */
  connections?: number;
  /**
   * Install the Trino-compat layer (default true): model SQL is Athena's. False for projects
   * whose models are plain DuckDB SQL (a dbt-duckdb profile, `sql-dialect: duckdb`): DuckDB's
   * own division and functions; sessions are still UTC.
   */
  trinoCompat?: boolean;
}

// The target of a COPY as the DuckDB dialect writes it: `COPY (...) TO '<path>' (FORMAT ...`.
const COPY_TARGET = /\)\s*TO\s*'((?:[^']|'')*)'\s*\(\s*FORMAT\b/gi;

/**
 * One statement that changes no catalog row: a query, or a COPY of a query to files (what writes
 * a table's Parquet). Anything else (or a `;`: a second statement) is a commit (see LaneChoice).
 */
const isReadOrFileWrite = (sql: string): boolean =>
  !sql.includes(";") && (/^\s*(select|with)\b/i.test(sql) || /^\s*copy\s*\(/i.test(sql));

/**
 * The local lake engine: one DuckDB connection over `<lakeDir>/catalog.duckdb`, with the
 * Trino-compat layer installed (unless `trinoCompat: false`). Tables are views over Parquet
 * folders inside the lake.
 *
 * @example
 * const engine = await openDuckdbEngine({ lakeDir: "/abs/models/.lake" });
 * const { rows } = await engine.execute("select 7 / 2 as x"); // [{ x: 3 }]
 * await engine.close();
 */
export async function openDuckdbEngine(options: DuckdbEngineOptions): Promise<LakeEngine> {
  const lakeDir = resolve(options.lakeDir);
  const readOnly = Boolean(options.readOnly);
  const catalog = join(lakeDir, DUCKDB_CATALOG_FILE);
  // A copy taken while a build writes the catalog may be torn; a fresh copy is taken then (the
  // last attempt's error is the one reported).
  for (let attempt = 1; ; attempt++) {
    const snapshot = readOnly && options.snapshot ? await snapshotCatalog(catalog) : undefined;
    try {
      const { instance, connection, layer } = await openCatalog(lakeDir, options, snapshot);
      const lanes = new LakeConnections(connection);
      for (let i = 1; i < (readOnly ? 1 : (options.connections ?? 1)); i++)
        lanes.add(connectWithLayer(instance, layer));
      return new DuckdbEngine(lakeDir, instance, lanes, readOnly, snapshot);
    } catch (error) {
      await snapshot?.remove();
      if (!snapshot || attempt === SNAPSHOT_ATTEMPTS) throw error;
    }
  }
}

const SNAPSHOT_ATTEMPTS = 3;

/** How often a stopped statement is interrupted again until it ends (see `execute`). */
const INTERRUPT_REPEAT_MS = 50;

/**
 * `run` (one statement on `connection`), interrupted when `signal` aborts. DuckDB forgets an
 * interrupt that comes before the statement has started on its thread (the call only queues
 * it): interrupted again every 50 ms until the statement settles; nothing after it is.
 */
async function interruptible<T>(
  connection: DuckDBConnection,
  signal: AbortSignal | undefined,
  run: () => Promise<T>,
): Promise<T> {
  let repeat: ReturnType<typeof setInterval> | undefined;
  const onAbort = () => {
    connection.interrupt();
    repeat ??= setInterval(() => connection.interrupt(), INTERRUPT_REPEAT_MS);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await run();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    clearInterval(repeat);
  }
}

/** Why a query never started: the abort's own reason (`timed out after 0.2s (--timeout)`). */
const abortedBeforeStart = (signal: AbortSignal): string =>
  signal.reason instanceof Error
    ? `${signal.reason.message}, before the query started`
    : "query aborted before it started";

async function openCatalog(
  lakeDir: string,
  options: DuckdbEngineOptions,
  snapshot?: CatalogSnapshot,
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection; layer: string }> {
  const readOnly = Boolean(options.readOnly);
  // Up to DuckDB's open, nothing waits for the event loop (a folder made and a small file read
  // synchronously): the open is started by a command that goes on applying its selection, and
  // each callback of an asynchronous step would wait for that work (~50 ms of a 7-day lake's
  // one-hour build: its catalog loaded off the main thread meanwhile instead).
  if (!readOnly) {
    try {
      mkdirSync(lakeDir, { recursive: true });
    } catch (error) {
      throw fileSystemOpenError(error, lakeDir);
    }
    await checkLakeLock(lakeDir);
  }
  const catalog = snapshot?.catalog ?? join(lakeDir, DUCKDB_CATALOG_FILE);
  // Named as the lake's own file, also when a reader opened its snapshot copy.
  const openError = (error: unknown): unknown =>
    damagedCatalogError(error, join(lakeDir, DUCKDB_CATALOG_FILE)) ??
    (readOnly ? error : fileSystemOpenError(error, lakeDir));
  // A catalog this open creates is removed again when the open fails (no half catalog stays).
  const fresh = !readOnly && !existsSync(catalog);
  const removeFresh = async () => {
    if (fresh) await Promise.all([catalog, `${catalog}.wal`].map((f) => rm(f, { force: true })));
  };
  let instance: DuckDBInstance;
  try {
    // A reader's snapshot is its own private copy: opened writable, so it can be relocated.
    instance = await DuckDBInstance.create(catalog, {
      access_mode: readOnly && !snapshot ? "READ_ONLY" : "READ_WRITE",
    });
  } catch (error) {
    // DuckDB's own OS lock on the catalog: another build won the race, or any other process
    // (a DuckDB client, a BI tool) has the catalog open.
    if (error instanceof Error && /lock/i.test(error.message)) {
      throw new LakeBusyError(lakeDir, await liveLakeLockHolder(lakeDir), { cause: error });
    }
    await removeFresh();
    throw openError(error);
  }
  const connection = await instance.connect().catch((error: unknown) => {
    instance.closeSync();
    throw error;
  });
  // One round trip for the whole layer keeps open() fast. Parquet footers are cached: a run
  // binds the same table versions several times (schema probe, write, reconciliation), and
  // lake files are never rewritten in place.
  // A reader's settings come last: they lock the configuration.
  const allowed = snapshot ? [lakeDir, snapshot.dir] : [lakeDir];
  const settings = readOnly ? readOnlySettings(allowed) : [];
  const compat =
    options.trinoCompat === false
      ? ["SET TimeZone = 'UTC'"]
      : trinoCompatStatements().map((s) => s.sql);
  const layer = ["SET parquet_metadata_cache = true", ...compat].map((sql) => `${sql};`).join("\n");
  try {
    // The lock names this process while the layer (session settings and TEMP macros, nothing
    // written to the catalog) is installed in DuckDB's thread.
    const installed = await Promise.allSettled([
      readOnly ? undefined : writeLakeLock(lakeDir, options.runId),
      connection.run(layer),
    ]);
    for (const step of installed) if (step.status === "rejected") throw step.reason;
    // A moved or copied project: its views must point into this lake before anything reads them
    // (a reader's snapshot too: the real catalog is rewritten by the next build).
    if (!readOnly || snapshot) await relocateCatalog(connection, lakeDir);
    if (settings.length > 0) await connection.run(settings.map((sql) => `${sql};`).join("\n"));
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    if (!readOnly) await releaseLakeLock(lakeDir);
    await removeFresh();
    throw openError(error);
  }
  return { instance, connection, layer };
}

/** Another connection to the catalog, with the session layer (settings, TEMP macros) installed. */
async function connectWithLayer(
  instance: DuckDBInstance,
  layer: string,
): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  try {
    await connection.run(layer);
  } catch (error) {
    connection.closeSync();
    throw error;
  }
  return connection;
}

/**
 * File-system listings a run takes once, each serving every node that asks: the change time of
 * each raw hour folder (each incremental model looks for late files in the whole zone's history),
 * and the files of published table versions (every test scoped to written partitions lists its
 * tables' versions; a published version's folder never changes). Taken after the run's raw
 * listing time, so a file landing later is newer than that time and the next run finds it.
 * And the version records, read at the run's first check or cleanup (after the run recorded
 * its versions up front); undefined when that read failed, each use then reads its own.
 */
interface RunMemo {
  hourTimes: Map<string, Map<string, number>>;
  versionFiles: Map<string, string[]>;
  /**
   * File sizes known without a stat, by version folder (resolved) and path inside it: the files
   * of a version `checkTableVersion` found as recorded, and those carried from one by
   * `carryVersionFiles` (see listVersionFiles).
   */
  knownSizes: Map<string, Map<string, number>>;
  versions?: Promise<RunVersionRecords | undefined>;
}

const emptyRunMemo = (): RunMemo => ({
  hourTimes: new Map(),
  versionFiles: new Map(),
  knownSizes: new Map(),
});

class DuckdbEngine implements LakeEngine {
  readonly name = "duckdb" as const;
  readonly family = "lake" as const;
  private closed = false;
  private remover = new BackgroundRemover();
  /** Versions queued for removal this run, forgotten once their folders are gone. */
  private removing: { relation: Relation; version: string; dir: string }[] = [];
  /** Table-folder entries sluice did not create, seen by this run's cleanups. */
  private strays: string[] = [];
  private readonly fault = faultInjector(process.env);
  /** What one run lists of the file system once; `finishRun` forgets it (see {@link RunMemo}). */
  private runMemo = emptyRunMemo();
  /** The catalog's relations as last listed; dropped by any statement that may change them. */
  private relations: Promise<RelationListing> | undefined;

  constructor(
    private readonly lakeDir: string,
    private readonly instance: DuckDBInstance,
    private readonly lanes: LakeConnections,
    private readonly readOnly: boolean,
    private readonly snapshot: CatalogSnapshot | undefined,
  ) {}

  /** The database's thread count, one setting for every connection (`SET threads` is global). */
  private readonly threads = new ThreadSetting();
  /** The TEMP tables the raw windows were loaded into: only the first connection has them. */
  private readonly tempTables: string[] = [];

  /** A statement that reads the catalog as every commit queued before it left it. */
  private query(sql: string) {
    return this.lanes.run((c) => c.runAndReadAll(sql), { commits: true });
  }

  /** Where a statement may run: see {@link LaneChoice}. */
  private laneFor(sql: string): LaneChoice {
    return {
      first: this.tempTables.some((name) => sql.includes(name)),
      commits: !isReadOrFileWrite(sql),
    };
  }

  async execute(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    const { signal, label } = options;
    const started = performance.now();
    const fail = queryFailure(sql, label);
    if (signal?.aborted) throw fail(abortedBeforeStart(signal), signal.reason);
    const refusal =
      this.readOnly || options.readsOnly
        ? await this.lanes.run((c) => writeRefusal(c, sql), { first: true })
        : undefined;
    if (refusal) throw fail(refusal);
    if (mayChangeCatalog(sql)) this.relations = undefined;
    await this.prepareCopyTarget(sql);
    const statementDone = this.fault.statementStarted({ label, sql });
    try {
      const reader = await this.lanes.run(async (connection) => {
        // Aborted while it waited for the connection: never started.
        if (signal?.aborted) throw new Error(abortedBeforeStart(signal));
        // A reader's configuration is locked (readOnlySettings): it runs as opened.
        if (!this.readOnly) await this.threads.use(connection, options.newDataOnly);
        try {
          // Interrupts stop before anything else uses the connection (the ROLLBACK below).
          return await interruptible(connection, signal, () => connection.runAndReadAll(sql));
        } catch (error) {
          // A multi-statement publish may have failed inside its transaction: end it before the
          // connection runs anything else.
          if (/^\s*BEGIN\b/i.test(sql)) await connection.run("ROLLBACK").catch(() => undefined);
          throw error;
        }
      }, this.laneFor(sql));
      const { columns, rows } = readerRows(reader);
      const stats: QueryResult["stats"] = { elapsedMs: performance.now() - started };
      if (
        columns.length === 1 &&
        columns[0]!.name === "Count" &&
        rows.length === 1 &&
        /^\s*(copy|insert)\b/i.test(sql)
      ) {
        stats.rowsAffected = Number(rows[0]!.Count);
      }
      statementDone();
      return { columns, rows, stats };
    } catch (error) {
      statementDone(true);
      const message = error instanceof Error ? error.message : String(error);
      throw fail(signal?.aborted ? `query aborted: ${message}` : message, error);
    }
  }

  async executeInBatches(
    sql: string,
    onBatch: (columns: readonly ColumnInfo[], batch: RowBatch) => void,
    options: ExecuteOptions = {},
  ): Promise<{ columns: ColumnInfo[]; rowCount: number; stats: QueryStats }> {
    const { signal, label } = options;
    const started = performance.now();
    const fail = queryFailure(sql, label);
    if (signal?.aborted) throw fail(abortedBeforeStart(signal), signal.reason);
    // Reads only, checked as execute checks a reader's statements.
    if (!this.readOnly)
      throw fail("refused: executeInBatches() reads, on an engine opened read-only");
    const refusal = await this.lanes.run((c) => writeRefusal(c, sql), { first: true });
    if (refusal) throw fail(refusal);
    try {
      return await this.lanes.run(async (connection) => {
        if (signal?.aborted) throw new Error(abortedBeforeStart(signal));
        // Materialized, not streamed: the statement runs to its end (or its error) before a
        // row is handed over. A streamed result's fetchChunk ends with an empty chunk at an
        // error as at the end (node-api 1.5): a failed query would read as a shorter one.
        const result = await interruptible(connection, signal, () => connection.run(sql));
        const columns = resultColumns(result);
        onBatch(columns, { rowCount: 0, rows: () => [] });
        let rowCount = 0;
        for (let chunk = await result.fetchChunk(); chunk; chunk = await result.fetchChunk()) {
          if (chunk.rowCount === 0) break;
          // Ctrl-C while the rows are handed over: the caller says how many went out.
          if (signal?.aborted) throw new Error(abortedBeforeStart(signal));
          const rows = (): Record<string, unknown>[] => rowsOf(chunk!, columns);
          rowCount += chunk.rowCount;
          onBatch(columns, { rowCount: chunk.rowCount, rows });
        }
        return { columns, rowCount, stats: { elapsedMs: performance.now() - started } };
      }, this.laneFor(sql));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw fail(signal?.aborted ? `query aborted: ${message}` : message, error);
    }
  }

  async describeRelation(relation: Relation): Promise<RelationInfo> {
    this.relations ??= RelationListing.read((sql) => this.query(sql));
    const listing = this.relations;
    // A failed read is not kept: the next describe reads again.
    listing.catch(() => {
      if (this.relations === listing) this.relations = undefined;
    });
    return (await listing).describe(relation);
  }

  /**
   * Removes only the versions of this table that the lake records as sluice's (see
   * version-records.ts), including 'writing' leftovers of killed runs; anything else in the
   * table's folder is left alone and reported by {@link finishRun} as a stray.
   */
  async removeStaleLocations(
    relation: Relation,
    keepLocation: string,
    options: CleanupOptions = {},
  ): Promise<void> {
    const tableDir = join(this.lakeDir, relation.schema, relation.name);
    const keep = resolve(keepLocation);
    if (dirname(keep) !== tableDir) {
      throw new Error(
        `refusing to clean ${tableDir}: the kept location ${keep} is not one of its versions`,
      );
    }
    const rows =
      (await this.runVersions())?.othersAfterPublish(relation, versionName(keep)) ??
      (await this.query(otherVersionsQuery(relation, versionName(keep)))).getRowObjectsJS();
    const versions = rows.map((r) => String(r.version));
    const ours = new Set([...versions, versionName(keep)]);
    // The newest replaced versions stay for queries that started before the swap (a reader's
    // catalog snapshot still names them); crashed runs' 'writing' folders never do.
    const kept = new Set(
      rows
        .filter((r) => r.status === "replaced")
        .slice(0, options.versionsToKeep ?? DEFAULT_VERSIONS_TO_KEEP)
        .map((r) => String(r.version)),
    );
    const entries = await readdir(tableDir).catch(() => [] as string[]);
    this.strays.push(
      ...entries.filter((name) => !ours.has(name)).map((name) => join(tableDir, name)),
    );
    const stale = versions
      .filter((version) => !kept.has(version))
      .map((version) => ({ relation, version, dir: join(tableDir, version) }));
    this.removing.push(...stale);
    // Deferred: removed in the background while the next models' queries run; finishRun waits.
    if (options.defer) this.remover.remove(stale.map((s) => s.dir));
    else {
      await Promise.all(stale.map((s) => rm(s.dir, { recursive: true, force: true })));
      await this.forgetRemoved();
    }
  }

  async versionFiles(location: string): Promise<Record<string, number>> {
    return listVersionFiles(location, this.runMemo.knownSizes.get(resolve(location)));
  }

  async carryRecord(relation: Relation, location: string): Promise<CarryRecord | undefined> {
    const read = (await this.runVersions())?.filesOf(relation, versionName(location));
    return parseCarryRecord(read?.carried);
  }

  async checkTableVersion(relation: Relation, location: string): Promise<VersionDamage[]> {
    const version = versionName(location);
    const read = (await this.runVersions())?.filesOf(relation, version);
    const recorded = read
      ? read.files
      : (await this.query(versionFilesQuery(relation, version))).getRowObjectsJS()[0]?.files;
    const files = parseVersionFiles(recorded);
    if (!files) return [];
    const damage = checkVersionFiles(
      `${relation.schema}.${relation.name}`,
      resolve(location),
      files,
    );
    if (damage.length === 0)
      this.runMemo.knownSizes.set(resolve(location), new Map(Object.entries(files)));
    return damage;
  }

  /** The version records, read once a run (see {@link RunVersionRecords}). */
  private runVersions(): Promise<RunVersionRecords | undefined> {
    return (this.runMemo.versions ??= this.query(allVersionsQuery()).then(
      (read) => new RunVersionRecords(read.getRowObjectsJS()),
      () => undefined,
    ));
  }

  async verifyLake(): Promise<LakeVerification> {
    const views = (await this.query(tableViewsQuery())).getRowObjectsJS() as unknown as TableView[];
    const records = new Map<string, unknown>();
    // A lake from before versions were recorded has no record table: every table is unrecorded.
    const rows = await this.query(recordedVersionsQuery()).then(
      (r) => r.getRowObjectsJS(),
      () => [],
    );
    for (const r of rows)
      records.set(`${String(r.schema_name)}.${String(r.table_name)}/${String(r.version)}`, r.files);
    const out: LakeVerification = { checked: [], unrecorded: [], damage: [] };
    for (const view of views) {
      const table = `${view.schema_name}.${view.view_name}`;
      const version = view.comment.slice(DUCKDB_TABLE_COMMENT_PREFIX.length);
      const files = parseVersionFiles(records.get(`${table}/${versionName(version)}`));
      if (!files) {
        out.unrecorded.push(table);
        continue;
      }
      out.checked.push({ table, version, files: Object.keys(files).length });
      out.damage.push(...checkVersionFiles(table, version, files));
    }
    return out;
  }

  async listRawHours(zone: RawZone, from?: string): Promise<RawZoneListing> {
    return listRawZone(zone, from);
  }

  async rawHoursChangedSince(zone: RawZone, sinceMs: number, before: string): Promise<string[]> {
    let times = this.runMemo.hourTimes.get(zone.location);
    if (!times) this.runMemo.hourTimes.set(zone.location, (times = hourFolderTimes(zone)));
    return hoursChangedSince(times, sinceMs, before);
  }

  loadRawWindow(
    zone: RawZone,
    hours: readonly string[],
    table: { name: string; createSql: string },
  ): Promise<RawWindowLoad> {
    const { lakeDir } = this;
    // The relation listing is kept: it lists the catalog's own database, and the window's table
    // is TEMP (DuckDB's `temp` database), so the load changes nothing it holds.
    this.tempTables.push(table.name);
    // Alone on the first connection for the whole load: its appender and queries must not
    // interleave, and the statements that read the TEMP table run there (laneFor).
    return this.lanes.run(
      (connection) =>
        loadRawWindow({
          connection,
          lakeDir,
          zone,
          hours,
          table: table.name,
          createTableSql: table.createSql,
        }),
      { first: true },
    );
  }

  async versionFilesFrom(
    location: string,
    column: string,
    from: string,
  ): Promise<string[] | undefined> {
    return filesFrom(location, column, from, this.versionFilesOf(location));
  }

  async versionFileOrigins(location: string): Promise<VersionFileOrigins> {
    return writtenAndCarried(location, this.versionFilesOf(location));
  }

  /** The files under a version folder, listed once a run (a published version never changes). */
  private versionFilesOf(location: string): string[] {
    let files = this.runMemo.versionFiles.get(location);
    if (!files) this.runMemo.versionFiles.set(location, (files = filesUnder(location)));
    return files;
  }

  /**
   * Links the files the new version keeps (see carryFiles), copies the other rows of each day
   * pack that holds a partition the new version wrote, and, unless only some `files` are
   * carried (carry_where's), packs the closed days' hourly files (see version-packs.ts).
   */
  async carryVersionFiles(
    from: string,
    to: string,
    options: { skipWrittenPartitions: boolean; files?: readonly string[] },
  ): Promise<CarriedFiles> {
    const known = this.runMemo.knownSizes.get(resolve(from));
    const sizes = known && (this.runMemo.knownSizes.get(resolve(to)) ?? new Map<string, number>());
    if (sizes) this.runMemo.knownSizes.set(resolve(to), sizes);
    const { overlapping, files, ...carried } = await carryFiles(
      from,
      to,
      options,
      known && sizes && { from: known, to: sizes },
    );
    const remainders = await writePackRemainders(
      (sql) =>
        this.execute(sql, { label: "carry a day pack's other partitions", newDataOnly: true }),
      from,
      to,
      overlapping,
    );
    if (options.files === undefined)
      await writeDayPacks(
        (sql) =>
          this.execute(sql, { label: "pack the closed days' hourly files", newDataOnly: true }),
        to,
        [...files, ...remainders],
        sizes,
      );
    return { ...carried, carried: carried.carried + remainders.length };
  }

  carriedFilePath(to: string, fileOfPartition: string, name: string): string {
    return join(to, flatName(fileOfPartition, name));
  }

  /**
   * Waits for the deferred removals and forgets the removed versions; `objectsDeleted` counts the
   * version folders removed, `strays` what table folders hold that sluice did not create.
   */
  async finishRun(): Promise<CleanupOutcome> {
    this.runMemo = emptyRunMemo();
    const remover = this.remover;
    this.remover = new BackgroundRemover();
    const strays = [...new Set(this.strays)].sort();
    this.strays = [];
    try {
      const removed = await remover.finish();
      return {
        tablesDropped: 0,
        objectsDeleted: removed,
        ...(strays.length > 0 ? { strays } : {}),
      };
    } finally {
      // Also after a failed removal: what is gone is forgotten, the rest is removed next time.
      await this.forgetRemoved();
    }
  }

  /** Drop the records of the versions queued for removal whose folders are gone. */
  private async forgetRemoved(): Promise<void> {
    const gone = this.removing.filter((s) => !existsSync(s.dir));
    this.removing = this.removing.filter((s) => existsSync(s.dir));
    if (gone.length > 0)
      await this.lanes.run((c) => c.run(forgetVersionsSql(gone)), { commits: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.remover.finish().catch(() => undefined);
    // The checkpoint closeSync would make (~45 ms after an hourly build here) made first, in
    // DuckDB's thread: the caller's work meanwhile (writing the run's results) goes on. On a
    // failure closeSync checkpoints as before.
    if (!this.readOnly)
      await this.lanes.run((c) => c.run("CHECKPOINT"), { commits: true }).catch(() => undefined);
    await this.lanes.close();
    this.instance.closeSync();
    if (!this.readOnly) await releaseLakeLock(this.lakeDir);
    await this.snapshot?.remove();
  }

  /** DuckDB does not create missing parent folders for a COPY target. */
  private async prepareCopyTarget(sql: string): Promise<void> {
    if (!/^\s*copy\b/i.test(sql)) return;
    const target = [...sql.matchAll(COPY_TARGET)].at(-1)?.[1];
    if (target !== undefined)
      await mkdir(dirname(target.replaceAll("''", "'")), { recursive: true });
  }
}
