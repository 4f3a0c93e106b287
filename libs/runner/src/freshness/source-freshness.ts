import type { CompiledNode } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import { freshnessSql } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import { QueryError } from "@sluice/engines";
import type { FreshnessThreshold, SourceFreshness } from "@sluice/project";
import { thresholdSeconds } from "@sluice/project/run-time";
import { rawZoneOf } from "../incremental/raw-zone.js";

/** dbt's freshness statuses. */
export type FreshnessStatus = "pass" | "warn" | "error" | "runtime error";

/** One source table's freshness, in dbt's sources.json (v3) result shape. */
export interface FreshnessResult {
  unique_id: string;
  status: FreshnessStatus;
  /** ISO times (UTC); absent on a runtime error. */
  max_loaded_at?: string;
  snapshotted_at: string;
  max_loaded_at_time_ago_in_s?: number;
  criteria: {
    warn_after: FreshnessThreshold | null;
    error_after: FreshnessThreshold | null;
    filter: string | null;
  };
  /** How the age was found, or why it could not be. */
  message: string;
  execution_time: number;
}

/** A source table to check: its node (relation, raw location) and its freshness config. */
export interface FreshnessTarget {
  node: CompiledNode;
  freshness: SourceFreshness;
}

const HOUR_MS = 3_600_000;

/** `YYYY/MM/DD/HH` of a time (UTC). */
function hourOf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

/** A timestamp as the engines return it (`2026-01-01T10:00:00[.fff][Z]`, UTC) in ms. */
function parseLoadedAt(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).replace(" ", "T");
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** dbt's rule: error_after first, then warn_after; older than a threshold (strictly) trips it. */
export function freshnessStatus(ageSeconds: number, f: SourceFreshness): FreshnessStatus {
  if (f.error_after && ageSeconds > thresholdSeconds(f.error_after)) return "error";
  if (f.warn_after && ageSeconds > thresholdSeconds(f.warn_after)) return "warn";
  return "pass";
}

/**
 * Check each table's freshness at `now`. A `loaded_at_field` is read with one MAX query (with
 * the `filter`); a raw (external, Firehose) table without one from the listing of its hour
 * folders alone: the newest hour and the time its newest file or object landed, no data read
 * (from a day before the larger threshold; the whole zone only when nothing is that recent).
 */
export async function checkSourceFreshness(
  targets: readonly FreshnessTarget[],
  engine: Engine,
  dialect: Dialect,
  now: () => Date = () => new Date(),
): Promise<FreshnessResult[]> {
  const results: FreshnessResult[] = [];
  for (const { node, freshness: f } of targets) {
    const started = performance.now();
    const snapshotted = now();
    const base = {
      unique_id: node.id,
      snapshotted_at: snapshotted.toISOString(),
      criteria: {
        warn_after: f.warn_after ?? null,
        error_after: f.error_after ?? null,
        filter: f.filter ?? null,
      },
    };
    let loadedAt: number | undefined;
    let how: string;
    try {
      const zone = rawZoneOf(node);
      if (f.loaded_at_field === undefined && zone !== undefined) {
        const reach = Math.max(
          ...[f.warn_after, f.error_after].map((t) => (t ? thresholdSeconds(t) * 1000 : 0)),
        );
        const from = hourOf(snapshotted.getTime() - reach - 24 * HOUR_MS);
        let listing = await engine.listRawHours(zone, from);
        if (!listing.newest) listing = await engine.listRawHours(zone);
        loadedAt = listing.newest?.modifiedMs;
        how = listing.newest
          ? `newest hour ${listing.newest.hour}, its last file landed`
          : `no hour folder under ${node.location}`;
      } else if (f.loaded_at_field !== undefined) {
        const sql = freshnessSql(dialect.quoteRelation(node.relation), f.loaded_at_field, f.filter);
        const { rows } = await engine.execute(sql, { label: `freshness of ${node.id}` });
        loadedAt = parseLoadedAt(rows[0]?.max_loaded_at);
        how =
          loadedAt === undefined
            ? `max(${f.loaded_at_field}) is NULL`
            : `max(${f.loaded_at_field})`;
      } else {
        throw new Error("set loaded_at_field (the column holding when each row was loaded)");
      }
    } catch (error) {
      const message =
        error instanceof QueryError
          ? error.details.engineMessage
          : error instanceof Error
            ? error.message
            : String(error);
      results.push({
        ...base,
        status: "runtime error",
        message,
        execution_time: (performance.now() - started) / 1000,
      });
      continue;
    }
    if (loadedAt === undefined) {
      results.push({
        ...base,
        status: "error",
        message: `${how}: nothing loaded`,
        execution_time: (performance.now() - started) / 1000,
      });
      continue;
    }
    const age = Math.max(0, (snapshotted.getTime() - loadedAt) / 1000);
    results.push({
      ...base,
      status: freshnessStatus(age, f),
      max_loaded_at: new Date(loadedAt).toISOString(),
      max_loaded_at_time_ago_in_s: Math.round(age),
      message: `${how} ${describeAge(age)} ago`,
      execution_time: (performance.now() - started) / 1000,
    });
  }
  return results;
}

/** `5s`, `12 min`, `3.5 h`, `2.0 days`. */
export function describeAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** dbt's `target/sources.json` (schema v3) for these results. */
export function sourcesJson(
  results: readonly FreshnessResult[],
  meta: { generatedAt: string; invocationId: string; elapsedSeconds: number },
): unknown {
  return {
    metadata: {
      dbt_schema_version: "https://schemas.getdbt.com/dbt/sources/v3.json",
      dbt_version: "sluice",
      generated_at: meta.generatedAt,
      invocation_id: meta.invocationId,
      env: {},
    },
    results: results.map(({ message, ...r }) => ({
      ...r,
      thread_id: "Thread-1",
      timing: [],
      adapter_response: {},
      message,
    })),
    elapsed_time: meta.elapsedSeconds,
  };
}
