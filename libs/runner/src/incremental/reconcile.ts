import type { CompiledNode } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import { QueryError } from "@sluice/engines";
import type { NodeResult } from "../types.js";
import type { RawReads } from "./raw-reads.js";
import { tableWindowRelation, type PublishedVersions } from "./window-reads.js";
import { NO_WATERMARK } from "@sluice/compiler/plan";

/** The raw partition column the reconciliation reads by (Firehose's hour, `YYYY/MM/DD/HH`). */
const WINDOW_COLUMN = "dt";

/**
 * One raw partition's balance: raw lines (counted from the files' bytes) = silver rows + rejected
 * rows + duplicates removed + lines quarantined by the reader (oversized).
 */
export interface PartitionBalance {
  dt: string;
  rawLines: number;
  silverRows: number;
  rejectedRows: number;
  duplicates: number;
  quarantinedLines: number;
  /** Files of the hour that could not be read (not counted in `rawLines`). */
  quarantinedFiles: number;
}

/** A reconciliation check's result: a test-like node result plus the per-partition balance. */
export type ReconciliationResult = NodeResult & { reconciliation?: PartitionBalance[] };

interface ReconcileConfig {
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

function configOf(node: CompiledNode): ReconcileConfig | undefined {
  const raw = (node.config as Record<string, unknown>)["reconcile"];
  if (typeof raw !== "object" || raw === null) return undefined;
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

/** What the run read, for the reconciliation. */
export interface RunReads {
  /** Lake engines: the raw zones read from their bytes (undefined: raw lines are counted by SQL). */
  raw: RawReads | undefined;
  /** Catalog engines: node id → the first raw hour its window read (see NodeContext). */
  windowsRead: ReadonlyMap<string, string>;
  published?: PublishedVersions;
}

/**
 * After a build: for each model configured with `reconcile={'staging': ..., 'rejected': ...}`
 * that was built, check every raw partition the run read (from the earliest window of the model
 * and its rejected model) against the raw line count: made from the files' bytes on a lake
 * engine, by SQL over the raw table's partitions of the window on a catalog engine (the lines as
 * staging reads them). Returns one test-like result per model (status `fail` when any partition
 * does not balance), or nothing when none is configured.
 */
export async function reconcileBuild(
  nodes: readonly CompiledNode[],
  results: readonly NodeResult[],
  engine: Engine,
  dialect: Dialect,
  reads: RunReads,
  signal?: AbortSignal,
): Promise<ReconciliationResult[]> {
  const { raw, published } = reads;
  const byName = new Map(nodes.filter((n) => n.kind === "model").map((n) => [n.name, n]));
  const out: ReconciliationResult[] = [];
  for (const node of nodes) {
    const config = configOf(node);
    const built = results.find((r) => r.id === node.id);
    if (!config || built?.status !== "success") continue;
    const staging = byName.get(config.staging);
    const rejected = byName.get(config.rejected);
    const rawId = staging?.dependsOn.find((id) => id.startsWith("source."));
    const source = nodes.find((n) => n.id === rawId);
    const load = source?.location === undefined ? undefined : raw?.loads.get(source.location);
    if (!staging || !rejected || !source || (raw !== undefined && !load)) continue;
    if (results.find((r) => r.id === rejected.id)?.status !== "success") continue;
    const windowOf = (id: string) => raw?.windows.get(id)?.from ?? reads.windowsRead.get(id);
    const from = [windowOf(node.id), windowOf(rejected.id)]
      .map((w) => w ?? NO_WATERMARK)
      .sort()[0]!;
    const started = performance.now();
    // Staging and rejected rows of the window, from only their partitions' files where known.
    const windowed = async (relation: string): Promise<string> =>
      (await tableWindowRelation(engine, dialect, published, relation, WINDOW_COLUMN, from)) ??
      relation;
    const sql = reconciliationSql(
      dialect,
      {
        staging: await windowed(dialect.quoteRelation(staging.relation)),
        silver: dialect.quoteRelation(node.relation),
        rejected: await windowed(dialect.quoteRelation(rejected.relation)),
        ...(load ? {} : { raw: dialect.quoteRelation(source.relation) }),
      },
      config,
      from,
    );
    const result: ReconciliationResult = {
      id: `reconcile.${node.name}`,
      kind: "test",
      name: `reconcile_${node.name}`,
      materialization: "test",
      status: "pass",
      message: "",
      elapsedMs: 0,
      queryIds: [],
    };
    try {
      const rows = new Map(
        (await engine.execute(sql, { label: result.id, signal })).rows.map((r) => [
          String(r["dt"]),
          r,
        ]),
      );
      const census = load ? (await load).hours : sqlCensus(rows);
      const hours = [
        ...new Set([...[...census.keys()].filter((dt) => dt >= from), ...rows.keys()]),
      ].sort();
      const parts: PartitionBalance[] = hours.map((dt) => {
        const r = rows.get(dt);
        const c = census.get(dt);
        return {
          dt,
          rawLines: c?.records ?? 0,
          silverRows: Number(r?.["silver_rows"] ?? 0),
          rejectedRows: Number(r?.["rejected_rows"] ?? 0),
          duplicates: Number(r?.["duplicates"] ?? 0),
          quarantinedLines: c?.quarantinedRecords ?? 0,
          quarantinedFiles: c?.quarantinedFiles ?? 0,
        };
      });
      const bad = parts.filter(
        (p) => p.rawLines !== p.silverRows + p.rejectedRows + p.duplicates + p.quarantinedLines,
      );
      const sum = (f: (p: PartitionBalance) => number): string =>
        parts.reduce((s, p) => s + f(p), 0).toLocaleString("en-US");
      const balance =
        `raw ${sum((p) => p.rawLines)} = silver ${sum((p) => p.silverRows)} + rejected ${sum((p) => p.rejectedRows)} + ` +
        `duplicates ${sum((p) => p.duplicates)} + quarantined ${sum((p) => p.quarantinedLines)}`;
      result.failures = bad.length;
      result.reconciliation = parts;
      if (bad.length === 0)
        result.message = `reconciled ${parts.length} raw partitions from ${from}: ${balance}`;
      else {
        result.status = "fail";
        result.message =
          `${bad.length} raw partitions do not balance (${balance}): ` +
          bad
            .slice(0, 5)
            .map(
              (p) =>
                `${p.dt} raw ${p.rawLines} != silver ${p.silverRows} + rejected ${p.rejectedRows} + duplicates ${p.duplicates} + quarantined ${p.quarantinedLines}`,
            )
            .join("; ") +
          "; these hours are read again by the next build until they balance";
      }
      if (bad.length === 0 && dialect.markReconciled) {
        const relations = [node.relation, staging.relation, rejected.relation];
        await engine.execute(dialect.markReconciled(relations).sql, { label: result.id, signal });
      }
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      result.status = "error";
      result.message = error.details.engineMessage;
    }
    result.elapsedMs = Math.round(performance.now() - started);
    out.push(result);
  }
  return out;
}

/** The raw side counted by the reconciliation query itself (`raw_lines`; nothing quarantined). */
function sqlCensus(
  rows: ReadonlyMap<string, Record<string, unknown>>,
): Map<string, { records: number; quarantinedRecords: number; quarantinedFiles: number }> {
  return new Map(
    [...rows].map(([dt, r]) => [
      dt,
      { records: Number(r["raw_lines"] ?? 0), quarantinedRecords: 0, quarantinedFiles: 0 },
    ]),
  );
}
