import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import {
  planNode,
  WATERMARK_PARAMETER,
  type CatalogState,
  type NodePlan,
} from "@sluice/compiler/plan";
import type { Dialect } from "@sluice/dialects";
import { QueryError, type Engine } from "@sluice/engines";
import { kindsFor, type RunCommand } from "../types.js";

/** What {@link planRun} needs: a run's options, with an engine opened read-only. */
export interface PlanRunOptions {
  command: RunCommand;
  compiled: CompiledProject;
  selected: readonly string[];
  /** Only read: `describeRelation` and, on a lake, the table-state SELECT. */
  engine: Pick<Engine, "describeRelation" | "execute">;
  dialect: Dialect;
  runId: string;
  fullRefresh: boolean;
}

/**
 * The plan of every node a run would execute, in the run's order (one thread: node `i` writes
 * with id `<runId>_<i>`, as the runner numbers them), from the catalog state read now. Changes
 * nothing: the engine is only asked to describe tables and read their recorded state.
 *
 * @example
 * const plans = await planRun({ command: "build", compiled, selected, engine, dialect, runId, fullRefresh: false });
 * formatPlans(plans);
 */
export async function planRun(options: PlanRunOptions): Promise<NodePlan[]> {
  const kinds = kindsFor[options.command];
  const chosen = new Set(options.selected);
  const nodes = options.compiled.nodes.filter(
    (n) => chosen.has(n.id) && kinds.includes(n.kind) && n.materialization !== "ephemeral",
  );
  const states = await Promise.all(nodes.map((n) => readCatalogState(n, options)));
  return nodes.map((node, i) =>
    planNode(node, options.dialect, {
      fullRefresh: options.fullRefresh,
      writeId: `${options.runId}_${i + 1}`,
      state: states[i]!,
    }),
  );
}

/**
 * What the catalog says of the table a node writes (tables, incrementals and seeds; others need
 * nothing): exists, location, columns and the recorded watermark (a Glue parameter on a catalog
 * engine; the lake's table-state row when it names the current location).
 */
export async function readCatalogState(
  node: CompiledNode,
  options: Pick<PlanRunOptions, "engine" | "dialect">,
): Promise<CatalogState> {
  const writes = ["table", "seed", "incremental"].includes(node.materialization);
  if (!writes) return { exists: false };
  const info = await options.engine.describeRelation(node.relation);
  if (!info.exists) return { exists: false };
  const recorded = info.parameters?.[WATERMARK_PARAMETER];
  const watermark =
    recorded ?? (await lakeWatermark(node, options, info.location).catch(ignoreQueryError));
  return {
    exists: true,
    ...(info.kind === undefined ? {} : { kind: info.kind }),
    ...(info.location === undefined ? {} : { location: info.location }),
    ...(info.columns === undefined ? {} : { columns: info.columns }),
    ...(watermark === undefined ? {} : { watermark }),
  };
}

/** The watermark the lake recorded with the table's current version (a SELECT). */
async function lakeWatermark(
  node: CompiledNode,
  { engine, dialect }: Pick<PlanRunOptions, "engine" | "dialect">,
  location: string | undefined,
): Promise<string | undefined> {
  if (node.materialization !== "incremental" || !isLakeDialect(dialect)) return undefined;
  const row = (await engine.execute(dialect.tableStateQuery(node.relation))).rows[0];
  return row && row["location"] === location && typeof row["watermark"] === "string"
    ? row["watermark"]
    : undefined;
}

/** A lake without the table-state table (older lakes): no recorded watermark. */
function ignoreQueryError(error: unknown): undefined {
  if (error instanceof QueryError) return undefined;
  throw error;
}
