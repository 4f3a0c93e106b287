import type { CompiledNode } from "@sluice/compiler";
import type { Relation } from "@sluice/dialects";
import type { RelationInfo } from "@sluice/engines";
import type { MaterializeContext } from "../materialize/materializer.js";
import {
  bindWindow,
  INCREMENTAL_FROM_CALL,
  incrementalFrom,
  lookbackHours,
  watermarkColumn,
  NO_WATERMARK,
  PENDING_PARAMETER,
  WATERMARK_PARAMETER,
} from "@sluice/compiler/plan";
import type { CatalogEngine } from "./catalog-engine.js";
import { newestHour, type RawHours } from "../incremental/raw-hours.js";

const HOUR = /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/;

/**
 * The first raw hour an incremental run of `node` reads: the table's recorded watermark minus
 * the model's lookback. A table published before watermarks were recorded falls back to `max()`
 * of its watermark column when it has one; without either, everything (NO_WATERMARK), as when
 * the model does not use the window. Earlier when the table records hours pending (see
 * PENDING_PARAMETER): the window then starts at the first of them.
 *
 * @example
 * await windowStart(node, ctx, { exists: true, parameters: { sluice_watermark: "2026/11/27/05" } })
 * // "2026/11/27/02" (lookback 3)
 */
export async function windowStart(
  node: CompiledNode,
  ctx: MaterializeContext,
  existing: RelationInfo,
): Promise<string> {
  if (!usesWindow(node)) return NO_WATERMARK;
  const recorded = existing.parameters?.[WATERMARK_PARAMETER];
  const watermark =
    recorded !== undefined && HOUR.test(recorded)
      ? recorded
      : await maxOfColumn(node, ctx, node.relation, existing);
  const from = incrementalFrom(watermark, lookbackHours(node.config as Record<string, unknown>));
  // Hours no reconciliation has balanced yet are read again.
  const pending = existing.parameters?.[PENDING_PARAMETER];
  return pending !== undefined && HOUR.test(pending) && pending < from ? pending : from;
}

/** Bind `sluice_incremental_from()` in `sql` to the window's first hour, recorded for the reconciliation. */
export function bindWatermark(
  node: CompiledNode,
  ctx: MaterializeContext,
  sql: string,
  from: string,
): string {
  if (!WINDOW_CALL.test(sql)) return sql;
  ctx.windowsRead?.set(node.id, from);
  return bindWindow(sql, ctx.dialect.literal(from));
}

const WINDOW_CALL = new RegExp(INCREMENTAL_FROM_CALL.source, "i");

/** The model's incremental SQL reads a window (`sluice_incremental_from()`). */
export const usesWindow = (node: CompiledNode): boolean =>
  WINDOW_CALL.test(node.incrementalSql ?? node.sql);

/**
 * The parameters to record with the version of an incremental node just written to `written`
 * (the staging table before its publish, or the published table after an INSERT): its watermark,
 * the newest value of its watermark column when it has that column, else the newest watermark
 * recorded on the tables it reads (e.g. silver.order_items reads silver.events' raw hours).
 * Nothing for other nodes, or when no watermark is known (the next window is then everything).
 * When the raw hours upstream were listed before the write (`raw`), the newest of them: every
 * hour listed was there before the rows were read, so none is newer than what was read, and no
 * query is needed.
 */
export async function watermarkParameters(
  node: CompiledNode,
  ctx: MaterializeContext,
  engine: CatalogEngine,
  written: Relation,
  /** The columns `written` has, when known (an overwrite's staging has the table's): no GetTable. */
  known?: RelationInfo,
  raw?: RawHours,
): Promise<Record<string, string>> {
  if (node.materialization !== "incremental") return {};
  const listed = newestHour(raw);
  if (listed !== undefined) return { [WATERMARK_PARAMETER]: listed };
  const info = known ?? (await engine.describeRelation(written));
  const watermark =
    (await maxOfColumn(node, ctx, written, info)) ?? (await upstreamWatermark(ctx, engine));
  return watermark === undefined ? {} : { [WATERMARK_PARAMETER]: watermark };
}

/** `max()` of the node's watermark column in `relation`, only when its catalog entry has that column. */
async function maxOfColumn(
  node: CompiledNode,
  ctx: MaterializeContext,
  relation: Relation,
  info: RelationInfo,
): Promise<string | undefined> {
  const column = watermarkColumn(node);
  if (!info.columns?.some((c) => c.name.toLowerCase() === column.toLowerCase())) return undefined;
  const d = ctx.dialect;
  const result = await ctx.execute(d.selectMax(relation, column));
  const value = result.rows[0]?.["watermark"];
  return typeof value === "string" && HOUR.test(value) ? value : undefined;
}

/** The newest watermark recorded on the tables the node reads. */
async function upstreamWatermark(
  ctx: MaterializeContext,
  engine: CatalogEngine,
): Promise<string | undefined> {
  const infos = await Promise.all((ctx.tablesRead ?? []).map((r) => engine.describeRelation(r)));
  const recorded = infos
    .map((i) => i.parameters?.[WATERMARK_PARAMETER])
    .filter((w): w is string => w !== undefined && HOUR.test(w));
  return recorded.sort().at(-1);
}

/**
 * `written`'s watermark parameters, unless the table already records a newer watermark (an
 * overwrite of older partitions must not move it back).
 */
export function newerWatermark(
  written: Record<string, string>,
  recorded: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const before = recorded?.[WATERMARK_PARAMETER];
  const after = written[WATERMARK_PARAMETER];
  if (before !== undefined && HOUR.test(before) && (after === undefined || before > after))
    return { ...written, [WATERMARK_PARAMETER]: before };
  return written;
}
