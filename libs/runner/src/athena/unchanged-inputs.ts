import type { CompiledNode } from "@sluice/compiler";
import {
  incrementalFrom,
  INPUTS_PARAMETER,
  inputsFingerprint,
  schemaIdOf,
  selectInputs,
  VERSION_PARAMETER,
  type InputSources,
} from "@sluice/compiler/plan";
import type { Relation } from "@sluice/dialects";
import type { RelationInfo } from "@sluice/engines";
import { distinctZones } from "../incremental/raw-zone.js";
import type { NodeContext } from "../materialize/materializer.js";
import { hoursFrom, newestHour, rawHoursOf, type RawHours } from "../incremental/raw-hours.js";
import type { CatalogEngine } from "./catalog-engine.js";

/** A table's version (see VERSION_PARAMETER) and schema id (see `schemaIdOf`) in this run. */
export interface TableMark {
  version: string;
  schema: string;
}

/** Run-level: table (`schema.name`) → its version and schema id in this run. */
export type TableVersions = Map<string, Promise<TableMark>>;

const key = (r: Relation) => `${r.schema}.${r.name}`;

/** Record the version and schema id `relation` has now (written or left unchanged by this run). */
export function noteVersion(
  ctx: Pick<NodeContext, "tableVersions">,
  relation: Relation,
  mark: TableMark,
): void {
  ctx.tableVersions?.set(key(relation), Promise.resolve(mark));
}

/**
 * The version and schema id of each table (by `schema.name`): known from this run's writes,
 * else read from its entry (once a run).
 */
async function versionsOf(
  ctx: InputsContext,
  engine: Pick<CatalogEngine, "describeRelation">,
  tables: readonly Relation[],
): Promise<{ versions: Record<string, string>; schemas: Record<string, string> }> {
  const memo = ctx.tableVersions ?? new Map<string, Promise<TableMark>>();
  const entries = await Promise.all(
    tables.map(async (t) => {
      let mark = memo.get(key(t));
      if (mark === undefined) {
        mark = engine.describeRelation(t).then((info) => ({
          version: info.parameters?.[VERSION_PARAMETER] ?? "",
          schema: schemaIdOf(info.parameters),
        }));
        memo.set(key(t), mark);
      }
      return [key(t), await mark] as const;
    }),
  );
  return {
    versions: Object.fromEntries(entries.map(([k, m]) => [k, m.version])),
    schemas: Object.fromEntries(entries.map(([k, m]) => [k, m.schema])),
  };
}

/** What checking a node's inputs needs of the run. */
export type InputsContext = Pick<
  NodeContext,
  "inputs" | "rawSources" | "rawHours" | "tableVersions" | "fullRefresh"
>;

/** What a node's build would read, and whether its table already holds exactly that. */
export interface InputsCheck {
  /**
   * The fingerprint to record with the version written (undefined: inputs unknowable): of the
   * inputs the next build reads if nothing new arrives (its window starts `lookback` hours
   * before the newest raw hour listed now, the watermark this build records).
   */
  fingerprint?: string;
  /** The table's current version was built from the same inputs: building it again changes nothing. */
  unchanged: boolean;
  /** The fingerprint of the inputs this build reads (compared with the recorded one). */
  current?: string;
  /** The raw hours upstream from the window's first hour on (for the watermark), when listed. */
  raw?: RawHours;
  /** What decides the SELECT's columns besides the table's own (see `selectInputs`), when known. */
  selectInputs?: string;
}

/**
 * Fingerprint the node's inputs as this build would read them (its definition, the versions of
 * the tables it reads, the signatures of the raw hours its window reads from `from`) and compare
 * it with the one recorded on its table. Lists the raw zones upstream once per run (shared).
 * `lookback`: the node's window is that many hours before its watermark (incremental models that
 * use one); undefined when it reads every raw hour.
 */
export async function checkInputs(
  node: CompiledNode,
  ctx: InputsContext,
  engine: Pick<CatalogEngine, "describeRelation" | "listRawHours">,
  existing: RelationInfo,
  from: string,
  lookback: number | undefined,
): Promise<InputsCheck> {
  const sources: InputSources = ctx.inputs ?? {
    tables: [],
    rawLocations: [],
    rawTables: [],
    views: [],
    opaque: ["unknown"],
  };
  const memo = ctx.rawHours ?? new Map();
  // An incremental model's watermark is the newest raw hour upstream (other models keep none).
  const zones = distinctZones(ctx.rawSources?.values() ?? []);
  const upstream = node.materialization === "incremental" ? zones : [];
  const raw = upstream.length > 0 ? await rawHoursOf(engine, memo, upstream, from) : undefined;
  if (sources.opaque.length > 0) return { unchanged: false, ...(raw ? { raw } : {}) };
  const direct =
    sources.rawLocations.length > 0
      ? await rawHoursOf(
          engine,
          memo,
          distinctZones(
            sources.rawLocations.map((l) => zones.find((z) => z.location === l) ?? { location: l }),
          ),
          from,
        )
      : undefined;
  const { versions: tables, schemas } = await versionsOf(ctx, engine, sources.tables);
  const select = selectInputs(node, sources, schemas);
  const fingerprintFrom = (first: string): string => {
    const rawHours =
      direct === undefined
        ? undefined
        : Object.fromEntries(hoursFrom(direct, first).map((h) => [h, direct.get(h)!]));
    return inputsFingerprint(node, sources.views, { tables, ...(rawHours ? { rawHours } : {}) });
  };
  const newest = newestHour(direct);
  const next =
    lookback === undefined || newest === undefined ? from : incrementalFrom(newest, lookback);
  const unchanged =
    !ctx.fullRefresh &&
    existing.exists &&
    existing.kind === "table" &&
    existing.parameters?.[INPUTS_PARAMETER] === fingerprintFrom(from);
  const fingerprint = fingerprintFrom(next);
  return {
    fingerprint,
    unchanged,
    current: fingerprintFrom(from),
    ...(raw ? { raw } : {}),
    ...(select === undefined ? {} : { selectInputs: select }),
  };
}

/** The parameters a version written by this node records: its inputs and its write id. */
export function versionParameters(check: InputsCheck, writeId: string): Record<string, string> {
  return {
    [VERSION_PARAMETER]: writeId,
    ...(check.fingerprint === undefined ? {} : { [INPUTS_PARAMETER]: check.fingerprint }),
  };
}
