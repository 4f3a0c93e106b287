import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import {
  bindWindowReads,
  inputSources,
  planNode,
  schemaAfter,
  usesWindow,
  type CatalogState,
  type NodePlan,
  type PlanInput,
} from "@sluice/compiler/plan";
import { isCatalogDialect, lakeDialect, type Dialect, type LakeDialect } from "@sluice/dialects";
import {
  CLONE_OF_PARAMETER,
  QueryError,
  type CatalogEngine,
  type RelationInfo,
} from "@sluice/engines";
import { lakePlanInput, tableStatesOnce, type LakeStateReader } from "../lake/lake-plan-input.js";
import { notePublished } from "../lake/lake-select-inputs.js";
import {
  catalogPlanInput,
  catalogState,
  writesIncrementally,
} from "../athena/catalog-plan-input.js";
import { noteVersion, type TableMark, type TableVersions } from "../athena/unchanged-inputs.js";
import { reconciledNodes } from "../incremental/plan-raw-reads.js";
import { upstreamRawSources } from "../run-project.js";
import { kindsFor, type RunCommand } from "../types.js";

/** What planning reads of a catalog engine (the tables' entries and the raw zones' listings). */
export type CatalogStateReader = Pick<
  CatalogEngine,
  "family" | "describeRelation" | "execute" | "listRawHours"
>;

/** What {@link planRun} reads of an engine, lake or catalog (narrowed on `family`). */
export type PlanStateReader = LakeStateReader | CatalogStateReader;

/** What {@link planRun} needs: a run's options, with an engine opened read-only. */
export interface PlanRunOptions {
  command: RunCommand;
  compiled: CompiledProject;
  selected: readonly string[];
  /**
   * Only read: `describeRelation`, `listRawHours` and, on a lake, the table-state SELECT and the
   * raw hours late files landed in (the engine's family matches the dialect's).
   */
  engine: PlanStateReader;
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
  const engine = options.engine;
  if (engine.family !== "lake")
    throw new Error(`bug: dialect ${options.dialect.name} plans on a lake, the engine is not one`);
  return planLakeRun(nodes, infos, { ...options, engine }, lakeDialect(options.dialect));
}

/**
 * Lake engines: each node planned as the runner plans it (see `lakePlanInput`): the window from
 * what the table's version recorded and the raw zone's listing now; every version recorded up
 * front, as a run does.
 */
async function planLakeRun(
  nodes: readonly CompiledNode[],
  infos: readonly RelationInfo[],
  options: PlanRunOptions & { engine: LakeStateReader },
  dialect: LakeDialect,
): Promise<NodePlan[]> {
  const reconciled = reconciledNodes(options.compiled.nodes);
  const rawHours = new Map();
  const plans: NodePlan[] = [];
  // As a run: every state row read once, the versions planned feeding the nodes after them.
  const tableStates = tableStatesOnce({
    dialect,
    execute: (sql) => options.engine.execute(sql, { label: "sluice_table_state" }),
  });
  const tableVersions: TableVersions = new Map();
  for (const [i, node] of nodes.entries()) {
    const { input } = await lakePlanInput(
      node,
      {
        engine: options.engine,
        dialect,
        execute: (sql) => options.engine.execute(sql, { label: node.id }),
        rawSources: upstreamRawSources(node, options.compiled.nodes, dialect),
        rawHours,
        fullRefresh: options.fullRefresh,
        writeId: writeIdOf(options, i),
        reconciled,
        versionRecorded: true,
        tableStates,
        inputs: inputSources(node, options.compiled.nodes),
        tableVersions,
      },
      infos[i]!,
    );
    const plan = await probed(node, planNode(node, dialect, input), options, dialect, input);
    plans.push(plan);
    notePublished(tableVersions, node.relation, plan);
  }
  return plans;
}

/**
 * A lake plan with an on_schema_change probe, made again with the columns the probe gives now
 * (a LIMIT 0 query, window calls read as the plain relations), as the build does after its
 * probe; a probe that fails leaves the plan as it was (the build fails there the same way).
 */
async function probed(
  node: CompiledNode,
  plan: NodePlan,
  options: PlanRunOptions,
  dialect: LakeDialect,
  input: PlanInput,
): Promise<NodePlan> {
  const probe = plan.steps.find((s) => s.kind === "sql" && s.role === "probe_columns");
  if (probe?.kind !== "sql") return plan;
  const sql = bindWindowReads(probe.statement.sql, {});
  const result = await options.engine.execute(sql, { label: node.id }).catch(ignoreQueryError);
  return result ? planNode(node, dialect, { ...input, incoming: result.columns }) : plan;
}

/** A failed read as none (a query error only; anything else is a bug). */
function ignoreQueryError(error: unknown): undefined {
  if (error instanceof QueryError) return undefined;
  throw error;
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
      if (writes) noteVersion({ tableVersions }, node.relation, planned(plans.at(-1)!, state));
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
    noteVersion({ tableVersions }, node.relation, planned(plan, state));
  }
  return plans;
}

/** The version and schema id a table has once its plan ran (a write's: "planned"). */
function planned(plan: NodePlan, state: CatalogState): TableMark {
  const version = plan.action === "unchanged" ? (state.version ?? "") : "planned";
  return { version, schema: schemaAfter(plan, state) };
}

/**
 * The catalog entry of the table a node writes (tables, incrementals, seeds and snapshots;
 * others: none). Under --full-refresh a table is planned as absent, except a snapshot: its
 * history is not in its source, so the build never rebuilds it (as dbt) and merges into it.
 * A clone is planned as absent: the build replaces it (`CatalogEngine.replaceClone`). On a lake,
 * a raw source's view too: its recorded definition says whether the build makes it again.
 */
async function describeTable(
  node: CompiledNode,
  options: Pick<PlanRunOptions, "engine" | "fullRefresh">,
): Promise<RelationInfo> {
  if (node.materialization === "source" && options.engine.family === "lake")
    return options.engine.describeRelation(node.relation);
  const writes = ["table", "seed", "incremental", "snapshot"].includes(node.materialization);
  if (!writes || (options.fullRefresh && node.materialization !== "snapshot"))
    return { exists: false };
  const info = await options.engine.describeRelation(node.relation, { written: true });
  // A clone (`sluice clone` on Athena) is replaced by the build: planned as absent.
  return info.parameters?.[CLONE_OF_PARAMETER] === undefined ? info : { exists: false };
}
