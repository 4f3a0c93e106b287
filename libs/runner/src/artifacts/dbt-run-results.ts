import type { CompiledProject } from "@sluice/compiler";
import type { RunResults } from "../types.js";
import { toSnakeJson } from "../snake-json.js";
import { dbtRelationName, dbtSchemas, dbtUniqueId, sluiceNodeId } from "./dbt-ids.js";

/** One result as sluice reads it back (snake_case, as `--format json` prints it). */
export interface SluiceResult {
  id: string;
  status: string;
  message: string;
  failures?: number;
  kind?: string;
  name?: string;
  rows?: number;
  elapsed_ms?: number;
  [key: string]: unknown;
}

/**
 * A run as sluice reads it back from run_results.json: `--format json`'s shape (snake_case),
 * plus the invocation's arguments (`sluice retry` repeats them).
 */
export interface SluiceRunResults {
  command: string;
  target: string;
  run_id: string;
  started_at: string;
  elapsed_ms: number;
  results: SluiceResult[];
  args: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * `target/run_results.json` in dbt 1.8/1.9's shape (schema v6): `metadata`, `results` (one per
 * node: `unique_id`, `status`, `timing`, `thread_id`, `execution_time`, `adapter_response`,
 * `message`, `failures`, `compiled_code`, `relation_name`), `elapsed_time` and `args` (the
 * invocation's flags, snake_case, `which` the command). dbt admits no other keys, so sluice's own
 * fields are under documented keys: per node `adapter_response.sluice` (kind, rows, bytes
 * scanned, cost, DQDL result, scope, query ids...; `rows_affected` and
 * `data_scanned_in_bytes` as dbt-athena names them), per run `args.sluice` (run id, cost,
 * raw reads, cleanup). {@link readSluiceRunResults} gives sluice's shape back.
 */
export function dbtRunResults(
  results: RunResults,
  compiled: CompiledProject,
  args: Record<string, unknown>,
): Record<string, unknown> {
  const { results: nodes, ...run } = JSON.parse(toSnakeJson(results, 0)) as {
    results: Record<string, unknown>[];
    elapsed_ms: number;
    started_at: string;
  };
  const byId = new Map(compiled.nodes.map((n) => [n.id, n]));
  const uid = (id: string) => dbtUniqueId(id, compiled.projectName);
  return {
    metadata: {
      dbt_schema_version: dbtSchemas.runResults,
      dbt_version: dbtSchemas.dbtVersion,
      generated_at: new Date(Date.parse(run.started_at) + run.elapsed_ms).toISOString(),
      invocation_id: results.runId,
      invocation_started_at: run.started_at,
      env: {},
    },
    results: nodes.map((r) => {
      const { id, status, message, failures, rows, bytes_scanned, ...extra } = r as SluiceResult;
      const node = byId.get(id);
      const times =
        typeof extra["started_at"] === "string" && typeof extra["completed_at"] === "string"
          ? [
              {
                name: "execute",
                started_at: extra["started_at"],
                completed_at: extra["completed_at"],
              },
            ]
          : [];
      return {
        status,
        timing: times,
        // sluice does not record which worker ran a node.
        thread_id: "Thread-1",
        execution_time: Number(extra["elapsed_ms"] ?? 0) / 1000,
        adapter_response: {
          _message: message,
          ...(rows !== undefined ? { rows_affected: rows } : {}),
          ...(bytes_scanned !== undefined ? { data_scanned_in_bytes: bytes_scanned } : {}),
          sluice: extra,
        },
        message,
        failures: typeof failures === "number" ? failures : null,
        unique_id: uid(id),
        compiled: byId.has(id),
        compiled_code: byId.get(id)?.sql || null,
        relation_name:
          node && node.kind !== "test" && node.kind !== "source"
            ? dbtRelationName(node.relation)
            : null,
      };
    }),
    elapsed_time: run.elapsed_ms / 1000,
    args: { ...args, which: results.command, sluice: run },
  };
}

interface V6Result {
  unique_id: string;
  status: string;
  message: string | null;
  failures: number | null;
  adapter_response: {
    rows_affected?: number;
    data_scanned_in_bytes?: number;
    sluice?: Record<string, unknown>;
  };
}

/**
 * sluice's view of a run_results.json it wrote ({@link dbtRunResults} undone): each result with
 * its sluice id and fields, the run's totals, and the invocation's args. A file from dbt reads
 * too (its results carry what dbt wrote).
 *
 * @example readSluiceRunResults(JSON.parse(text)).results.filter((r) => r.status === "error")
 */
export function readSluiceRunResults(file: unknown): SluiceRunResults {
  const f = file as {
    metadata?: { invocation_id?: string; invocation_started_at?: string };
    results: V6Result[];
    elapsed_time: number;
    args?: Record<string, unknown>;
  };
  const { sluice: run = {}, ...args } = (f.args ?? {}) as Record<string, unknown> & {
    sluice?: Record<string, unknown>;
  };
  return {
    command: String(args["which"] ?? ""),
    target: String(args["target"] ?? ""),
    run_id: f.metadata?.invocation_id ?? "",
    started_at: f.metadata?.invocation_started_at ?? "",
    elapsed_ms: f.elapsed_time * 1000,
    ...run,
    args,
    results: f.results.map((r) => {
      const a = r.adapter_response;
      return {
        id: sluiceNodeId(r.unique_id),
        status: r.status,
        message: r.message ?? "",
        ...(a.rows_affected !== undefined ? { rows: a.rows_affected } : {}),
        ...(r.failures !== null ? { failures: r.failures } : {}),
        ...(a.data_scanned_in_bytes !== undefined
          ? { bytes_scanned: a.data_scanned_in_bytes }
          : {}),
        ...a.sluice,
      };
    }),
  };
}
