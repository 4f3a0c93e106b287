import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import {
  incrementalFrom,
  INPUTS_PARAMETER,
  inputSources,
  lookbackHours,
  NO_WATERMARK,
  PENDING_PARAMETER,
  planNode,
  VERSION_PARAMETER,
  WATERMARK_PARAMETER,
  type CatalogState,
  type NodePlan,
} from "@sluice/compiler/plan";
import { isCatalogDialect } from "@sluice/dialects";
import {
  checkInputs,
  noteVersion,
  type InputsContext,
  type TableVersions,
} from "../athena/unchanged-inputs.js";
import { usesWindow } from "../athena/watermark.js";
import { upstreamRawSources } from "../run-project.js";
import type { Dialect } from "@sluice/dialects";
import { QueryError, type Engine, type RelationInfo } from "@sluice/engines";
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
  const states = await Promise.all(nodes.map((n) => readCatalogState(n, options)));
  const inputs = isCatalogDialect(options.dialect)
    ? await plannedInputs(nodes, states, options)
    : [];
  return nodes.map((node, i) =>
    planNode(node, options.dialect, {
      fullRefresh: options.fullRefresh,
      writeId: `${options.runId}_${i + 1}`,
      state: states[i]!,
      ...(inputs[i] === undefined ? {} : { inputs: inputs[i] }),
      ...(isCatalogDialect(options.dialect) &&
      node.materialization === "incremental" &&
      upstreamRawSources(node, options.compiled.nodes, options.dialect).size > 0
        ? { rawUpstream: true }
        : {}),
    }),
  );
}

/**
 * Catalog engines: the fingerprint of what each node would read (see `checkInputs`), in run
 * order: a table the run writes gives the tables built from it new inputs. Undefined for a node
 * whose window cannot be known without a query (no recorded watermark).
 */
async function plannedInputs(
  nodes: readonly CompiledNode[],
  states: readonly CatalogState[],
  options: PlanRunOptions,
): Promise<(string | undefined)[]> {
  const tableVersions: TableVersions = new Map();
  const rawHours = new Map();
  const out: (string | undefined)[] = [];
  for (const [i, node] of nodes.entries()) {
    const state = states[i]!;
    const writes = ["table", "seed", "incremental"].includes(node.materialization);
    const from = writes ? plannedWindow(node, state) : undefined;
    if (from === undefined) {
      out.push(undefined);
      if (writes) noteVersion({ tableVersions }, node.relation, "planned");
      continue;
    }
    const ctx: InputsContext = {
      fullRefresh: options.fullRefresh,
      rawSources: upstreamRawSources(node, options.compiled.nodes, options.dialect),
      rawHours,
      tableVersions,
      inputs: inputSources(node, options.compiled.nodes),
    };
    const parameters: Record<string, string> =
      state.inputs === undefined ? {} : { [INPUTS_PARAMETER]: state.inputs };
    const existing: RelationInfo = {
      exists: state.exists,
      ...(state.kind ? { kind: state.kind } : {}),
      parameters,
    };
    const windowed = node.materialization === "incremental" && usesWindow(node);
    const lookback = windowed ? lookbackHours(node.config as Record<string, unknown>) : undefined;
    const check = await checkInputs(node, ctx, options.engine, existing, from, lookback);
    out.push(check.current);
    if (!check.unchanged) noteVersion(ctx, node.relation, "planned");
    else noteVersion(ctx, node.relation, state.version ?? "");
  }
  return out;
}

/** The first raw hour a node's build reads, from the state read; undefined when unknown. */
function plannedWindow(node: CompiledNode, state: CatalogState): string | undefined {
  const incremental = node.materialization === "incremental" && state.exists && state.location;
  if (!incremental || !usesWindow(node)) return NO_WATERMARK;
  if (state.watermark === undefined) return undefined;
  const from = incrementalFrom(
    state.watermark,
    lookbackHours(node.config as Record<string, unknown>),
  );
  return state.pending !== undefined && state.pending < from ? state.pending : from;
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
  const writes = ["table", "seed", "incremental", "snapshot"].includes(node.materialization);
  if (!writes) return { exists: false };
  const info = await options.engine.describeRelation(node.relation);
  if (!info.exists) return { exists: false };
  const recorded = info.parameters?.[WATERMARK_PARAMETER];
  const inputs = info.parameters?.[INPUTS_PARAMETER];
  const version = info.parameters?.[VERSION_PARAMETER];
  const pending = info.parameters?.[PENDING_PARAMETER];
  const watermark =
    recorded ?? (await lakeWatermark(node, options, info.location).catch(ignoreQueryError));
  return {
    exists: true,
    ...(info.kind === undefined ? {} : { kind: info.kind }),
    ...(info.location === undefined ? {} : { location: info.location }),
    ...(info.columns === undefined ? {} : { columns: info.columns }),
    ...(watermark === undefined ? {} : { watermark }),
    ...(inputs === undefined ? {} : { inputs }),
    ...(version === undefined ? {} : { version }),
    ...(pending === undefined || !/^\d{4}\/\d\d\/\d\d\/\d\d$/.test(pending) ? {} : { pending }),
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
