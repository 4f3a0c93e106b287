import type { CompiledNode } from "@sluice/compiler";
import {
  batchSelects,
  incrementalFrom,
  isTooManyPartitions,
  lookbackHours,
  NO_WATERMARK,
  PENDING_PARAMETER,
  planStatements,
  STAGING_MARKER,
  stagingRelation,
  VERSION_PARAMETER,
} from "@sluice/compiler/plan";
import { catalogDialect, type Relation } from "@sluice/dialects";
import { QueryError, type RelationInfo, type WrittenPartitions } from "@sluice/engines";
import type { CatalogEngine } from "../athena/catalog-engine.js";
import { catalogEngine } from "../athena/catalog-engine.js";
import { reconcileSchema } from "../athena/schema-reconcile.js";
import { distinctPartitions } from "../athena/partition-batches.js";
import type { MaterializeContext, Materializer, MaterializeOutcome } from "./materializer.js";
import { rowsWritten, versionsToKeep } from "./materializer.js";
import {
  bindWatermark,
  newerWatermark,
  watermarkParameters,
  usesWindow,
  windowStart,
} from "../athena/watermark.js";
import { checkInputs, noteVersion, versionParameters } from "../athena/unchanged-inputs.js";
import { newestHour, type RawHours } from "../incremental/raw-hours.js";

/**
 * Athena + Glue. Tables (and seeds, and incremental first runs) are written by one CTAS into a
 * staging table `<name>__sluice_<write id>` at a fresh S3 location, published by a Glue swap
 * (readers see the old or the new version, never a missing table), then the old data is
 * deleted (at the end of the run, batched, when the engine can defer cleanup). Incremental runs INSERT INTO the published table; insert_overwrite first replaces
 * the overwritten partitions. Before writing, leftovers of crashed builds of the same table
 * are dropped. A write of more than `maxPartitionsPerWrite` partitions is split into batches.
 * Iceberg tables (`table_type='iceberg'`) are published the same way and merged with MERGE INTO.
 * An incremental table's watermark is recorded in its Glue entry with each version (see
 * {@link watermarkParameters}) and read back to bind the next window.
 */
export const catalogSwapMaterializer: Materializer = async (node, ctx) => {
  try {
    return await materialize(node, ctx);
  } catch (error) {
    throw asNodeError(node, error);
  }
};

/**
 * Catalog and storage calls (Glue, S3) fail with SDK errors; they are the node's failure
 * (AccessDenied, a missing bucket...), reported like a failed query rather than as a bug.
 */
function asNodeError(node: CompiledNode, error: unknown): unknown {
  if (
    error instanceof QueryError ||
    !(error instanceof Error) ||
    !("$metadata" in error || /Exception$|^SlowDown$/.test(error.name))
  )
    return error;
  return new QueryError(
    `${node.id} failed: ${error.message}`,
    { sql: "", label: node.id, engineMessage: error.message },
    { cause: error },
  );
}

const materialize: Materializer = async (node, ctx) => {
  if (
    node.materialization === "view" ||
    node.materialization === "source" ||
    node.materialization === "ephemeral"
  ) {
    for (const statement of planStatements(node, ctx.dialect, {
      exists: false,
      fullRefresh: ctx.fullRefresh,
      writeId: ctx.writeId,
    })) {
      await ctx.execute(statement.sql);
    }
    return { appended: false };
  }
  const engine = catalogEngine(ctx.engine);
  const staging = stagingRelation(node.relation, ctx.writeId);
  await engine.dropStagingTables(node.relation, STAGING_MARKER, staging.name);
  const existing: RelationInfo = ctx.fullRefresh
    ? { exists: false }
    : await engine.describeRelation(node.relation);
  const incremental =
    node.materialization === "incremental" &&
    existing.exists &&
    existing.kind === "table" &&
    existing.location !== undefined;
  const from = incremental ? await windowStart(node, ctx, existing) : NO_WATERMARK;
  const windowed = node.materialization === "incremental" && usesWindow(node);
  const lookback = windowed ? lookbackHours(node.config as Record<string, unknown>) : undefined;
  const inputs = await checkInputs(node, ctx, engine, existing, from, lookback);
  if (inputs.unchanged) {
    noteVersion(ctx, node.relation, existing.parameters?.[VERSION_PARAMETER] ?? "");
    // What an earlier build's cleanup left (it failed or was cut short) goes all the same.
    await engine.removeLeftovers(node.relation, existing, {
      defer: true,
      partitioned: node.partitionedBy.length > 0,
      versionsToKeep: versionsToKeep(node),
    });
    // The reconciliation checks the hours read: none (those before were checked when read).
    if (incremental) ctx.windowsRead?.set(node.id, incrementalFrom(newestHour(inputs.raw), -1));
    return { appended: false, unchanged: true };
  }
  // The hours read stay pending until the reconciliation balances them.
  const pending =
    node.materialization === "incremental" && ctx.reconciled?.nodes.has(node.id) === true;
  const recorded = {
    ...versionParameters(inputs, ctx.writeId),
    ...(pending ? { [PENDING_PARAMETER]: from } : {}),
  };
  const outcome = await write(node, ctx, engine, staging, existing, incremental, from, {
    recorded,
    raw: inputs.raw,
  });
  noteVersion(ctx, node.relation, ctx.writeId);
  if (pending) ctx.reconciled?.recorded.add(node.id);
  return outcome;
};

/** What a version written by this node records besides its watermark, and the raw hours listed. */
interface Written {
  recorded: Record<string, string>;
  raw: RawHours | undefined;
}

/** Write a new version of the node's table (or its rows into the current one). */
async function write(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  staging: Relation,
  existing: RelationInfo,
  incremental: boolean,
  from: string,
  version: Written,
): Promise<MaterializeOutcome> {
  if (incremental) {
    const boundSql = bindWatermark(node, ctx, node.incrementalSql ?? node.sql, from);
    const strategy = node.incrementalStrategy ?? "append";
    if (strategy === "insert_overwrite" && isIceberg(node, ctx)) {
      // Iceberg partitions are not Glue partitions, and DELETE + INSERT would show readers the gap.
      throw unsupported(
        node,
        "incremental_strategy 'insert_overwrite' is for Hive tables; use 'merge' with a unique_key on an Iceberg table",
      );
    }
    if (strategy === "insert_overwrite" && node.partitionedBy.length === 0) {
      // An unpartitioned overwrite replaces the whole table (dbt-athena silently appends instead): its columns are the SELECT's.
      return publishNewVersion(node, ctx, engine, staging, boundSql, version);
    }
    // Before MERGE/INSERT, which match the table's columns by name/position.
    const { selectSql, columns } = await reconcileSchema(
      node,
      ctx,
      existing.columns ?? [],
      boundSql,
    );
    // insert_overwrite records its watermark with the partitions it publishes.
    if (strategy === "insert_overwrite")
      return insertOverwrite(node, ctx, engine, staging, { selectSql, columns }, existing, version);
    const outcome =
      strategy === "merge"
        ? await merge(node, ctx, selectSql, columns)
        : await append(node, ctx, engine, staging, { selectSql, columns }, existing.location!);
    // The rows are in: the table's watermark and inputs move with them.
    const watermark = await watermarkParameters(
      node,
      ctx,
      engine,
      node.relation,
      undefined,
      version.raw,
    );
    await engine.setTableParameters(node.relation, { ...watermark, ...version.recorded });
    return outcome;
  }
  return publishNewVersion(node, ctx, engine, staging, node.sql, version);
}

/** CTAS into the staging table at a fresh location, Glue swap, delete the old data. */
async function publishNewVersion(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  staging: Relation,
  selectSql: string,
  version: Written,
): Promise<MaterializeOutcome> {
  if (!node.location) throw new Error(`${node.id} has no table location`);
  let rows: number | undefined;
  try {
    rows = await ctas(
      ctx,
      staging,
      selectSql,
      node.partitionedBy,
      node.location,
      tableType(node, ctx),
    );
  } catch (error) {
    if (!canBatch(error, node, ctx)) throw error;
    // The failed CTAS may have left files at node.location: write elsewhere, they go with the old data.
    await engine.dropTableWithData(staging);
    rows = await batchedCtas(node, ctx, engine, staging, selectSql, `${node.location}_batched`);
  }
  // Dropping the staging entry and the old data can wait for the end of the run (batched there):
  // the swap is done, nothing reads either, and a crash before then leaves what the next run sweeps.
  const cleanup = { defer: true, versionsToKeep: versionsToKeep(node) };
  const parameters = {
    ...(await watermarkParameters(node, ctx, engine, staging, undefined, version.raw)),
    ...version.recorded,
  };
  const published = await engine.publishTable(staging, node.relation, { ...cleanup, parameters });
  if (published.location)
    await engine.removeStaleLocations(node.relation, published.location, {
      ...cleanup,
      retain: published.retained,
    });
  return { rows, appended: false };
}

async function ctas(
  ctx: MaterializeContext,
  relation: Relation,
  selectSql: string,
  partitionedBy: readonly string[],
  location: string,
  tableType?: "iceberg",
) {
  const write = {
    relation,
    selectSql,
    partitionedBy,
    location,
    writeId: ctx.writeId,
    ...(tableType === undefined ? {} : { tableType }),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      let rows: number | undefined;
      for (const statement of ctx.dialect.createTableAs(write))
        rows = rowsWritten(statement.kind, await ctx.execute(statement.sql), rows);
      return rows;
    } catch (error) {
      if (!(error instanceof QueryError && error.details.retryable) || attempt >= CTAS_ATTEMPTS)
        throw error;
      // The staging table and its location are this run's own: clear both, then write again.
      const engine = catalogEngine(ctx.engine);
      await removeFailedOutput(engine, error, location);
      await engine.dropTableWithData(relation);
      await backoff(attempt);
    }
  }
}

/** Tries of a staging CTAS that Athena failed as retryable (its output removed in between). */
const CTAS_ATTEMPTS = 3;

/** Full-jitter exponential backoff before try `attempt + 1` (at most 8 s). */
const backoff = (attempt: number) =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.floor(Math.random() * Math.min(8_000, 500 * 2 ** attempt))),
  );

async function insert(
  ctx: MaterializeContext,
  relation: Relation,
  selectSql: string,
  partitionedBy: readonly string[],
  location: string,
  columns?: readonly string[],
) {
  let rows: number | undefined;
  const write = {
    relation,
    selectSql,
    partitionedBy,
    location,
    writeId: ctx.writeId,
    ...(columns === undefined ? {} : { columns }),
  };
  for (const statement of ctx.dialect.insertInto(write))
    rows = rowsWritten(statement.kind, await ctx.execute(statement.sql), rows);
  return rows;
}

/**
 * More partitions than one query may write: stage the rows unpartitioned, list their partition
 * values, then CTAS the first batch and INSERT the others (each batch a literal predicate).
 */
async function batchedCtas(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  staging: Relation,
  selectSql: string,
  location: string,
): Promise<number | undefined> {
  const source = await stageUnpartitioned(node, ctx, staging, selectSql, "src");
  const partitions = await distinctPartitions(
    catalogDialect(ctx.dialect),
    ctx.execute,
    source,
    node.partitionedBy,
  );
  let rows: number | undefined;
  for (const [i, predicateSql] of batchSelects(
    catalogDialect(ctx.dialect),
    source,
    partitions,
  ).entries()) {
    const written =
      i === 0
        ? await ctas(ctx, staging, predicateSql, node.partitionedBy, location, tableType(node, ctx))
        : await insert(ctx, staging, predicateSql, node.partitionedBy, location);
    rows = sum(rows, written);
  }
  await engine.dropTableWithData(source);
  return rows;
}

/**
 * The rows of an incremental run: the SELECT (reconciled to the table's columns) and the table's
 * columns in order, which the INSERTs name.
 */
interface IncomingRows {
  selectSql: string;
  columns: readonly string[];
}

/**
 * insert_overwrite: CTAS the new rows into a staging table partitioned like the published one, at
 * this run's fresh location (in batches past the partition limit), then repoint the partitions it
 * wrote in Glue (created when new). Readers see the old partitions until the repoint, which is
 * undone if it fails; the old partitions' data is deleted only after it, and only what this run
 * replaced (past `versions_to_keep`). A failed CTAS removes what it wrote and changes nothing.
 * The new watermark (the newer of the staging rows' and the table's) is set by the same Glue
 * update that records the publish. A failure after the repoint leaves the staging data to the
 * partitions that read it.
 */
async function insertOverwrite(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  staging: Relation,
  incoming: IncomingRows,
  existing: RelationInfo,
  version: Written,
): Promise<MaterializeOutcome> {
  if (!node.location) throw new Error(`${node.id} has no table location`);
  // CTAS makes the table's columns from the SELECT's: in the table's order, partition keys last.
  const selectSql = ctx.dialect.selectColumns(incoming.selectSql, incoming.columns);
  let rows: number | undefined;
  let published: { updated: number; created: number; written: WrittenPartitions } | undefined;
  try {
    try {
      rows = await ctas(ctx, staging, selectSql, node.partitionedBy, node.location);
    } catch (error) {
      await removeFailedOutput(engine, error, node.location);
      if (!canBatch(error, node, ctx)) throw error;
      await engine.dropTableWithData(staging);
      rows = await batchedCtas(node, ctx, engine, staging, selectSql, `${node.location}_batched`);
    }
    const parameters = {
      ...newerWatermark(
        await watermarkParameters(node, ctx, engine, staging, existing, version.raw),
        existing.parameters,
      ),
      ...version.recorded,
    };
    published = await engine.publishPartitions(staging, node.relation, {
      defer: true,
      versionsToKeep: versionsToKeep(node),
      parameters,
    });
  } catch (error) {
    // The staging data goes unless the publish got as far as repointing partitions at it.
    await engine.dropTableWithData(staging, { unlessReadBy: node.relation }).catch(() => undefined);
    throw error;
  }
  // The partitions this run replaced or added (the row message: "replaced N partitions").
  const partitions = published === undefined ? undefined : published.updated + published.created;
  return {
    rows: rows ?? 0,
    appended: true,
    ...(published === undefined ? {} : { partitions, written: published.written }),
  };
}

/** The files a failed CTAS wrote before failing (an Athena CTAS leaves them without a table). */
async function removeFailedOutput(
  engine: CatalogEngine,
  error: unknown,
  location: string,
): Promise<void> {
  const queryId = error instanceof QueryError ? error.details.queryId : undefined;
  // Best effort: the location is this run's own, so files left there are read by nothing, and a
  // later full publish of the table removes them with its other stale data.
  if (queryId !== undefined) await engine.removeQueryOutput(queryId, location).catch(() => 0);
}

/** append: one INSERT; past the partition limit, stage the rows and insert them in batches. */
async function append(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  staging: Relation,
  incoming: IncomingRows,
  tableLocation: string,
): Promise<MaterializeOutcome> {
  try {
    return {
      rows: await insertIntoPublished(node, ctx, engine, incoming, tableLocation),
      appended: true,
    };
  } catch (error) {
    if (!canBatch(error, node, ctx) || leftPartialOutput.has(error as QueryError)) throw error;
  }
  const source = await stageUnpartitioned(node, ctx, staging, incoming.selectSql);
  const partitions = await distinctPartitions(
    catalogDialect(ctx.dialect),
    ctx.execute,
    source,
    node.partitionedBy,
  );
  let rows: number | undefined;
  for (const predicateSql of batchSelects(catalogDialect(ctx.dialect), source, partitions)) {
    rows = sum(
      rows,
      await insertIntoPublished(
        node,
        ctx,
        engine,
        { selectSql: predicateSql, columns: incoming.columns },
        tableLocation,
      ),
    );
  }
  await engine.dropTableWithData(source);
  return { rows: rows ?? 0, appended: true };
}

/**
 * INSERT into the published table. A failed INSERT may have written files into the table's
 * partitions before it failed: readers would see those rows, and a retry (the batched fallback
 * past the partition limit, or the next run) would write them again. They are deleted (the engine
 * knows them from the query's data manifest) before the error goes on. When that is impossible,
 * the error says so; past the partition limit the node then fails rather than retry in batches.
 */
/** Failed INSERTs whose partial output is still in the table: never retried. */
const leftPartialOutput = new WeakSet<QueryError>();

async function insertIntoPublished(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  incoming: IncomingRows,
  tableLocation: string,
): Promise<number | undefined> {
  try {
    return await insert(
      ctx,
      node.relation,
      incoming.selectSql,
      node.partitionedBy,
      tableLocation,
      incoming.columns,
    );
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    const queryId = error.details.queryId;
    try {
      if (queryId === undefined)
        throw new Error("the failed query has no id: the files it wrote cannot be listed");
      await engine.removeQueryOutput(queryId, tableLocation);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const message = canBatch(error, node, ctx)
        ? `the INSERT went past the partition limit and its partial output could not be removed (${reason}), so it was not retried in batches: ${error.details.engineMessage}`
        : `${error.details.engineMessage} (its partial output could not be removed: ${reason}; the table may hold some of its rows until --full-refresh)`;
      const failed = new QueryError(
        `${node.id}: ${message}`,
        { ...error.details, engineMessage: message },
        { cause: error },
      );
      leftPartialOutput.add(failed);
      throw failed;
    }
    throw error;
  }
}

/**
 * merge (Iceberg tables): one MERGE INTO the published table, matched on the unique key. Iceberg
 * commits it atomically (readers see the snapshot before or after), so no staging table is needed.
 */
async function merge(
  node: CompiledNode,
  ctx: MaterializeContext,
  selectSql: string,
  columns: readonly string[],
): Promise<MaterializeOutcome> {
  const key = node.config.unique_key;
  const keys = key === undefined ? [] : Array.isArray(key) ? key : [key];
  if (keys.length === 0) throw unsupported(node, "incremental_strategy 'merge' needs a unique_key");
  if (!isIceberg(node, ctx)) {
    throw unsupported(
      node,
      "incremental_strategy 'merge' needs an Iceberg table: set table_type='iceberg' (then --full-refresh once)",
    );
  }
  let rows: number | undefined;
  const d = catalogDialect(ctx.dialect);
  for (const statement of d.mergeInto(node.relation, selectSql, keys, columns))
    rows = rowsWritten(statement.kind, await ctx.execute(statement.sql), rows);
  return { rows: rows ?? 0, appended: true };
}

/** The model asks for an Iceberg table and the dialect can write one. */
function isIceberg(node: CompiledNode, ctx: MaterializeContext): boolean {
  return node.config["table_type"] === "iceberg" && ctx.dialect.capabilities.icebergTables === true;
}

/**
 * Table format of a new version. An Iceberg table is published like a Hive one: CTAS into a
 * staging Iceberg table at a fresh location, then the Glue swap repoints the target's entry at
 * the staging table's metadata (`metadata_location`, as Iceberg's register_table does), which is
 * atomic; CTAS + ALTER TABLE RENAME would leave a moment with no table, and DELETE + INSERT a
 * moment with an empty one.
 */
function tableType(node: CompiledNode, ctx: MaterializeContext): "iceberg" | undefined {
  return isIceberg(node, ctx) ? "iceberg" : undefined;
}

/** An unpartitioned staging copy of the rows (no partition limit applies to it). */
async function stageUnpartitioned(
  node: CompiledNode,
  ctx: MaterializeContext,
  staging: Relation,
  selectSql: string,
  suffix?: string,
): Promise<Relation> {
  if (!node.location) throw new Error(`${node.id} has no table location`);
  const relation =
    suffix === undefined ? staging : { schema: staging.schema, name: `${staging.name}_${suffix}` };
  await ctas(
    ctx,
    relation,
    selectSql,
    [],
    `${node.location}_staging${suffix === undefined ? "" : `_${suffix}`}`,
  );
  return relation;
}

function canBatch(error: unknown, node: CompiledNode, ctx: MaterializeContext): boolean {
  return (
    error instanceof QueryError &&
    isTooManyPartitions(error.details.engineMessage) &&
    node.partitionedBy.length > 0 &&
    ctx.dialect.capabilities.maxPartitionsPerWrite !== undefined
  );
}

function unsupported(node: CompiledNode, message: string): QueryError {
  return new QueryError(`${node.id}: ${message}`, {
    sql: "",
    label: node.id,
    engineMessage: message,
  });
}

const sum = (a: number | undefined, b: number | undefined) =>
  a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
