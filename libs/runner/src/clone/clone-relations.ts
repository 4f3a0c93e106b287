import { planClone } from "@sluice/compiler/run-time";
import type { CompiledProject } from "@sluice/compiler";
import type { Dialect, Relation } from "@sluice/dialects";
import { isCatalogEngine, type CatalogEngine, type Engine } from "@sluice/engines";
import type { RunState } from "../artifacts/read-state.js";

/** When a node's clone started and ended (ISO times), for run_results.json. */
export interface CloneTiming {
  startedAt: string;
  completedAt: string;
  elapsedMs: number;
}

/** What `sluice clone` did with one selected node. */
type CloneStep =
  | {
      id: string;
      status: "created";
      relation: Relation;
      from: Relation;
      /**
       * What was made: a view of the state's relation, or (Athena) a Glue table entry pointing
       * at its S3 location, with its partitions copied.
       */
      as: "view" | "table";
      partitions?: number;
      /** Why a view was made where a Glue table clone was asked for (an Iceberg table). */
      warning?: string;
    }
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
 * relation as a view of the state's (see `planClone`), or on a catalog engine (Athena) a
 * zero-copy table entry pointing at the state's table's data (see `CatalogEngine.cloneTable`;
 * views and Iceberg tables are cloned as views). The state's relation must exist: a view
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
      if (isCatalogEngine(engine)) {
        const made = await catalogClone(engine, options, relation, plan, existing, id);
        done({ id, status: "created", relation, from: plan.from, ...made });
        continue;
      }
      for (const statement of plan.statements)
        await engine.execute(statement.sql, { label: id, signal: options.signal });
      done({ id, status: "created", relation, from: plan.from, as: "view" });
    } catch (err) {
      const message = engineMessage(err);
      done({ id, status: "error", relation, from: plan.from, message });
    }
  }
  return outcomes;
}

/**
 * A clone on a catalog engine: the database, then (with `--full-refresh`) what exists replaced
 * (a clone's entry deleted, never its objects; this target's own table or view dropped), then a
 * Glue table entry pointing at the state's table's data; a view of it when the state's relation
 * is a view or an Iceberg table (an Iceberg entry sharing its metadata would be a second writer).
 */
async function catalogClone(
  engine: CatalogEngine,
  options: CloneOptions,
  relation: Relation,
  plan: Extract<ReturnType<typeof planClone>, { action: "create" }>,
  existing: { exists: boolean; kind?: "table" | "view" },
  label: string,
): Promise<{ as: "view" | "table"; partitions?: number; warning?: string }> {
  const { dialect, signal } = options;
  const run = async (statements: readonly { sql: string }[]) => {
    for (const statement of statements) await engine.execute(statement.sql, { label, signal });
  };
  await run(dialect.createSchema(relation.schema));
  // What exists (--full-refresh): a clone's entry goes (never its objects); this target's own
  // view goes by its Glue entry (a view has no data), its own table as a rebuild drops it.
  if (existing.exists && (await engine.replaceClone(relation)) === undefined) {
    if (existing.kind === "view") await engine.dropTableWithData(relation);
    else await run(dialect.dropTable(relation));
  }
  const made = await engine.cloneTable(plan.from, relation);
  if (made.kind === "table") return { as: "table", partitions: made.partitions };
  await run(dialect.createView(relation, `select * from ${dialect.quoteRelation(plan.from)}`));
  if (made.kind === "view") return { as: "view" };
  return {
    as: "view",
    warning:
      `${plan.from.schema}.${plan.from.name} is an Iceberg table: cloned as a view, not as a Glue ` +
      "entry sharing its metadata_location (a second writer of its Iceberg metadata, whose " +
      "writes, and Athena's dropping of it, would change or delete its files)",
  };
}

/** The engine's own message of a failed statement (QueryError's details), else the error's. */
function engineMessage(err: unknown): string {
  const details = (err as { details?: { engineMessage?: unknown } }).details;
  if (typeof details?.engineMessage === "string") return details.engineMessage;
  return err instanceof Error ? err.message : String(err);
}
