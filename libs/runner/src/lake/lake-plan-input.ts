import type { CompiledNode } from "@sluice/compiler";
import {
  incrementalFrom,
  inputsFingerprint,
  lookbackHours,
  NO_WATERMARK,
  usesWindow,
  type CatalogState,
  type InputSources,
  type PlanInput,
} from "@sluice/compiler/plan";
import type { LakeDialect } from "@sluice/dialects";
import {
  QueryError,
  type LakeEngine,
  type QueryResult,
  type RawZone,
  type RelationInfo,
} from "@sluice/engines";
import { catalogState } from "../athena/catalog-plan-input.js";
import {
  hoursFrom,
  hoursToRecord,
  newestHour,
  rawHoursOf,
  windowFrom,
  type ListedRawHours,
  type RawHours,
} from "../incremental/raw-hours.js";
import type { RawReads, VersionState, WindowPlan } from "../incremental/raw-reads.js";
import { distinctZones } from "../incremental/raw-zone.js";
import type { TableVersions } from "../athena/unchanged-inputs.js";
import { lakeSelectInputs } from "./lake-select-inputs.js";

/**
 * What reading a lake table's state needs of the engine: its tables, the table-state SELECT,
 * listing raw hours and the hours late files landed in (a lake engine, or a dry run's reader of
 * a raw zone before any lake exists).
 */
export type LakeStateReader = Pick<
  LakeEngine,
  "family" | "describeRelation" | "execute" | "listRawHours" | "rawHoursChangedSince"
>;

/** What reading a lake table's state and its raw zones needs (a build's node, or a dry run). */
export interface LakeStateContext {
  engine: LakeStateReader;
  dialect: LakeDialect;
  /** Run one read-only statement (the table-state SELECT). */
  execute(sql: string): Promise<QueryResult>;
  /** External sources upstream of the node: relation as the dialect quotes it → raw zone. */
  rawSources?: ReadonlyMap<string, RawZone>;
  /** The raw hours listed so far in this run, per raw zone (shared by its nodes). */
  rawHours?: Map<string, ListedRawHours>;
  /**
   * Every published table's state row by `schema.name`, read once for the run (see
   * {@link tableStatesOnce}); absent: each node reads its own.
   */
  tableStates?: TableStates;
}

/**
 * Every published table's state row by `schema.name` (see {@link readTableStates}), read when
 * first asked. A row holds until its table is published again: a run's own publishes are
 * known to it otherwise (see `notePublished`), and a node's own row only changes when it runs.
 */
export type TableStates = () => Promise<ReadonlyMap<string, Record<string, unknown>> | undefined>;

/** {@link TableStates} read at most once, on the first call. */
export function tableStatesOnce(ctx: Pick<LakeStateContext, "dialect" | "execute">): TableStates {
  let read: ReturnType<TableStates> | undefined;
  return () => (read ??= readTableStates(ctx));
}

/** What {@link lakePlanInput} needs of the run besides the node's state. */
export interface LakeInputContext extends LakeStateContext {
  fullRefresh: boolean;
  writeId: string;
  /** Windows planned before the DAG ran (a build's raw reads); planned here when absent. */
  raw?: Pick<RawReads, "windows">;
  /** The models whose raw hours a reconciliation checks (they record them as pending). */
  reconciled: ReadonlySet<string>;
  /** The run recorded every version it may write before its first node. */
  versionRecorded: boolean;
  /** A node the model depends on wrote partitions in this run (its window is then never empty). */
  upstreamWrote?: boolean;
  /**
   * What the node reads, through views: with `tableStates`, and the schema ids `tableVersions`
   * has of the tables published in this run, what decides its SELECT's columns.
   */
  inputs?: InputSources;
  tableVersions?: TableVersions;
}

/**
 * A table node's plan input on the lake, from the state read before it: the table's entry (its
 * current version, columns) and what that version recorded (watermark, raw hours read, one
 * schema or not); for an incremental model, its window (see {@link planWindow}) and what the new
 * version will record (the newest raw hour listed as its watermark, the next lookback's raw
 * hours, the first hour pending reconciliation). `build` and `build --dry-run` plan with it alike.
 *
 * @example
 * const { input, window } = await lakePlanInput(node, ctx, await engine.describeRelation(node.relation));
 * planNode(node, dialect, input);
 */
export async function lakePlanInput(
  node: CompiledNode,
  ctx: LakeInputContext,
  existing: RelationInfo,
): Promise<{ input: PlanInput; window?: WindowPlan }> {
  const state = catalogState(existing);
  const base = {
    fullRefresh: ctx.fullRefresh,
    writeId: ctx.writeId,
    ...(ctx.versionRecorded ? { versionRecorded: true } : {}),
  };
  if (node.materialization === "seed") return { input: await seedInput(node, ctx, base, state) };
  if (node.materialization !== "incremental") return { input: { ...base, state } };
  const current =
    !ctx.fullRefresh && state.exists && state.kind === "table" ? state.location : undefined;
  const window: WindowPlan =
    current === undefined
      ? await fullWindow(ctx)
      : (ctx.raw?.windows.get(node.id) ?? { ...(await planWindow(node, ctx, current)), existing });
  const { watermark, uniformSchema, schema, select } = window.state;
  const version: CatalogState = {
    ...state,
    ...(watermark === undefined ? {} : { watermark }),
    ...(uniformSchema === undefined ? {} : { uniformSchema }),
    ...(schema === undefined ? {} : { schema }),
    ...(select === undefined ? {} : { select }),
  };
  const { inputs, tableStates, tableVersions } = ctx;
  const selectInputs =
    current !== undefined && inputs !== undefined && tableStates !== undefined
      ? await lakeSelectInputs(node, inputs, { tableVersions, tableStates }, ctx.dialect)
      : undefined;
  const rawWatermark = newestHour(window.raw);
  const rawHours = hoursToRecord(window.raw, lookbackHours(node.config as Record<string, unknown>));
  const input: PlanInput = {
    ...base,
    state: version,
    ...(selectInputs === undefined ? {} : { selectInputs }),
    windowFrom: window.from,
    ...(current !== undefined && windowIsEmpty(node, window, ctx.upstreamWrote === true)
      ? { windowEmpty: true }
      : {}),
    ...(rawWatermark === undefined ? {} : { rawWatermark }),
    lakeRecord: {
      ...(rawHours === undefined ? {} : { rawHours }),
      // Hours this version reads and no reconciliation has balanced yet.
      ...(ctx.reconciled.has(node.id) ? { pendingFrom: window.from } : {}),
    },
  };
  return { input, window };
}

/**
 * A seed's plan input: the fingerprint of its definition and rows (`inputs`), and the one recorded
 * with its published version (`state.inputs`, from the lake's table state): the same means the
 * load would write the rows the table has (see lake-plan.ts). Not read on --full-refresh.
 */
async function seedInput(
  node: CompiledNode,
  ctx: LakeInputContext,
  base: Omit<PlanInput, "state">,
  state: CatalogState,
): Promise<PlanInput> {
  const inputs = inputsFingerprint(node, [], { tables: {} });
  if (ctx.fullRefresh || !state.exists || state.location === undefined)
    return { ...base, state, inputs };
  const row = await stateRow(node, ctx);
  const recorded =
    row && row["location"] === state.location && typeof row["inputs"] === "string"
      ? row["inputs"]
      : undefined;
  return { ...base, state: recorded ? { ...state, inputs: recorded } : state, inputs };
}

/**
 * The incremental window reads no row: the model's SQL reads a window (it promises to read no
 * upstream row before `sluice_incremental_from()`), its raw zones were listed and hold no hour
 * from the window's first on, and nothing it reads was written in this run. Upstream tables
 * hold rows of a raw hour only once that hour exists, so they have none in the window either.
 */
function windowIsEmpty(node: CompiledNode, window: WindowPlan, upstreamWrote: boolean): boolean {
  if (upstreamWrote || window.raw === undefined || !usesWindow(node)) return false;
  return hoursFrom(window.raw, window.from).length === 0;
}

/** A first build or --full-refresh reads every raw hour (listed now, for the version's record). */
async function fullWindow(ctx: LakeStateContext): Promise<WindowPlan> {
  const raw = await readRawHours(ctx, NO_WATERMARK);
  return { from: NO_WATERMARK, state: {}, ...(raw ? { raw } : {}) };
}

/**
 * Where an incremental model's window starts, from its current version's state: after the
 * watermark, or earlier for an hour of the lookback window whose files changed, an older hour
 * folder a late file landed in since the last run listed the zone, or the first hour no
 * reconciliation has balanced yet.
 */
export async function planWindow(
  node: CompiledNode,
  ctx: LakeStateContext,
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
  ctx: LakeStateContext,
  sinceMs: number,
  before: string,
): Promise<string[]> {
  const zones = distinctZones(ctx.rawSources?.values() ?? []);
  const found = await Promise.all(
    zones.map((z) => ctx.engine.rawHoursChangedSince(z, sinceMs, before)),
  );
  return found.flat().sort();
}

/** The state recorded with the current version, or (older lakes) the max of its watermark column. */
async function readState(
  node: CompiledNode,
  ctx: LakeStateContext,
  current: string,
): Promise<VersionState> {
  const row = await stateRow(node, ctx);
  if (row && row["location"] === current && typeof row["watermark"] === "string") {
    const hours =
      typeof row["raw_hours"] === "string"
        ? (JSON.parse(row["raw_hours"]) as Record<string, string>)
        : undefined;
    const listedAt = row["raw_listed_at"];
    const pending = row["pending_from"];
    const text = (name: string) => (typeof row[name] === "string" ? (row[name] as string) : "");
    return {
      watermark: row["watermark"],
      ...(hours ? { rawHours: hours } : {}),
      uniformSchema: row["uniform_schema"] === true,
      ...(listedAt === null || listedAt === undefined ? {} : { listedAt: Number(listedAt) }),
      ...(typeof pending === "string" ? { pendingFrom: pending } : {}),
      // Columns recorded by older lakes are absent: "" reads as not recorded.
      ...(text("schema_id") === "" ? {} : { schema: text("schema_id") }),
      ...(text("select_record") === "" ? {} : { select: text("select_record") }),
    };
  }
  const column = (node.config as Record<string, unknown>)["watermark_column"];
  const max = await readOrNone(
    ctx,
    ctx.dialect.maxOfVersion(current, typeof column === "string" ? column : "dt"),
  );
  const watermark = max?.["watermark"];
  return typeof watermark === "string" ? { watermark } : {};
}

/** The node's table-state row: from the run's read of every row when it has one, else its own. */
async function stateRow(
  node: CompiledNode,
  ctx: LakeStateContext,
): Promise<Record<string, unknown> | undefined> {
  const states = await ctx.tableStates?.();
  return states
    ? states.get(`${node.relation.schema}.${node.relation.name}`)
    : await readOrNone(ctx, ctx.dialect.tableStateQuery(node.relation));
}

/**
 * Every published table's state row by `schema.name`, in one read: what {@link planWindow} reads
 * for each node, for a run that plans all its windows before writing anything (a table's row
 * changes only when that table is published). Undefined when the read fails (a lake without the
 * table-state table), as each node's own read would be.
 *
 * @example const rows = await readTableStates(ctx); // rows.get("silver.events")?.["watermark"]
 */
async function readTableStates(
  ctx: Pick<LakeStateContext, "dialect" | "execute">,
): Promise<ReadonlyMap<string, Record<string, unknown>> | undefined> {
  const { rows } = (await readAll(ctx, ctx.dialect.tableStatesQuery())) ?? {};
  return (
    rows && new Map(rows.map((r) => [`${String(r["schema_name"])}.${String(r["table_name"])}`, r]))
  );
}

/**
 * The first row of a read, or none when it fails (a lake without the table-state table; a
 * version without the watermark column, e.g. a table just made incremental: everything is read).
 */
async function readOrNone(
  ctx: Pick<LakeStateContext, "execute">,
  sql: string,
): Promise<Record<string, unknown> | undefined> {
  return (await readAll(ctx, sql))?.rows[0];
}

/** A read's result, or none when it fails with a query error. */
async function readAll(
  ctx: Pick<LakeStateContext, "execute">,
  sql: string,
): Promise<QueryResult | undefined> {
  try {
    return await ctx.execute(sql);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return undefined;
  }
}

/**
 * The raw hours present upstream and their file signatures, read from file names before the
 * model reads the raw zone (once per run): the newest is the next watermark, since the window
 * has no upper bound, even when the model keeps no row of those hours (e.g. no rejected lines).
 */
async function readRawHours(ctx: LakeStateContext, from: string): Promise<RawHours | undefined> {
  const zones = distinctZones(ctx.rawSources?.values() ?? []);
  if (zones.length === 0) return undefined;
  return rawHoursOf(ctx.engine, ctx.rawHours ?? new Map(), zones, from);
}
