import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import {
  isLakeEngine,
  QueryError,
  type Engine,
  type RawWindowLoad,
  type RawZone,
} from "@sluice/engines";
import { planWindow, tableStatesOnce, type LakeStateContext } from "../lake/lake-plan-input.js";
import type { NodeContext } from "../materialize/materializer.js";
import { hoursFrom, rawHoursOf, type ListedRawHours } from "./raw-hours.js";
import { distinctZones } from "./raw-zone.js";
import type { RawReads } from "./raw-reads.js";
import type { RawReadSummary } from "../types.js";
import { NO_WATERMARK, reconcileValue } from "@sluice/compiler/plan";

const RAW_WINDOW_MARKER = /\bsluice_raw_window\(/;

/** What planning needs of the run. */
export interface RawPlanInput {
  /** The nodes the run executes, with their upstream raw sources (relation → raw zone). */
  nodes: readonly { node: CompiledNode; rawSources: ReadonlyMap<string, RawZone> }[];
  /** The models a reconciliation checks (see {@link reconciledNodes}), found once by the run. */
  reconciled: ReadonlySet<string>;
  engine: Engine;
  dialect: Dialect;
  fullRefresh: boolean;
  /** Tests check everything (`--scope full`): a raw source's tests read every raw hour. */
  fullScope?: boolean;
  rawHours: Map<string, ListedRawHours>;
  signal?: AbortSignal;
}

/**
 * Before the DAG runs (lake engines): plan each incremental model's window from its state, then
 * start reading each raw zone once from the earliest hour any reader needs: the models that read
 * raw lines (`sluice_raw_window()`), the incremental models whose raw hours the reconciliation
 * counts, and the raw source's own tests. Undefined when the engine reads no raw bytes.
 */
export async function planRawReads(input: RawPlanInput): Promise<RawReads | undefined> {
  const { engine, dialect } = input;
  if (!isLakeEngine(engine) || !isLakeDialect(dialect)) return undefined;

  const execute = (sql: string, label: string) =>
    engine.execute(sql, { label, ...(input.signal ? { signal: input.signal } : {}) });
  const reads: RawReads = {
    loads: new Map(),
    loadedFrom: new Map(),
    windows: new Map(),
    listedAt: Date.now(),
    reconciled: input.reconciled,
    // Nothing is written before the DAG runs: every model's state row comes from one read.
    tableStates: tableStatesOnce({ dialect, execute: (sql) => execute(sql, "sluice_table_state") }),
  };
  // Raw zone location → the zone and the earliest hour any reader needs.
  const earliest = new Map<string, { zone: RawZone; from: string }>();
  const need = (zones: Iterable<RawZone>, from: string): void => {
    for (const zone of zones) {
      const e = earliest.get(zone.location);
      if (!e || from < e.from) earliest.set(zone.location, { zone, from });
    }
  };
  const tested = new Map<string, RawZone>();
  for (const { node, rawSources } of input.nodes) {
    if (rawSources.size === 0) continue;
    const locations = distinctZones(rawSources.values());
    if (node.kind === "test") {
      if (node.dependsOn.some((d) => d.startsWith("source.")))
        locations.forEach((z) => tested.set(z.location, z));
      continue;
    }
    if (node.kind !== "model") continue;
    if (node.materialization === "incremental" && isLakeDialect(dialect)) {
      const existing = input.fullRefresh ? undefined : await engine.describeRelation(node.relation);
      if (existing?.exists && existing.kind === "table" && existing.location) {
        const ctx: LakeStateContext = {
          engine,
          dialect,
          rawSources,
          rawHours: input.rawHours,
          execute: (sql) => execute(sql, node.id),
          tableStates: reads.tableStates,
        };
        const plan = { ...(await planWindow(node, ctx, existing.location)), existing };
        reads.windows.set(node.id, plan);
        need(locations, plan.from);
      } else need(locations, NO_WATERMARK);
    } else if (RAW_WINDOW_MARKER.test(node.sql)) need(locations, NO_WATERMARK);
  }
  // A raw source's tests check what the run reads; with no model reading it (or in full scope),
  // every hour.
  for (const [location, zone] of tested)
    if (input.fullScope || !earliest.has(location)) need([zone], NO_WATERMARK);
  let i = 0;
  for (const [location, { zone, from }] of earliest) {
    const table = `sluice_raw_lines_${++i}`;
    const load = (async (): Promise<RawWindowLoad> => {
      const hours = await rawHoursOf(engine, input.rawHours, [zone], from);
      try {
        return await engine.loadRawWindow(zone, hoursFrom(hours, from), {
          name: table,
          createSql: dialect.rawLinesTable(table, { eventType: zone.eventTypes !== undefined }),
        });
      } catch (error) {
        const message = `reading the raw zone ${location} failed: ${error instanceof Error ? error.message : String(error)}`;
        throw new QueryError(
          message,
          { sql: "", label: `raw ${location}`, engineMessage: message },
          { cause: error },
        );
      }
    })();
    // Awaited by the nodes that read it; a failure is theirs to report.
    load.catch(() => undefined);
    reads.loads.set(location, load);
    reads.loadedFrom.set(location, from);
  }
  return reads;
}

/**
 * The models a reconciliation checks: those configured with `reconcile`, their staging and
 * rejected models. Each node's `reconcile` is read through `reconcileValue` (a node revived from
 * its facts answers without reading its config), and the models are named only when one has it.
 */
export function reconciledNodes(all: readonly CompiledNode[]): Set<string> {
  let byName: Map<string, string> | undefined;
  const out = new Set<string>();
  for (const node of all) {
    const r = reconcileValue(node);
    if (r === null) continue;
    byName ??= new Map(all.filter((n) => n.kind === "model").map((n) => [n.name, n.id]));
    const { staging, rejected } = r as Record<string, unknown>;
    out.add(node.id);
    for (const name of [staging, rejected])
      if (typeof name === "string" && byName.has(name)) out.add(byName.get(name)!);
  }
  return out;
}

/**
 * Test SQL reading a raw source reads the run's raw table instead (the lines read from the files'
 * bytes), so one bad file cannot make every rule on the source fail to read. `bind` rewrites any
 * statement made from `sql` (the assertion, the failing rows); `empty`: the run read no raw line
 * of those sources (no new data, or only files it quarantined), so there is nothing to check;
 * `from`: the first raw hour the run read of them (its scope).
 */
export async function rawSourceBinding(
  sql: string,
  ctx: NodeContext,
): Promise<{ bind: (statement: string) => string; empty: boolean; from?: string }> {
  const pairs: [string, string][] = [];
  let lines = 0;
  let from: string | undefined;
  for (const [relation, { location }] of ctx.rawSources ?? []) {
    const load = ctx.raw?.loads.get(location);
    if (!load || !sql.includes(relation)) continue;
    const loaded = await load;
    for (const h of loaded.hours.values()) lines += h.records - h.quarantinedRecords;
    pairs.push([relation, loaded.relation]);
    const first = ctx.raw?.loadedFrom.get(location);
    if (first !== undefined && (from === undefined || first < from)) from = first;
  }
  return {
    bind: (statement) => pairs.reduce((text, [a, b]) => text.split(a).join(b), statement),
    empty: pairs.length > 0 && lines === 0,
    ...(from === undefined ? {} : { from }),
  };
}

/** What the run read of each raw zone, for run_results.json (zones whose read failed are left out). */
export async function rawReadSummaries(raw: RawReads | undefined): Promise<RawReadSummary[]> {
  const out: RawReadSummary[] = [];
  for (const [location, load] of raw?.loads ?? []) {
    const loaded = await load.catch(() => undefined);
    if (!loaded) continue;
    const hours = [...loaded.hours.values()];
    const sum = (f: (h: (typeof hours)[number]) => number): number =>
      hours.reduce((s, h) => s + f(h), 0);
    out.push({
      location,
      from: raw!.loadedFrom.get(location) ?? NO_WATERMARK,
      hours: hours.length,
      files: sum((h) => h.files),
      bytes: sum((h) => h.bytes),
      lines: sum((h) => h.records),
    });
  }
  return out;
}
