import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import {
  inputSources,
  planNode,
  usesWindow,
  type CatalogState,
  type NodePlan,
} from "@sluice/compiler/plan";
import { isCatalogDialect, isLakeDialect, type Dialect } from "@sluice/dialects";
import { QueryError, type Engine, type RelationInfo } from "@sluice/engines";
import {
  catalogPlanInput,
  catalogState,
  writesIncrementally,
} from "../athena/catalog-plan-input.js";
import { noteVersion, type TableVersions } from "../athena/unchanged-inputs.js";
import { reconciledNodes } from "../incremental/plan-raw-reads.js";
import { upstreamRawSources } from "../run-project.js";
import { kindsFor, type RunCommand } from "../types.js";

/** What {@link planRun} needs: a run's options, with an engine opened read-only. */
export interface PlanRunOptions {
  command: RunCommand;
  compiled: CompiledProject;
  selected: readonly string[];
  /** Only read: `describeRelation`, `listRawHours` and, on a lake, the table-state SELECT. */
  engine: Pick<Engine, "describeRelation" | "execute" | "listRawHours">;
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
  const infos = await Promise.all(nodes.map((n) => describeTable(n, options)));
  if (isCatalogDialect(options.dialect)) return planCatalogRun(nodes, infos, options);
  const states = await Promise.all(nodes.map((n, i) => lakeState(n, options, infos[i]!)));
  return nodes.map((node, i) =>
    planNode(node, options.dialect, {
      fullRefresh: options.fullRefresh,
      writeId: writeIdOf(options, i),
      state: states[i]!,
    }),
  );
}

/** Node `i` of the run writes with id `<runId>_<i + 1>`, as the runner numbers them. */
const writeIdOf = (options: PlanRunOptions, i: number): string => `${options.runId}_${i + 1}`;

/**
 * Catalog engines: each node planned as the runner plans it (see `catalogPlanInput`), in run
 * order: a table the run writes gives the tables built from it new inputs. A node whose window
 * cannot be known without a query (no recorded watermark) is planned without its inputs.
 */
async function planCatalogRun(
  nodes: readonly CompiledNode[],
  infos: readonly RelationInfo[],
  options: PlanRunOptions,
): Promise<NodePlan[]> {
  const tableVersions: TableVersions = new Map();
  const rawHours = new Map();
  const reconciled = reconciledNodes(options.compiled.nodes);
  const plans: NodePlan[] = [];
  for (const [i, node] of nodes.entries()) {
    const writeId = writeIdOf(options, i);
    const state = catalogState(infos[i]!);
    const base = { fullRefresh: options.fullRefresh, writeId, state };
    const writes = ["table", "seed", "incremental"].includes(node.materialization);
    const known =
      !writes ||
      !writesIncrementally(node, state) ||
      !usesWindow(node) ||
      state.watermark !== undefined;
    if (!writes || !known) {
      plans.push(planNode(node, options.dialect, base));
      if (writes) noteVersion({ tableVersions }, node.relation, "planned");
      continue;
    }
    const { input } = await catalogPlanInput(
      node,
      {
        fullRefresh: options.fullRefresh,
        writeId,
        reconciled,
        rawSources: upstreamRawSources(node, options.compiled.nodes, options.dialect),
        rawHours,
        tableVersions,
        inputs: inputSources(node, options.compiled.nodes),
      },
      options.engine,
      infos[i]!,
      state,
    );
    const plan = planNode(node, options.dialect, input);
    plans.push(plan);
    noteVersion(
      { tableVersions },
      node.relation,
      plan.action === "unchanged" ? (state.version ?? "") : "planned",
    );
  }
  return plans;
}

/** The catalog entry of the table a node writes (tables, incrementals and seeds; others: none). */
async function describeTable(
  node: CompiledNode,
  options: Pick<PlanRunOptions, "engine" | "fullRefresh">,
): Promise<RelationInfo> {
  const writes = ["table", "seed", "incremental", "snapshot"].includes(node.materialization);
  if (!writes || options.fullRefresh) return { exists: false };
  return options.engine.describeRelation(node.relation, { written: true });
}

/** {@link catalogState}, with the watermark the lake recorded in its table-state table. */
async function lakeState(
  node: CompiledNode,
  options: Pick<PlanRunOptions, "engine" | "dialect">,
  info: RelationInfo,
): Promise<CatalogState> {
  const state = catalogState(info);
  if (!state.exists || state.watermark !== undefined) return state;
  const watermark = await lakeWatermark(node, options, info.location).catch(ignoreQueryError);
  return watermark === undefined ? state : { ...state, watermark };
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
