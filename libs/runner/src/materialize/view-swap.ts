import { planStatements } from "@sluice/compiler/plan";
import type { CompiledNode } from "@sluice/compiler";
import { isLakeDialect, lakeDialect } from "@sluice/dialects";
import type { Statement, TableVersionState, TableWrite } from "@sluice/dialects";
import { isLakeEngine, lakeEngine, QueryError } from "@sluice/engines";
import type { RelationInfo } from "@sluice/engines";
import { describeDiff, diffColumns, hasChanges } from "@sluice/compiler/plan";
import {
  hoursToRecord,
  newestHour,
  rawHoursOf,
  windowFrom,
  type RawHours,
} from "../incremental/raw-hours.js";
import type { VersionState, WindowPlan } from "../incremental/raw-reads.js";
import { tableWindowRelation } from "../incremental/window-reads.js";
import {
  bindRawWindow,
  bindWindow,
  incrementalFrom,
  lookbackHours,
  NO_WATERMARK,
  refWindowCalls,
  watermarkColumn,
} from "@sluice/compiler/plan";
import type { MaterializeContext, MaterializeOutcome, Materializer } from "./materializer.js";
import { rowsWritten, versionsToKeep } from "./materializer.js";
import { assertUpstreamIntact, assertVersionIntact } from "./version-check.js";

/**
 * The local lake: a table version is written to a fresh Parquet folder, then the view is
 * swapped onto it (one transaction, with the table's state) and older folders are removed.
 * Incremental runs also write a new version: untouched files of the current one are carried
 * over by hard link, so a kill at any moment leaves the previous version readable.
 */
export const viewSwapMaterializer: Materializer = async (node, ctx) => {
  await assertUpstreamIntact(ctx);
  const writesTable =
    node.materialization === "table" ||
    node.materialization === "seed" ||
    node.materialization === "incremental";
  // Described once: planning did it for incremental tables it found (~9 ms a call).
  const existing: RelationInfo =
    node.materialization === "incremental" && !ctx.fullRefresh
      ? (ctx.raw?.windows.get(node.id)?.existing ??
        (await ctx.engine.describeRelation(node.relation)))
      : { exists: false };
  const current = existing.exists && existing.kind === "table" ? existing.location : undefined;
  const d = ctx.dialect;
  if (node.materialization === "incremental" && isLakeDialect(d) && node.location) {
    // A version missing files must not be read as if it were empty, nor carried over.
    if (current) await assertVersionIntact(ctx.engine, node.relation, current, node.name);
    const outcome = current
      ? await incrementalVersion(node, ctx, existing, current)
      : await fullVersion(node, ctx);
    await ctx.engine.removeStaleLocations(node.relation, node.location, {
      defer: true,
      versionsToKeep: versionsToKeep(node),
    });
    return outcome;
  }
  const statements = planStatements(node, d, {
    exists: current !== undefined,
    location: current,
    fullRefresh: ctx.fullRefresh,
    writeId: ctx.writeId,
  });
  // A view keeps naming the source: the run's raw table is gone when the run ends.
  const reads =
    node.materialization === "view" ? new Map<string, string>() : await rawWindowReads(ctx);
  const bound = statements.map((s) => ({ ...s, sql: bindRawWindow(s.sql, (r) => reads.get(r)) }));
  // A new table version: published below, with its files.
  const fresh = writesTable && current === undefined && node.location !== undefined;
  const writes = fresh ? bound.filter((s) => s.kind !== "create_view") : bound;
  const rows = await run(writes, ctx);
  if (fresh) await publishVersion(node, ctx, { runId: ctx.writeId, uniformSchema: true });
  if (fresh)
    await ctx.engine.removeStaleLocations(node.relation, node.location!, {
      defer: true,
      versionsToKeep: versionsToKeep(node),
    });
  return { rows, appended: current !== undefined };
};

async function run(
  statements: readonly Statement[],
  ctx: MaterializeContext,
): Promise<number | undefined> {
  let rows: number | undefined;
  for (const statement of statements) {
    if (statement.onlyIfNoRows && rows !== undefined && rows > 0) continue;
    // Recorded with the run's other versions when it started.
    if (statement.kind === "record_version" && ctx.versionsRecorded) continue;
    rows = rowsWritten(statement.kind, await ctx.execute(statement.sql), rows);
  }
  return rows;
}

const tableWrite = (
  node: CompiledNode,
  ctx: MaterializeContext,
  selectSql: string,
): TableWrite => ({
  relation: node.relation,
  selectSql,
  partitionedBy: node.partitionedBy,
  location: node.location ?? "",
  writeId: ctx.writeId,
});

/** First build or --full-refresh: the whole SELECT into a new version, published with its watermark. */
async function fullVersion(
  node: CompiledNode,
  ctx: MaterializeContext,
): Promise<MaterializeOutcome> {
  ctx.raw?.windows.set(node.id, { from: NO_WATERMARK, state: {} });
  const raw = await readRawHours(ctx, NO_WATERMARK);
  const reads = await rawWindowReads(ctx);
  const write = tableWrite(
    node,
    ctx,
    bindWindow(node.sql, ctx.dialect.literal(incrementalFrom(undefined, 0)), {
      raw: (r) => reads.get(r),
    }),
  );
  // Everything but the publish; the publish below also records the state.
  const rows = await run(
    ctx.dialect.createTableAs(write).filter((s) => s.kind !== "create_view"),
    ctx,
  );
  await publish(node, ctx, raw, true, NO_WATERMARK);
  return { rows, appended: false };
}

async function incrementalVersion(
  node: CompiledNode,
  ctx: MaterializeContext,
  existing: RelationInfo,
  current: string,
): Promise<MaterializeOutcome> {
  const d = lakeDialect(ctx.dialect);
  const location = node.location!;
  const planned = ctx.raw?.windows.get(node.id) ?? (await planWindow(node, ctx, current));
  const { from, state, raw } = planned;
  ctx.raw?.windows.set(node.id, planned);
  const sql = node.incrementalSql ?? node.sql;
  const [raws, refs] = await Promise.all([rawWindowReads(ctx), refWindowReads(ctx, sql, from)]);
  const bound = bindWindow(sql, d.literal(from), {
    raw: (relation) => raws.get(relation),
    ref: (relation, column) => refs.get(`${relation} ${column}`),
  });
  const { selectSql, changed } = await reconcileSchema(node, ctx, existing, bound);
  const write = tableWrite(node, ctx, selectSql);
  const strategy = node.incrementalStrategy ?? "append";
  await run(d.recordTableVersions([write], ctx.writeId), ctx);
  let rows: number | undefined;
  if (strategy === "merge") {
    const key = node.config.unique_key;
    const keys = key === undefined ? [] : Array.isArray(key) ? key : [key];
    if (keys.length === 0) {
      throw new QueryError(`${node.id}: incremental_strategy 'merge' needs a unique_key`, {
        sql: selectSql,
        label: node.id,
        engineMessage: "merge needs a unique_key",
      });
    }
    // One SELECT rewrote every file: it counts the whole table, not the rows merged in.
    const tableRows = await run(d.mergeRewrite(write, current, keys), ctx);
    await publish(node, ctx, raw, true, from);
    return tableRows === undefined ? { appended: true } : { appended: true, tableRows };
  } else {
    rows = await run(
      d.createTableAs(write).filter((s) => s.kind === "copy"),
      ctx,
    );
    const carried = await lakeEngine(ctx.engine).carryVersionFiles(current, location, {
      skipWrittenPartitions: strategy === "insert_overwrite",
    });
    // Carried files keep the old columns: still one schema only if nothing changed.
    await publish(node, ctx, raw, state.uniformSchema === true && !changed, from);
    if (strategy === "insert_overwrite")
      return {
        rows,
        appended: true,
        partitions: carried.writtenPartitions,
        written: carried.written,
      };
    const tableRows = await rowsOfVersion(ctx, location);
    return tableRows === undefined ? { rows, appended: true } : { rows, appended: true, tableRows };
  }
}

/** The rows of the version at `location`, counted from its files' footers. */
async function rowsOfVersion(
  ctx: MaterializeContext,
  location: string,
): Promise<number | undefined> {
  const n = (await ctx.execute(lakeDialect(ctx.dialect).rowsOfVersion(location))).rows[0]?.["n"];
  return n === undefined || n === null ? undefined : Number(n);
}

/**
 * Where an incremental model's window starts, from its current version's state: after the
 * watermark, or earlier for an hour of the lookback window whose files changed, an older hour
 * folder a late file landed in since the last run listed the zone, or the first hour no
 * reconciliation has balanced yet.
 */
export async function planWindow(
  node: CompiledNode,
  ctx: MaterializeContext,
  current: string,
): Promise<WindowPlan> {
  const state = await readState(node, ctx, current);
  const lookback = lookbackHours(node.config as Record<string, unknown>);
  // Hours before the lookback window's start matter to no one: not to the window, not to the
  // signatures recorded for the next run (the newest hour is at least the watermark).
  const lower = incrementalFrom(state.watermark, lookback);
  const raw = await readRawHours(ctx, lower);
  const late =
    state.listedAt === undefined || lower === NO_WATERMARK
      ? []
      : await lateHours(ctx, state.listedAt, lower);
  const from = [
    windowFrom(state.watermark, state.rawHours, raw, lookback),
    ...late,
    ...(state.pendingFrom ? [state.pendingFrom] : []),
  ].sort()[0]!;
  return { from, state, ...(raw ? { raw } : {}) };
}

/** Raw hour folders older than `before` that changed since `sinceMs`, over the node's raw zones. */
async function lateHours(
  ctx: MaterializeContext,
  sinceMs: number,
  before: string,
): Promise<string[]> {
  const locations = [...new Set(ctx.rawSources?.values() ?? [])];
  const found = await Promise.all(
    locations.map((l) => lakeEngine(ctx.engine).rawHoursChangedSince(l, sinceMs, before)),
  );
  return found.flat().sort();
}

/** The state recorded with the current version, or (older lakes) the max of its watermark column. */
async function readState(
  node: CompiledNode,
  ctx: MaterializeContext,
  current: string,
): Promise<VersionState> {
  const d = lakeDialect(ctx.dialect);
  {
    try {
      const row = (await ctx.execute(d.tableStateQuery(node.relation))).rows[0];
      if (row && row["location"] === current && typeof row["watermark"] === "string") {
        const hours =
          typeof row["raw_hours"] === "string"
            ? (JSON.parse(row["raw_hours"]) as Record<string, string>)
            : undefined;
        const listedAt = row["raw_listed_at"];
        const pending = row["pending_from"];
        return {
          watermark: row["watermark"],
          ...(hours ? { rawHours: hours } : {}),
          uniformSchema: row["uniform_schema"] === true,
          ...(listedAt === null || listedAt === undefined ? {} : { listedAt: Number(listedAt) }),
          ...(typeof pending === "string" ? { pendingFrom: pending } : {}),
        };
      }
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
    }
  }
  return { watermark: await maxOfWatermarkColumn(node, ctx, current) };
}
/** The newest value of the model's watermark column in the version at `location`, if it has one. */
async function maxOfWatermarkColumn(
  node: CompiledNode,
  ctx: MaterializeContext,
  location: string,
): Promise<string | undefined> {
  const d = lakeDialect(ctx.dialect);
  const column = watermarkColumn(node);
  try {
    const value = (await ctx.execute(d.maxOfVersion(location, column))).rows[0]?.["value"];
    return typeof value === "string" ? value : undefined;
  } catch (error) {
    // No such column (e.g. a table just made incremental): no watermark, the next window is everything.
    if (!(error instanceof QueryError)) throw error;
    return undefined;
  }
}

/**
 * The raw hours present upstream and their file signatures, read from file names before the
 * model reads the raw zone (once per run): the newest is the next watermark, since the window
 * has no upper bound, even when the model keeps no row of those hours (e.g. no rejected lines).
 */
async function readRawHours(ctx: MaterializeContext, from: string): Promise<RawHours | undefined> {
  const locations = [...new Set(ctx.rawSources?.values() ?? [])].sort();
  if (!isLakeEngine(ctx.engine) || locations.length === 0) return undefined;
  return rawHoursOf(ctx.engine, ctx.rawHours ?? new Map(), locations, from);
}

/**
 * What `sluice_raw_window(relation)` reads in this run, by relation: the temporary table the
 * engine read the raw zone's window into (lake engines).
 */
async function rawWindowReads(ctx: MaterializeContext): Promise<Map<string, string>> {
  const reads = new Map<string, string>();
  for (const [relation, location] of ctx.rawSources ?? []) {
    const load = ctx.raw?.loads.get(location);
    if (load) reads.set(relation, (await load).relation);
  }
  return reads;
}

/**
 * What each `sluice_ref_window(relation, column)` of `sql` reads in this run, keyed
 * `relation column`: the files of the partitions from `from` on (see {@link tableWindowRelation}).
 */
async function refWindowReads(
  ctx: MaterializeContext,
  sql: string,
  from: string,
): Promise<Map<string, string>> {
  const reads = new Map<string, string>();
  for (const { relation, column } of refWindowCalls(sql)) {
    const read = await tableWindowRelation(
      ctx.engine,
      ctx.dialect,
      ctx.published,
      relation,
      column,
      from,
    );
    if (read !== undefined) reads.set(`${relation} ${column}`, read);
  }
  return reads;
}

/**
 * View swap + state. Watermark: the newest raw hour upstream when known, else the newest value
 * of the watermark column in the new version; with the raw hours of the next lookback window,
 * when this run listed the raw zone, and (for reconciled models) the window's first hour as
 * pending until the reconciliation balances it.
 */
async function publish(
  node: CompiledNode,
  ctx: MaterializeContext,
  raw: RawHours | undefined,
  uniformSchema: boolean,
  from: string,
): Promise<void> {
  const d = ctx.dialect;
  const location = node.location!;
  const watermark = newestHour(raw) ?? (await maxOfWatermarkColumn(node, ctx, location));
  const rawHours = hoursToRecord(raw, lookbackHours(node.config as Record<string, unknown>));
  const reads = ctx.raw;
  await publishVersion(node, ctx, {
    runId: ctx.writeId,
    uniformSchema,
    ...(watermark === undefined ? {} : { watermark }),
    ...(rawHours === undefined ? {} : { rawHours }),
    ...(reads ? { listedAt: reads.listedAt } : {}),
    // Hours this version read and no reconciliation has balanced yet (none when it read none).
    ...(reads?.reconciled.has(node.id) && watermark !== undefined && from <= watermark
      ? { pendingFrom: from }
      : {}),
  });
  ctx.published?.set(d.quoteRelation(node.relation), location);
}

/** Point the view at the node's new version, recorded with its files (if the engine lists them). */
async function publishVersion(
  node: CompiledNode,
  ctx: MaterializeContext,
  state: TableVersionState,
): Promise<void> {
  const location = node.location!;
  const files = await lakeEngine(ctx.engine).versionFiles(location);
  const withFiles = { ...state, files };
  await run(lakeDialect(ctx.dialect).publishTableVersion(node.relation, location, withFiles), ctx);
}

/**
 * on_schema_change: compare the incremental SELECT's columns with the table's. `fail` stops with
 * the diff; `ignore` keeps the table's columns; `append_new_columns` adds the new ones. Columns
 * the SELECT lost are filled with typed NULLs. `changed`: the SELECT's columns were not the table's.
 */
async function reconcileSchema(
  node: CompiledNode,
  ctx: MaterializeContext,
  existing: RelationInfo,
  selectSql: string,
): Promise<{ selectSql: string; changed: boolean }> {
  const d = ctx.dialect;
  const before = existing.columns ?? [];
  if (before.length === 0) return { selectSql, changed: true };
  const probe = await ctx.execute(d.limit(selectSql, 0));
  const diff = diffColumns(before, probe.columns);
  if (!hasChanges(diff)) return { selectSql, changed: false };
  const policy = node.config.on_schema_change ?? "ignore";
  if (policy === "fail") {
    const message =
      `${node.id}: the incremental model's columns differ from ${node.relation.schema}.${node.relation.name} ` +
      `(on_schema_change='fail'): ${describeDiff(diff)}. Run with --full-refresh or set on_schema_change`;
    throw new QueryError(message, { sql: selectSql, label: node.id, engineMessage: message });
  }
  const incoming = new Set(probe.columns.map((c) => c.name));
  const kept = before.map((c) =>
    incoming.has(c.name) ? { name: c.name } : { name: c.name, missingType: c.type },
  );
  const added = policy === "append_new_columns" ? diff.added.map((c) => ({ name: c.name })) : [];
  // Partition columns must stay last.
  const partition = new Set(node.partitionedBy);
  const ordered = [
    ...kept.filter((c) => !partition.has(c.name)),
    ...added,
    ...kept.filter((c) => partition.has(c.name)),
  ];
  return { selectSql: d.selectIncoming(selectSql, ordered), changed: true };
}
