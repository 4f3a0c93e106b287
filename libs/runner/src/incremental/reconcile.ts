import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode } from "@sluice/compiler";
import type { Dialect, Relation } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import { isCatalogEngine, QueryError } from "@sluice/engines";
import type { NodeResult } from "../types.js";
import type { RawReads } from "./raw-reads.js";
import {
  emptyWindowRelation,
  tableWindowRelation,
  type PublishedVersions,
} from "./window-reads.js";
import {
  NO_WATERMARK,
  PENDING_PARAMETER,
  reconcileConfigOf,
  reconciliationSql,
} from "@sluice/compiler/plan";
import { grouped } from "../grouped-number.js";

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

/** What the run read, for the reconciliation. */
export interface RunReads {
  /** Lake engines: the raw zones read from their bytes (undefined: raw lines are counted by SQL). */
  raw: RawReads | undefined;
  /** Catalog engines: node id → the first raw hour its window read (see NodeContext). */
  windowsRead: ReadonlyMap<string, string>;
  published?: PublishedVersions;
  /** Catalog engines: the models that recorded their hours as pending in this run. */
  pendingRecorded?: ReadonlySet<string>;
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
  let byName: Map<string, CompiledNode> | undefined;
  const out: ReconciliationResult[] = [];
  for (const node of nodes) {
    // The config first: looking each node up in the results was O(nodes x results) (30,000 x
    // 30,000 on a full build of 10,000 models) for the few nodes that reconcile.
    const config = reconcileConfigOf(node);
    if (!config) continue;
    const built = results.find((r) => r.id === node.id);
    if (built?.status !== "success") continue;
    byName ??= new Map(nodes.filter((n) => n.kind === "model").map((n) => [n.name, n]));
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
    // Staging and rejected rows of the window, from only their partitions' files where known:
    // the version this run published; none when the catalog's has no file there (no new data).
    const windowed = async (relation: Relation): Promise<string> => {
      const quoted = dialect.quoteRelation(relation);
      return (
        (await tableWindowRelation(engine, dialect, published, quoted, WINDOW_COLUMN, from)) ??
        (published?.has(quoted)
          ? undefined
          : await emptyWindowRelation(engine, dialect, relation, WINDOW_COLUMN, from)) ??
        quoted
      );
    };
    const sql = reconciliationSql(
      dialect,
      {
        staging: await windowed(staging.relation),
        silver: dialect.quoteRelation(node.relation),
        rejected: await windowed(rejected.relation),
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
        grouped(parts.reduce((s, p) => s + f(p), 0));
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
      if (bad.length === 0 && isLakeDialect(dialect)) {
        const relations = [node.relation, staging.relation, rejected.relation];
        if (await mayBePending(relations, dialect, reads))
          await engine.execute(dialect.markReconciled(relations).sql, { label: result.id, signal });
      }
      if (bad.length === 0 && isCatalogEngine(engine)) {
        // Balanced: the hours these versions read are pending no more.
        const recorded = [node, staging, rejected].filter((n) => reads.pendingRecorded?.has(n.id));
        await Promise.all(
          recorded.map((n) => engine.setTableParameters(n.relation, { [PENDING_PARAMETER]: "" })),
        );
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

/**
 * Whether a lake table of `relations` may record pending raw hours: one was published in this run
 * (its new version records them), or its state row as the run read it, before any publish, has
 * them (or could not be read). Otherwise marking them reconciled would change nothing: a build
 * with no new data commits nothing for it.
 */
async function mayBePending(
  relations: readonly Relation[],
  dialect: Dialect,
  reads: RunReads,
): Promise<boolean> {
  if (relations.some((r) => reads.published?.has(dialect.quoteRelation(r)) !== false)) return true;
  const states = await reads.raw?.tableStates();
  if (!states) return true;
  return relations.some((r) => {
    const pending = states.get(`${r.schema}.${r.name}`)?.["pending_from"];
    return pending !== null && pending !== undefined;
  });
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
