import type { CompiledNode } from "@sluice/compiler";
import {
  bindWindowReads,
  WATERMARK_READ,
  type CarryBound,
  type NodePlan,
  type PlanStep,
  type WindowReads,
} from "@sluice/compiler/plan";
import type { LakeDialect, TableVersionState } from "@sluice/dialects";
import { QueryError, type LakeEngine, type QueryResult } from "@sluice/engines";
import type { MaterializeContext } from "../materialize/materializer.js";
import { rowsWritten } from "../materialize/materializer.js";
import { withListedValues } from "./listed-values.js";
import { carryRows } from "./carry-rows.js";
import { carryRecordOf } from "./carry-record.js";
import {
  conditionHolds,
  planError,
  runStepOf,
  type CatalogStep,
  type SqlStep,
  type StorageStep,
} from "../plan/plan-steps.js";

/** What running a lake plan gave. */
export interface LakePlanOutcome {
  /** Rows the write steps wrote (a merge: the whole new version's). */
  rows?: number;
  /** The table's rows after the write, when a `count_rows` step counted them. */
  tableRows?: number;
  /** What `carry_version_files` carried (insert_overwrite: the partitions the new rows wrote). */
  carried?: Awaited<ReturnType<LakeEngine["carryVersionFiles"]>>;
  /** With `carry_where`: the current version's rows carried into the new one. */
  carriedRows?: number;
  /** The plan as it ran: its steps that ran, in order (after a probe, the plan made again). */
  ran: NodePlan;
}

/** What a lake plan's steps need besides themselves. */
export interface LakePlanRun {
  node: CompiledNode;
  ctx: MaterializeContext;
  engine: LakeEngine;
  dialect: LakeDialect;
  /** What the window calls of the node's statements read in this run, bound as each runs. */
  reads: WindowReads;
  /** The node planned again with the columns a `probe_columns` step returned. */
  replan(incoming: readonly { name: string; type: string }[]): NodePlan;
  /** When this run listed the raw zones (epoch ms), recorded with each version it publishes. */
  listedAt?: number;
}

/** What earlier steps produced for later ones. */
interface Progress {
  rows?: number;
  tableRows?: number;
  /** The watermark a `read_watermark` step read (undefined: none). */
  watermark?: string;
  carried?: LakePlanOutcome["carried"];
  carriedRows?: number;
  /** What the new version carried under a `carry_where` bound, to record when it is published. */
  carriedUnder?: { bound: CarryBound; fileRows: ReadonlyMap<string, number> };
  ran: PlanStep[];
  /** The literal list of each `sluice_listed((subquery))` bound so far (see listed-values.ts). */
  listed: Map<string, string | undefined>;
}

/**
 * Run a node's plan on the lake, its steps in order, as `build --dry-run` printed them: SQL through
 * the node's `execute` (window calls bound to what the run read), `publish_version` as the
 * dialect's publish with the version's files listed then, storage operations through the engine.
 * A step whose condition does not hold is left out; the first failure fails the node (the view
 * still shows the previous version: nothing was published). `role`s as in `SqlRole`.
 *
 * @example
 * const { rows, ran } = await runLakePlan(planNode(node, dialect, input), { node, ctx, engine, dialect, reads, replan });
 */
export async function runLakePlan(plan: NodePlan, run: LakePlanRun): Promise<LakePlanOutcome> {
  if (plan.error !== undefined) throw planError(run.node, plan.error);
  const progress: Progress = { ran: [], listed: new Map() };
  let current = plan;
  for (let i = 0; i < current.steps.length; i++) {
    const step = current.steps[i]!;
    if (!(await conditionHolds(step, progress.rows, run.engine))) continue;
    progress.ran.push(step);
    const result = await runStepOf(step, {
      sql: (s) => runSql(s, run, progress),
      catalog: (s) => runCatalog(s, run, progress),
      storage: (s) => runStorage(s, run, progress),
    });
    if (step.kind === "sql" && step.role === "probe_columns" && result) {
      current = run.replan(result.columns);
      if (current.error !== undefined) throw planError(run.node, current.error);
    }
  }
  return {
    ...(progress.rows === undefined ? {} : { rows: progress.rows }),
    ...(progress.tableRows === undefined ? {} : { tableRows: progress.tableRows }),
    ...(progress.carried ? { carried: progress.carried } : {}),
    ...(progress.carriedRows === undefined ? {} : { carriedRows: progress.carriedRows }),
    ran: { ...current, steps: progress.ran },
  };
}

async function runSql(
  step: SqlStep,
  run: LakePlanRun,
  progress: Progress,
): Promise<QueryResult | undefined> {
  const reads = await withListedValues(
    step.statement.sql,
    run.reads,
    run.dialect,
    (sql) => run.ctx.execute(sql),
    progress.listed,
    run.ctx.listedValues && { values: run.ctx.listedValues, published: run.ctx.published },
  );
  const sql = bindWindowReads(step.statement.sql, reads);
  if (step.role === "read_watermark") {
    // A version without the watermark column has none: it is published without one.
    const result = await run.ctx.execute(sql).catch(noRows);
    const value = result.rows[0]?.["watermark"];
    if (typeof value === "string") progress.watermark = value;
    return undefined;
  }
  const result = await run.ctx.execute(sql);
  if (step.role === "count_rows") {
    const n = result.rows[0]?.["n"];
    if (n !== undefined && n !== null) progress.tableRows = Number(n);
    return undefined;
  }
  const rows = rowsWritten(step.statement.kind, result, undefined);
  if (rows !== undefined) progress.rows = (progress.rows ?? 0) + rows;
  return result;
}

/** A failed read as no rows (a query error only; anything else is a bug). */
function noRows(error: unknown): QueryResult {
  if (!(error instanceof QueryError)) throw error;
  return { rows: [], columns: [], stats: { elapsedMs: 0 } };
}

async function runCatalog(step: CatalogStep, run: LakePlanRun, progress: Progress) {
  if (step.op !== "publish_version")
    throw new Error(`bug: ${run.node.id}: a lake plan has a catalog step (${step.op})`);
  const { engine, dialect, ctx } = run;
  const files = await engine.versionFiles(step.location);
  const under = progress.carriedUnder;
  const state: TableVersionState = {
    ...step.state,
    files,
    ...(run.listedAt === undefined ? {} : { listedAt: run.listedAt }),
    ...(under ? { carried: carryRecordOf(under.bound, under.fileRows, files) } : {}),
  };
  if (state.watermark === WATERMARK_READ) {
    delete state.watermark;
    if (progress.watermark !== undefined) state.watermark = progress.watermark;
    // Pending hours are recorded against a watermark; with none, none.
    else delete state.pendingFrom;
  }
  for (const statement of dialect.publishTableVersion(step.relation, step.location, state))
    await ctx.execute(statement.sql);
  ctx.published?.set(dialect.quoteRelation(step.relation), {
    location: step.location,
    ...(state.columns === undefined ? {} : { columns: state.columns }),
  });
}

async function runStorage(step: StorageStep, run: LakePlanRun, progress: Progress) {
  const { engine } = run;
  switch (step.op) {
    case "carry_version_files":
      if (step.carryWhere !== undefined) {
        const { carried, carriedRows, fileRows } = await carryRows(step, step.carryWhere, run);
        progress.carried = carried;
        progress.carriedRows = carriedRows;
        if (step.carryBound && fileRows)
          progress.carriedUnder = { bound: step.carryBound, fileRows };
        return;
      }
      progress.carried = await engine.carryVersionFiles(step.from, step.to, {
        skipWrittenPartitions: step.skipWrittenPartitions,
      });
      return;
    case "delete_stale_locations":
      await engine.removeStaleLocations(step.relation, step.keep, {
        defer: step.deferred,
        versionsToKeep: step.versionsToKeep,
      });
      return;
    case "remove_leftovers":
      throw new Error(`bug: ${run.node.id}: a lake plan has a catalog-only step (${step.op})`);
  }
}
