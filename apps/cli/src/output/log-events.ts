import type { NodeResult, RunEvent, RunResults } from "@sluice/runner";
import type { Io } from "../command.js";
import { toSnakeJson } from "./json.js";

/**
 * `--log-format json`: one JSON object per line on stdout, for CI and log shippers, instead of
 * progress lines and the summary table. Every event has `ts` (ISO time) and `event`:
 *
 * - `node_start`: `index`, `total`, `node_id`, `description`
 * - `node_finish` (models, seeds, sources) and `test_result` (tests, DQDL rules): `index`,
 *   `total` and the node's result as in run_results.json (`status`, `message`, `rows`,
 *   `failures`, `elapsed_ms`, ...)
 * - `run_finish`: `command`, `target`, `run_id`, `elapsed_ms`, counts by `status`,
 *   `results_file`
 *
 * Keys are snake_case, like run_results.json and `--format json`.
 *
 * @example
 * {"ts":"2026-11-27T10:00:00.000Z","event":"node_start","index":1,"total":24,"node_id":"model.stg_events","description":"incremental staging.stg_events"}
 */
export function jsonLogger(
  io: Io,
  now: () => Date = () => new Date(),
): {
  onEvent: (event: RunEvent) => void;
  finish: (results: RunResults, resultsFile: string) => void;
} {
  const emit = (event: string, fields: object): void =>
    io.out(toSnakeJson({ ts: now().toISOString(), event, ...fields }, 0));
  return {
    onEvent: (e) => {
      if (e.type === "start")
        return emit("node_start", {
          index: e.index,
          total: e.total,
          nodeId: e.id,
          description: e.description,
        });
      const { id, ...result } = e.result;
      emit(e.result.kind === "test" ? "test_result" : "node_finish", {
        index: e.index,
        total: e.total,
        nodeId: id,
        ...result,
      });
    },
    finish: (results, resultsFile) => {
      const statuses: Partial<Record<NodeResult["status"], number>> = {};
      for (const r of results.results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      emit("run_finish", {
        command: results.command,
        target: results.target,
        runId: results.runId,
        elapsedMs: results.elapsedMs,
        statuses,
        resultsFile,
      });
    },
  };
}
