import type { CompiledProject } from "@sluice/compiler";
import type { NodeResult, RunResults } from "../types.js";
import type { CloneOutcome } from "./clone-relations.js";

/** The run a clone's results belong to. */
export interface CloneRun {
  target: string;
  runId: string;
  /** ISO time the command started. */
  startedAt: string;
  elapsedMs: number;
}

/**
 * A clone's outcomes as a run's results (`command: "clone"`), for run_results.json as dbt's
 * clone writes it: a created clone is `success` ("created view ..." or "created table ..."), a relation left as it is
 * `success` with dbt's "No-op" and the reason, a node that could not be cloned `error` with the
 * engine's message. `sluice retry` after a clone clones the errored nodes again. Pure.
 *
 * @example cloneRunResults(outcomes, compiled, { target: "ci", runId, startedAt, elapsedMs })
 */
export function cloneRunResults(
  outcomes: readonly CloneOutcome[],
  compiled: CompiledProject,
  run: CloneRun,
): RunResults {
  const byId = new Map(compiled.nodes.map((n) => [n.id, n]));
  const results = outcomes.map((o): NodeResult => {
    const node = byId.get(o.id);
    const relation = `${o.relation.schema}.${o.relation.name}`;
    const message =
      o.status === "created"
        ? `created ${o.as} ${relation} → ${o.from.schema}.${o.from.name}`
        : o.status === "skipped"
          ? `No-op: ${o.reason}`
          : o.message;
    return {
      id: o.id,
      kind: node?.kind ?? "model",
      name: node?.name ?? o.id,
      relation,
      materialization: o.status === "created" ? o.as : "view",
      status: o.status === "error" ? "error" : "success",
      message,
      elapsedMs: o.elapsedMs,
      startedAt: o.startedAt,
      completedAt: o.completedAt,
      queryIds: [],
    };
  });
  return { command: "clone", ...run, results };
}
