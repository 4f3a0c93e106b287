import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { walkDepthFirst } from "@sluice/compiler/run-time";
import type { Dialect } from "@sluice/dialects";
import { isCatalogEngine, type Engine, type RawZone } from "@sluice/engines";
import { executeNode } from "./execute-node.js";
import { reconcileBuild } from "./incremental/reconcile.js";
import type { ListedRawHours } from "./incremental/raw-hours.js";
import { rawZoneOf } from "./incremental/raw-zone.js";
import { planRawReads, rawReadSummaries, reconciledNodes } from "./incremental/plan-raw-reads.js";
import { quarantineResults, type QuarantinePolicy } from "./incremental/quarantine-results.js";
import type { PublishedVersions } from "./incremental/window-reads.js";
import { FailFast } from "./fail-fast.js";
import { runDag } from "./scheduler.js";
import { unitTestSessionFor, type UnitTestMemoOption } from "./unit/unit-test-session.js";
import type { NodeResult, RenderAtRun, RunCommand, RunEvent, RunResults } from "./types.js";
import { kindsFor } from "./types.js";
import { costTotals } from "./athena/cost.js";
import type { CheckedVersions, UpstreamTable } from "./materialize/version-check.js";
import { inputSources, type NodePlan } from "@sluice/compiler/plan";
import type { TableVersions } from "./athena/unchanged-inputs.js";
import type { WrittenPartitions } from "@sluice/engines";
import type { SharedRows } from "./shared-rows.js";
import type { ScopeMode } from "./scope/assertion-scope.js";

const withCost = (results: readonly NodeResult[]) => {
  const cost = costTotals(results);
  return cost === undefined ? {} : { cost };
};

export interface RunOptions {
  command: RunCommand;
  compiled: CompiledProject;
  /** Node ids chosen by --select/--exclude (all nodes when undefined). */
  selected?: readonly string[];
  engine: Engine;
  dialect: Dialect;
  runId: string;
  fullRefresh?: boolean;
  threads?: number;
  signal?: AbortSignal;
  /**
   * dbt's `--fail-fast`: the first node that fails or errors stops the run (see {@link FailFast}):
   * running queries stopped, nodes not started skipped with the reason.
   */
  failFast?: boolean;
  /**
   * dbt's `--warn-error`: a node that ends with a warning (a test or DQDL rule of severity warn,
   * quarantined raw data under `warn`) fails instead, and in a build skips what depends on it.
   */
  warnError?: boolean;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
  /**
   * What tests and DQDL rules read: `incremental` (default) checks what the run wrote or read
   * where a check allows it (see `NewDataScope`), `full` everything (the default with
   * `fullRefresh`).
   */
  scope?: ScopeMode;
  /**
   * What model SQL is written in (the target's `sql_dialect`; default `trino`): unit tests run
   * it on an embedded DuckDB with the Trino-compat layer, or without it for `duckdb`.
   */
  sqlDialect?: "trino" | "duckdb";
  /**
   * Unit-test passes kept between runs: a unit test whose content key (`unitTestKey`) is the
   * kept pass's passes again without running, reported as reused. None: every test runs.
   */
  unitTestMemo?: UnitTestMemoOption;
  /** What quarantined raw files and lines do to the run: `warn` (default) or `fail`. */
  onQuarantine?: QuarantinePolicy;
  /**
   * Told, once a model or seed is done (built or failed), of the statements it sent to the engine
   * in order, as they ran (e.g. an INSERT's column list read from the catalog): the CLI writes
   * them to `target/run/` (see {@link writeExecutedStatements}).
   */
  onStatements?: (node: CompiledNode, statements: readonly string[]) => Promise<void>;
  /**
   * Told of the plan each built node ran (both engine families): the steps of its `NodePlan` that
   * ran, in order (what `build --dry-run` printed for it, as run): the CLI writes them to
   * `target/run/` (see `writeExecutedPlan`).
   */
  onPlan?: (node: CompiledNode, ran: NodePlan) => Promise<void>;
  /** Renders models that read the warehouse (`CompiledNode.renderAtRun`) with a connection. */
  renderAtRun?: RenderAtRun;
}

/**
 * Run the selected nodes of a compiled project in DAG order. In `build`, a model's tests run
 * right after it and its children wait for them: a failing (error-severity) test skips them.
 */
export async function runProject(options: RunOptions): Promise<RunResults> {
  const startedAt = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  const kinds = kindsFor[options.command];
  const chosen = new Set(options.selected ?? options.compiled.nodes.map((n) => n.id));
  const nodes = options.compiled.nodes.filter(
    (n) => chosen.has(n.id) && kinds.includes(n.kind) && n.materialization !== "ephemeral",
  );
  const graph = nodeIndex(options.compiled.nodes);
  const tasks = nodes.map((n) => ({
    id: n.id,
    deps: dependenciesOf(n, graph, options.command),
    node: n,
    rawSources: upstreamRawSources(n, graph.byId, options.dialect),
  }));
  const results: NodeResult[] = [];
  const versionsRecorded = await setUpRun(nodes, options);
  let index = 0;
  const total = tasks.length;
  const rawHours = new Map<string, ListedRawHours>();
  const scope = options.scope ?? (options.fullRefresh ? "full" : "incremental");
  const written = new Map<string, WrittenPartitions>();
  const shared: SharedRows = new Map();
  const byId = graph.byId;
  const published: PublishedVersions = new Map();
  const listedValues = new Map<string, Promise<string | undefined>>();
  const windowsRead = new Map<string, string>();
  // Every node is asked for its `reconcile` config once: the raw reads' plan and the runs share it.
  const reconciledModels = reconciledNodes(options.compiled.nodes);
  const raw = await planRawReads({
    nodes: tasks,
    reconciled: reconciledModels,
    engine: options.engine,
    dialect: options.dialect,
    fullRefresh: options.fullRefresh ?? false,
    fullScope: scope === "full",
    rawHours,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const checkedVersions: CheckedVersions = new Map();
  const built = new Set<string>();
  const tableVersions: TableVersions = new Map();
  const unitTests = unitTestSessionFor(options.compiled.nodes, options);
  const reconciled = { nodes: reconciledModels, recorded: new Set<string>() };

  const failFast = options.failFast ? new FailFast(options.signal) : undefined;
  const nodeSignal = failFast?.signal ?? options.signal;
  /** A node the run did not run, as skipped, `because` (a node id) when it was for that node. */
  const skip = (node: CompiledNode, message: string, because?: string): void => {
    const i = ++index;
    const result: NodeResult = {
      id: node.id,
      kind: node.kind,
      name: node.name,
      ...(node.kind === "test"
        ? {}
        : { relation: `${node.relation.schema}.${node.relation.name}` }),
      materialization: node.materialization,
      status: "skipped",
      message,
      elapsedMs: 0,
      queryIds: [],
      ...(because === undefined ? {} : { skippedBecause: because }),
    };
    results.push(result);
    options.onEvent?.({ type: "end", index: i, total, result });
  };

  try {
    await runDag(
      tasks,
      Math.max(1, options.threads ?? 1),
      async ({ node, rawSources }) => {
        const stopped = failFast?.skipReason(node.id);
        if (stopped !== undefined) {
          skip(node, stopped, failFast!.stoppedBy!.id);
          return false;
        }
        const i = ++index;
        options.onEvent?.({
          type: "start",
          index: i,
          total,
          id: node.id,
          description: describeStart(node),
        });
        const clock = options.now ?? (() => new Date());
        const nodeStarted = clock().toISOString();
        const executed = await executeNode(node, {
          engine: options.engine,
          dialect: options.dialect,
          fullRefresh: options.fullRefresh ?? false,
          writeId: `${options.runId}_${i}`,
          signal: nodeSignal,
          rawSources,
          rawHours,
          published,
          listedValues,
          windowsRead,
          inputs: inputSources(node, options.compiled.nodes),
          tableVersions,
          reconciled,
          ...(raw ? { raw } : {}),
          tablesRead: upstreamTables(node, graph, new Set()).map((t) => t.relation),
          upstreamTables: upstreamTables(node, graph, built),
          checkedVersions,
          versionsRecorded,
          scope,
          written,
          shared,
          ...(node.attachedTo && byId.has(node.attachedTo)
            ? { subject: byId.get(node.attachedTo)! }
            : {}),
          ...(node.kind === "test"
            ? { reads: node.dependsOn.flatMap((id) => byId.get(id) ?? []) }
            : {}),
          ...(options.onStatements ? { onStatements: options.onStatements } : {}),
          ...(options.onPlan ? { onPlan: options.onPlan } : {}),
          ...(options.renderAtRun ? { renderAtRun: options.renderAtRun } : {}),
          unitTests,
        });
        const result: NodeResult = {
          ...warnedAsError(executed, options.warnError),
          startedAt: nodeStarted,
          completedAt: clock().toISOString(),
        };
        if (result.status === "success") built.add(node.id);
        results.push(result);
        options.onEvent?.({ type: "end", index: i, total, result });
        failFast?.ended(result);
        return ["success", "pass", "warn"].includes(result.status);
      },
      ({ node }, because) =>
        skip(
          node,
          failFast?.skipReason(node.id, because) ?? `skipped: ${because} did not succeed`,
          because,
        ),
    );
  } finally {
    await unitTests.close();
  }

  // Nothing lost, nothing doubled: the build checks its own raw partitions (a failing balance fails the build).
  if (options.command === "build" || options.command === "run") {
    for (const check of await reconcileBuild(
      options.compiled.nodes,
      results,
      options.engine,
      options.dialect,
      { raw, windowsRead, published, pendingRecorded: reconciled.recorded },
      options.signal,
    )) {
      const result = warnedAsError(check, options.warnError);
      results.push(result);
      options.onEvent?.({ type: "end", index: total, total, result });
    }
  }
  // What could not be read is never silent: quarantined files and lines, paths outside the layout.
  for (const check of await quarantineResults(
    options.compiled.nodes,
    raw,
    rawHours,
    options.onQuarantine ?? "warn",
  )) {
    const result = warnedAsError(check, options.warnError);
    results.push(result);
    options.onEvent?.({ type: "end", index: total, total, result });
  }

  const rawReads = await rawReadSummaries(raw);
  const cleanup = await finishRun(options.engine);
  return {
    command: options.command,
    target: options.compiled.targetName,
    runId: options.runId,
    startedAt: startedAt.toISOString(),
    elapsedMs: Math.round(performance.now() - t0),
    results,
    ...withCost(results),
    ...(rawReads.length > 0 ? { rawReads } : {}),
    ...(cleanup === undefined ? {} : { cleanup }),
  };
}

/** `result`, a warning made a failure under --warn-error (as dbt's test runner makes it). */
function warnedAsError(result: NodeResult, warnError: boolean | undefined): NodeResult {
  if (!warnError || result.status !== "warn") return result;
  return {
    ...result,
    status: "fail",
    message: `${result.message} (a warning: --warn-error fails it)`,
  };
}

/**
 * Deferred cleanup (old data, staging catalog entries), batched once after every node. Its
 * failure fails no node: the tables are published, and the next build removes the leftovers.
 */
async function finishRun(engine: Engine): Promise<RunResults["cleanup"]> {
  try {
    return await engine.finishRun();
  } catch (error) {
    return {
      tablesDropped: 0,
      objectsDeleted: 0,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Once, up front: create each schema (DuckDB schema, Athena database) the run writes to, the
 * table-state table where the dialect keeps one, and record every table version the run may
 * write (lake dialects; one statement instead of one per node). Returns whether it recorded them.
 */
async function setUpRun(nodes: readonly CompiledNode[], options: RunOptions): Promise<boolean> {
  const schemas = [
    ...new Set(nodes.filter((n) => n.kind !== "test").map((n) => n.relation.schema)),
  ].sort();
  const dialect = options.dialect;
  if (!isLakeDialect(dialect)) {
    // The catalog's table listing, which each database's first node waits for, runs meanwhile.
    if (isCatalogEngine(options.engine)) options.engine.prefetchTables(schemas);
    for (const schema of schemas) {
      for (const statement of dialect.createSchema(schema)) {
        await options.engine.execute(statement.sql, {
          label: `schema ${schema}`,
          signal: options.signal,
        });
      }
    }
    return false;
  }
  // Tests too may publish (--store-failures).
  const versions = nodes
    .filter((n) => n.kind !== "test" && TABLE_MATERIALIZATIONS.has(n.materialization) && n.location)
    .map((n) => ({ relation: n.relation, location: n.location! }));
  // One round trip: a 7-day lake's one-hour build sends 15 setup statements, ~0.4 ms CPU each
  // one by one (#14).
  const setup = dialect.inOneRoundTrip([
    ...schemas.flatMap((schema) => dialect.createSchema(schema)),
    ...dialect.tableStateSetup(),
    ...dialect.recordTableVersions(versions, options.runId),
  ]);
  await options.engine.execute(setup.sql, { label: "run setup", signal: options.signal });
  return true;
}

/** Materializations that write table versions (at a fresh location each run, on lakes). */
const TABLE_MATERIALIZATIONS: ReadonlySet<string> = new Set([
  "table",
  "incremental",
  "seed",
  "snapshot",
]);

/** The project's nodes by id, their order, and the tests attached to each node. */
interface NodeIndex {
  byId: ReadonlyMap<string, CompiledNode>;
  position: ReadonlyMap<string, number>;
  testsOf: ReadonlyMap<string, readonly CompiledNode[]>;
}

/** Indexes built once per run: looking nodes up per task was quadratic in the project's size. */
function nodeIndex(all: readonly CompiledNode[]): NodeIndex {
  const testsOf = new Map<string, CompiledNode[]>();
  for (const t of all) {
    if (t.kind !== "test" || t.attachedTo === undefined) continue;
    const list = testsOf.get(t.attachedTo);
    if (list) list.push(t);
    else testsOf.set(t.attachedTo, [t]);
  }
  return {
    byId: new Map(all.map((n) => [n.id, n])),
    position: new Map(all.map((n, i) => [n.id, i])),
    testsOf,
  };
}

/** The nodes of `ids` that exist, in the project's order. */
const inProjectOrder = (ids: Iterable<string>, graph: NodeIndex): CompiledNode[] =>
  [...new Set(ids)]
    .flatMap((id) => graph.byId.get(id) ?? [])
    .sort((a, b) => graph.position.get(a.id)! - graph.position.get(b.id)!);

/**
 * Upstream nodes a task waits for; in build, also the tests of its parents (unless such a test
 * itself reads this node or its descendants, which would be a cycle).
 */
function dependenciesOf(node: CompiledNode, graph: NodeIndex, command: RunCommand): string[] {
  // A unit test reads mocks only: it waits for nothing, and in build its model waits for it.
  if (node.assertion?.kind === "unit") return [];
  if (command !== "build" || node.kind === "test") return node.dependsOn;
  const byId = graph.byId;
  const unitTests = (graph.testsOf.get(node.id) ?? []).filter((t) => t.assertion?.kind === "unit");
  const parentTests = inProjectOrder(
    node.dependsOn.flatMap((d) => (graph.testsOf.get(d) ?? []).map((t) => t.id)),
    graph,
  ).filter((t) => !t.dependsOn.some((d) => d === node.id || isAncestor(node.id, d, byId)));
  return [...node.dependsOn, ...parentTests.map((t) => t.id), ...unitTests.map((t) => t.id)];
}

/** The external (raw) sources a node reads, directly or through other nodes: relation as the dialect quotes it → raw zone. */
export function upstreamRawSources(
  node: CompiledNode,
  all: readonly CompiledNode[] | ReadonlyMap<string, CompiledNode>,
  dialect: Dialect,
): Map<string, RawZone> {
  const byId: ReadonlyMap<string, CompiledNode> =
    "get" in all ? all : new Map(all.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const found = new Map<string, RawZone>();
  // Without recursion: a node at the end of a 100,000-model chain reads through all of it.
  walkDepthFirst(byId.get(node.id)?.dependsOn ?? [], (dep) => {
    if (seen.has(dep)) return undefined;
    seen.add(dep);
    const upstream = byId.get(dep);
    if (upstream?.kind === "source" && upstream.location)
      found.set(dialect.quoteRelation(upstream.relation), rawZoneOf(upstream)!);
    return upstream?.dependsOn ?? [];
  });
  return found;
}

/** The tables (table, incremental, seed) `node` reads directly that this run has not built. */
function upstreamTables(
  node: CompiledNode,
  graph: NodeIndex,
  built: ReadonlySet<string>,
): UpstreamTable[] {
  return inProjectOrder(node.dependsOn, graph)
    .filter((n) => !built.has(n.id) && n.kind !== "test")
    .filter((n) => TABLE_MATERIALIZATIONS.has(n.materialization))
    .map((n) => ({ name: n.name, relation: n.relation }));
}

/** Whether `ancestor` is upstream of `id`. */
function isAncestor(
  ancestor: string,
  id: string,
  byId: ReadonlyMap<string, CompiledNode>,
  seen = new Set<string>(),
): boolean {
  for (const dep of byId.get(id)?.dependsOn ?? []) {
    if (dep === ancestor) return true;
    if (!seen.has(dep)) {
      seen.add(dep);
      if (isAncestor(ancestor, dep, byId, seen)) return true;
    }
  }
  return false;
}

function describeStart(node: CompiledNode): string {
  if (node.assertion?.kind === "unit") return `unit test ${node.name}`;
  if (node.kind === "test") return `test ${node.name}`;
  return `${node.materialization} ${node.relation.schema}.${node.relation.name}`;
}
