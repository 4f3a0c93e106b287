import type { CompiledNode } from "@sluice/compiler";
import { usesWindow, watermarkColumn, WATERMARK_PARAMETER } from "@sluice/compiler/plan";
import type { Relation } from "@sluice/dialects";
import type { RelationInfo } from "@sluice/engines";
import type { MaterializeContext } from "../materialize/materializer.js";
import type { CatalogEngine } from "./catalog-engine.js";

const HOUR = /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/;

/**
 * The watermark of an incremental table published before watermarks were recorded (no
 * `sluice_watermark`): `max()` of its watermark column, read as part of the state its plan is
 * made from. Undefined when the table records one, lacks the column, or the model reads no window.
 */
export async function legacyWatermark(
  node: CompiledNode,
  ctx: MaterializeContext,
  existing: RelationInfo,
): Promise<string | undefined> {
  if (!usesWindow(node) || existing.parameters?.[WATERMARK_PARAMETER] !== undefined)
    return undefined;
  const column = watermarkColumn(node);
  if (!existing.columns?.some((c) => c.name.toLowerCase() === column.toLowerCase()))
    return undefined;
  const result = await ctx.execute(ctx.dialect.selectMax(node.relation, column));
  const value = result.rows[0]?.["watermark"];
  return typeof value === "string" && HOUR.test(value) ? value : undefined;
}

/** The newest watermark recorded on the tables the node reads. */
export async function upstreamWatermark(
  ctx: Pick<MaterializeContext, "tablesRead">,
  engine: Pick<CatalogEngine, "describeRelation">,
): Promise<string | undefined> {
  const infos = await Promise.all(
    (ctx.tablesRead ?? []).map((r: Relation) => engine.describeRelation(r)),
  );
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
