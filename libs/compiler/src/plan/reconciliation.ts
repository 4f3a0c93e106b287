import type { Dialect } from "@sluice/dialects";
import type { CompiledNode } from "../types.js";
import { reconcileValue } from "./config-facts.js";

/** A model's `reconcile` config: where its raw lines go (silver, staging, rejected). */
export interface ReconcileConfig {
  staging: string;
  rejected: string;
  key: string;
  reason: string;
  /**
   * `copies_share: {silver: 'event_date', staging: 'cast(event_timestamp as date)'}`: all copies
   * of a key fall in one value of this silver column (the staging expression computes it), so
   * earlier copies are looked for only there, as the model itself dedups.
   */
  copiesShare?: { silver: string; staging: string };
}

/** The model's `reconcile={...}` config, when it has one. */
export function reconcileConfigOf(node: CompiledNode): ReconcileConfig | undefined {
  const raw = reconcileValue(node);
  if (raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r["staging"] !== "string" || typeof r["rejected"] !== "string") return undefined;
  return {
    staging: r["staging"],
    rejected: r["rejected"],
    key: typeof r["key"] === "string" ? r["key"] : "event_id",
    reason: typeof r["reason"] === "string" ? r["reason"] : "reject_reason",
    ...copiesShareOf(r["copies_share"]),
  };
}

function copiesShareOf(raw: unknown): Pick<ReconcileConfig, "copiesShare"> {
  if (typeof raw !== "object" || raw === null) return {};
  const { silver, staging } = raw as Record<string, unknown>;
  return typeof silver === "string" && typeof staging === "string"
    ? { copiesShare: { silver, staging } }
    : {};
}

/** The relations a reconciliation reads (as the dialect quotes them). */
export interface ReconciledRelations {
  staging: string;
  silver: string;
  rejected: string;
  /** The raw table, when its lines are counted by SQL (catalog engines; lakes count bytes). */
  raw?: string;
}

/**
 * The reconciliation query over raw partitions `dt >= from`: silver, rejected and duplicate rows
 * per partition, plus `raw_lines` when `rel.raw` is given (else the raw side is counted from the
 * files' bytes, not by SQL). Duplicates are counted from the staging rows alone (valid lines
 * minus first copies, where a copy kept before the window counts as first), so a lost or doubled
 * silver row breaks the balance. Every relation is read by the window's predicate, and silver
 * (partitioned by `copies_share`'s column, not by `dt`) only in the partitions the window's
 * valid rows fall in.
 */
export function reconciliationSql(
  d: Dialect,
  rel: ReconciledRelations,
  c: ReconcileConfig,
  from: string,
): string {
  const f = d.literal(from);
  const k = d.quoteIdentifier(c.key);
  const share = c.copiesShare;
  const inShare = share ? ` AND ${d.quoteIdentifier(share.silver)} IN (SELECT p FROM valid)` : "";
  const raw = rel.raw;
  return `WITH valid AS (SELECT dt, ${k} AS k${share ? `, ${share.staging} AS p` : ""} FROM ${rel.staging} WHERE ${d.quoteIdentifier(c.reason)} IS NULL AND dt >= ${f}),
prior AS (SELECT ${k} AS k FROM ${rel.silver} WHERE dt < ${f}${inShare} AND ${k} IN (SELECT k FROM valid)),
firsts AS (SELECT min(dt) AS dt FROM valid WHERE k NOT IN (SELECT k FROM prior) GROUP BY k),
first_n AS (SELECT dt, count(*) AS n FROM firsts GROUP BY dt),
valid_n AS (SELECT dt, count(*) AS n FROM valid GROUP BY dt),
silver_n AS (SELECT dt, count(*) AS n FROM ${rel.silver} WHERE dt >= ${f}${inShare} GROUP BY dt),
rejected_n AS (SELECT dt, count(*) AS n FROM ${rel.rejected} WHERE dt >= ${f} GROUP BY dt),${
    raw ? `\nraw_n AS (SELECT dt, count(*) AS n FROM ${raw} WHERE dt >= ${f} GROUP BY dt),` : ""
  }
all_dt AS (SELECT dt FROM valid_n UNION SELECT dt FROM silver_n UNION SELECT dt FROM rejected_n${raw ? " UNION SELECT dt FROM raw_n" : ""})
SELECT a.dt AS dt, coalesce(s.n, 0) AS silver_rows, coalesce(x.n, 0) AS rejected_rows,
  coalesce(v.n, 0) - coalesce(fi.n, 0) AS duplicates${raw ? ", coalesce(r.n, 0) AS raw_lines" : ""}
FROM all_dt a LEFT JOIN silver_n s ON s.dt = a.dt LEFT JOIN rejected_n x ON x.dt = a.dt
LEFT JOIN valid_n v ON v.dt = a.dt LEFT JOIN first_n fi ON fi.dt = a.dt${raw ? " LEFT JOIN raw_n r ON r.dt = a.dt" : ""}
ORDER BY a.dt`;
}
