import type { CompiledNode } from "@sluice/compiler";
import {
  stagingRelation,
  PENDING_PARAMETER,
  WATERMARK_PARAMETER,
  WATERMARK_READ,
  type NodePlan,
  type PlanStep,
} from "@sluice/compiler/plan";
import type { Relation } from "@sluice/dialects";
import {
  QueryError,
  type PartitionPublishOutcome,
  type PublishOutcome,
  type QueryResult,
  type RelationInfo,
} from "@sluice/engines";
import type { MaterializeContext } from "../materialize/materializer.js";
import { rowsWritten, versionsToKeep } from "../materialize/materializer.js";
import { batchedInsert, batchedVersion, canBatch } from "./batched-write.js";
import type { CatalogEngine } from "./catalog-engine.js";
import { newerWatermark, upstreamWatermark } from "./watermark.js";
import {
  conditionHolds,
  planError,
  runStepOf,
  type CatalogStep,
  type SqlStep,
  type StorageStep,
} from "../plan/plan-steps.js";

/** What running a plan gave: rows written, the partitions published, the steps that ran. */
export interface PlanOutcome {
  rows?: number;
  partitions?: PartitionPublishOutcome;
  /** The plan as it ran: its steps that ran, in order (a fallback's own steps included). */
  ran: NodePlan;
}

/** What a plan's steps need besides themselves. */
export interface CatalogPlanRun {
  node: CompiledNode;
  ctx: MaterializeContext;
  engine: CatalogEngine;
  /** The table's entry as read before planning (its recorded watermark, for leftovers). */
  existing: RelationInfo;
  /** The node planned again with the columns a `probe_columns` step returned. */
  replan(incoming: readonly { name: string; type: string }[]): NodePlan;
}

/** The state of one plan's execution: what earlier steps produced for later ones. */
interface Progress {
  rows?: number;
  watermark?: string;
  published?: PublishOutcome;
  partitions?: PartitionPublishOutcome;
  /** Where the node's staging table was written (its CTAS location; batched: `_batched`). */
  wroteAt?: string;
  ran: PlanStep[];
}

/**
 * Run a node's plan on a catalog engine (Athena + Glue + S3), its steps in order, as
 * `build --dry-run` printed them: SQL through the node's `execute`, catalog and storage
 * operations through the engine. Conditional steps run when their condition holds; after a
 * failure only the `failed` steps (compensations) run, then the error goes on. What a step does
 * with its result or failure is its `role` (see `SqlRole`).
 *
 * @example
 * const { rows, ran } = await runCatalogPlan(planNode(node, dialect, input), { node, ctx, engine, existing, replan });
 */
export async function runCatalogPlan(plan: NodePlan, run: CatalogPlanRun): Promise<PlanOutcome> {
  if (plan.error !== undefined) {
    // The steps before the error is known (the sweep) still run: nothing is written.
    await runSteps(plan.steps, run, { ran: [] });
    throw planError(run.node, plan.error);
  }
  const progress: Progress = { ran: [] };
  let current = plan;
  let failure: { error: unknown } | undefined;
  for (let i = 0; i < current.steps.length; i++) {
    const step = current.steps[i]!;
    if (step.condition?.if === "failed") {
      if (failure) await runStep(step, run, progress).catch(() => undefined);
      continue;
    }
    if (failure || !(await conditionHolds(step, progress.rows, run.engine))) continue;
    try {
      const result = await runStep(step, run, progress);
      if (step.kind === "sql" && step.role === "probe_columns" && result) {
        const next = run.replan(result.columns);
        if (next.error !== undefined) throw planError(run.node, next.error);
        current = next;
      }
    } catch (error) {
      failure = { error };
    }
  }
  if (failure) throw failure.error;
  return {
    ...(progress.rows === undefined ? {} : { rows: progress.rows }),
    ...(progress.partitions ? { partitions: progress.partitions } : {}),
    ran: { ...current, steps: progress.ran },
  };
}

/** Steps run plainly, stopping at the first failure (a failed plan's sweep). */
async function runSteps(steps: readonly PlanStep[], run: CatalogPlanRun, progress: Progress) {
  for (const step of steps) if (step.condition === undefined) await runStep(step, run, progress);
}

/** Run one step; a SQL step's result is returned. */
function runStep(
  step: PlanStep,
  run: CatalogPlanRun,
  progress: Progress,
): Promise<QueryResult | undefined> {
  progress.ran.push(step);
  return runStepOf(step, {
    sql: (s) => runSql(s, run, progress),
    catalog: (s) => runCatalog(s, run, progress),
    storage: (s) => runStorage(s, run, progress),
  });
}

async function runSql(
  step: SqlStep,
  run: CatalogPlanRun,
  progress: Progress,
): Promise<QueryResult | undefined> {
  const { ctx } = run;
  const count = (rows: number | undefined) =>
    (progress.rows = rows === undefined ? progress.rows : (progress.rows ?? 0) + rows);
  switch (step.role) {
    case "write_version":
      count(await writeVersion(step, run, progress));
      return undefined;
    case "write_rows":
      count(await writeRows(step, run, progress));
      return undefined;
    case "read_watermark": {
      const value = (await ctx.execute(step.statement.sql)).rows[0]?.["watermark"];
      if (typeof value === "string" && /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/.test(value))
        progress.watermark = value;
      return undefined;
    }
    case "probe_columns":
    case "count_rows":
    case undefined: {
      const result = await ctx.execute(step.statement.sql);
      count(rowsWritten(step.statement.kind, result, undefined));
      return result;
    }
  }
}

async function runCatalog(step: CatalogStep, run: CatalogPlanRun, progress: Progress) {
  const { engine, node } = run;
  switch (step.op) {
    case "drop_staging_tables":
      await engine.dropStagingTables(step.relation, step.marker, step.keep);
      return;
    case "publish_table":
      progress.published = await engine.publishTable(step.staging, step.target, {
        defer: true,
        versionsToKeep: versionsToKeep(node),
        parameters: await resolved(step.parameters, run, progress),
      });
      return;
    case "publish_partitions": {
      const parameters = newerWatermark(
        await resolved(step.parameters, run, progress),
        run.existing.parameters,
      );
      // Hours pending reconciliation: the reconciliation's verdict goes with the table update.
      const pending = parameters[PENDING_PARAMETER];
      progress.partitions = await engine.publishPartitions(step.staging, step.target, {
        defer: true,
        versionsToKeep: step.versionsToKeep,
        parameters,
        holdUntilReconciled: pending !== undefined && pending !== "",
        ...(progress.wroteAt === undefined ? {} : { stagingLocation: progress.wroteAt }),
      });
      return;
    }
    case "set_parameters":
      await engine.setTableParameters(
        step.relation,
        await resolved(step.parameters, run, progress),
      );
      return;
    case "drop_table":
      await engine.dropTableWithData(
        step.relation,
        step.unlessReadBy ? { unlessReadBy: step.unlessReadBy } : undefined,
      );
      return;
  }
}

async function runStorage(step: StorageStep, run: CatalogPlanRun, progress: Progress) {
  const { engine } = run;
  switch (step.op) {
    case "delete_stale_locations": {
      // What the publish kept (versions_to_keep) stays; no location published: nothing to keep it by.
      const location = progress.published ? progress.published.location : step.keep;
      if (location)
        await engine.removeStaleLocations(step.relation, location, {
          defer: step.deferred,
          versionsToKeep: step.versionsToKeep,
          ...(progress.published?.retained ? { retain: progress.published.retained } : {}),
        });
      return;
    }
    case "remove_leftovers":
      await engine.removeLeftovers(step.relation, run.existing, {
        defer: step.deferred,
        partitioned: step.partitioned,
        versionsToKeep: step.versionsToKeep,
      });
      return;
    case "carry_version_files":
      throw new Error(`bug: ${run.node.id}: a catalog plan has a lake step (${step.op})`);
  }
}

/**
 * Parameter values a step records, with {@link WATERMARK_READ} replaced by the watermark a step
 * read (else the newest recorded on the tables the node reads; none: not recorded).
 */
async function resolved(
  parameters: Readonly<Record<string, string>>,
  run: CatalogPlanRun,
  progress: Progress,
): Promise<Record<string, string>> {
  const out = { ...parameters };
  if (out[WATERMARK_PARAMETER] !== WATERMARK_READ) return out;
  const watermark = progress.watermark ?? (await upstreamWatermark(run.ctx, run.engine));
  if (watermark === undefined) delete out[WATERMARK_PARAMETER];
  else out[WATERMARK_PARAMETER] = watermark;
  return out;
}

/**
 * A CTAS into the node's staging table at its fresh location. A failure Athena marks retryable is
 * tried again (up to 3 times) after the staging table and what the query wrote are removed; past
 * the partition limit the rows are written in batches to `<location>_batched` (the steps that
 * does are added to the plan as run).
 */
async function writeVersion(
  step: SqlStep,
  run: CatalogPlanRun,
  progress: Progress,
): Promise<number | undefined> {
  const { node, ctx, engine } = run;
  const staging = stagingRelation(node.relation, ctx.writeId);
  const location = node.location ?? "";
  try {
    const rows = await retried(step.statement.sql, run, staging, location);
    if (location !== "") progress.wroteAt = location;
    return rows;
  } catch (error) {
    // The failed CTAS may have left files at the location: nothing reads them.
    await removeFailedOutput(engine, error, location);
    if (!canBatch(error, node, ctx)) throw error;
    await engine.dropTableWithData(staging);
    const select = step.rows?.select ?? "";
    const rows = await batchedVersion(run, staging, select, `${location}_batched`, (s) =>
      progress.ran.push(s),
    );
    if (location !== "") progress.wroteAt = `${location}_batched`;
    return rows;
  }
}

/** Tries of a staging CTAS that Athena failed as retryable (its output removed in between). */
const CTAS_ATTEMPTS = 3;

/** Run a CTAS into `relation` at `location`, again after a retryable failure. */
export async function retried(
  sql: string,
  run: Pick<CatalogPlanRun, "ctx" | "engine">,
  relation: Relation,
  location: string,
): Promise<number | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return rowsWritten("create_table_as", await run.ctx.execute(sql), undefined);
    } catch (error) {
      if (!(error instanceof QueryError && error.details.retryable) || attempt >= CTAS_ATTEMPTS)
        throw error;
      // The staging table and its location are this run's own: clear both, then write again.
      await removeFailedOutput(run.engine, error, location);
      await run.engine.dropTableWithData(relation);
      await backoff(attempt);
    }
  }
}

/** Full-jitter exponential backoff before try `attempt + 1` (at most 8 s). */
const backoff = (attempt: number) =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.floor(Math.random() * Math.min(8_000, 500 * 2 ** attempt))),
  );

/**
 * An INSERT or MERGE into the published table. A failed INSERT may have written files into the
 * table's partitions before it failed: readers would see those rows, and a retry would write
 * them again. They are deleted (from the query's data manifest) before the error goes on; when
 * that is impossible the error says so, and the node fails rather than retry in batches. Past
 * the partition limit, the rows are staged and inserted in batches.
 */
async function writeRows(
  step: SqlStep,
  run: CatalogPlanRun,
  progress: Progress,
): Promise<number | undefined> {
  const { node, ctx } = run;
  const result = await ctx.execute(step.statement.sql).catch(async (error: unknown) => {
    if (step.statement.kind !== "insert" || !(error instanceof QueryError)) throw error;
    await removePartialOutput(error, run);
    if (!canBatch(error, node, ctx)) throw error;
    return undefined;
  });
  if (result) return rowsWritten(step.statement.kind, result, undefined);
  return batchedInsert(run, step.rows ?? { select: "" }, (s) => progress.ran.push(s));
}

/** Delete what a failed INSERT wrote into the table, or fail saying it could not. */
async function removePartialOutput(error: QueryError, run: CatalogPlanRun): Promise<void> {
  const { node, ctx, engine } = run;
  const queryId = error.details.queryId;
  try {
    if (queryId === undefined)
      throw new Error("the failed query has no id: the files it wrote cannot be listed");
    await engine.removeQueryOutput(queryId, run.existing.location ?? "");
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message = canBatch(error, node, ctx)
      ? `the INSERT went past the partition limit and its partial output could not be removed (${reason}), so it was not retried in batches: ${error.details.engineMessage}`
      : `${error.details.engineMessage} (its partial output could not be removed: ${reason}; the table may hold some of its rows until --full-refresh)`;
    throw new QueryError(
      `${node.id}: ${message}`,
      { ...error.details, engineMessage: message },
      { cause: error },
    );
  }
}

/** The files a failed CTAS wrote before failing (an Athena CTAS leaves them without a table). */
async function removeFailedOutput(
  engine: CatalogEngine,
  error: unknown,
  location: string,
): Promise<void> {
  const queryId = error instanceof QueryError ? error.details.queryId : undefined;
  // Best effort: the location is this run's own, so files left there are read by nothing, and a
  // later full publish of the table removes them with its other stale data.
  if (queryId !== undefined) await engine.removeQueryOutput(queryId, location).catch(() => 0);
}
