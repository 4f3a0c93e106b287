import { planClone } from "@sluice/compiler";
import type { CompiledProject } from "@sluice/compiler";
import type { Dialect, Relation } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import type { RunState } from "../artifacts/read-state.js";

/** When a node's clone started and ended (ISO times), for run_results.json. */
export interface CloneTiming {
  startedAt: string;
  completedAt: string;
  elapsedMs: number;
}

/** What `sluice clone` did with one selected node. */
type CloneStep =
  | { id: string; status: "created"; relation: Relation; from: Relation }
  | { id: string; status: "skipped"; relation: Relation; reason: string }
  | { id: string; status: "error"; relation: Relation; from: Relation; message: string };

/** What `sluice clone` did with one selected node, and when. */
export type CloneOutcome = CloneStep & CloneTiming;

export interface CloneOptions {
  compiled: CompiledProject;
  /** The selected node ids, in DAG order. */
  ids: readonly string[];
  state: RunState;
  engine: Engine;
  dialect: Dialect;
  /** Replace relations that exist (dbt's `--full-refresh`). */
  fullRefresh: boolean;
  signal?: AbortSignal;
  /** Called after each node. */
  onOutcome?: (outcome: CloneOutcome) => void;
}

/**
 * dbt's `clone`: for each selected model, seed or snapshot the state has, create this target's
 * relation as a view of the state's (see `planClone`). The state's relation must exist: a view
 * over a missing relation is an error for that node, not a silent pointer to nothing. One node's
 * failure does not stop the others.
 *
 * @example await cloneRelations({ compiled, ids, state, engine, dialect, fullRefresh: false })
 */
export async function cloneRelations(options: CloneOptions): Promise<CloneOutcome[]> {
  const { engine, dialect, state } = options;
  const byId = new Map(options.compiled.nodes.map((n) => [n.id, n]));
  const outcomes: CloneOutcome[] = [];
  let started = Date.now();
  const done = (step: CloneStep) => {
    const now = Date.now();
    const outcome: CloneOutcome = {
      ...step,
      startedAt: new Date(started).toISOString(),
      completedAt: new Date(now).toISOString(),
      elapsedMs: now - started,
    };
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  for (const id of options.ids) {
    const node = byId.get(id);
    if (!node || node.kind === "test" || node.kind === "source") continue;
    started = Date.now();
    const relation = node.relation;
    const from = state.nodes.get(id)?.relation;
    const existing = from ? await engine.describeRelation(relation) : { exists: false };
    const plan = planClone(node, from, existing, options.fullRefresh, dialect);
    if (plan.action === "skip") {
      done({ id, status: "skipped", relation, reason: plan.reason });
      continue;
    }
    if (!(await engine.describeRelation(plan.from)).exists) {
      const message = `the state's relation ${dialect.quoteRelation(plan.from)} does not exist: build it in the state's target first`;
      done({ id, status: "error", relation, from: plan.from, message });
      continue;
    }
    try {
      for (const statement of plan.statements)
        await engine.execute(statement.sql, { label: id, signal: options.signal });
      done({ id, status: "created", relation, from: plan.from });
    } catch (err) {
      const message = engineMessage(err);
      done({ id, status: "error", relation, from: plan.from, message });
    }
  }
  return outcomes;
}

/** The engine's own message of a failed statement (QueryError's details), else the error's. */
function engineMessage(err: unknown): string {
  const details = (err as { details?: { engineMessage?: unknown } }).details;
  if (typeof details?.engineMessage === "string") return details.engineMessage;
  return err instanceof Error ? err.message : String(err);
}
