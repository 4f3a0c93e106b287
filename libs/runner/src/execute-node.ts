import { isLakeDialect } from "@sluice/dialects";
import { testStatus } from "./test-status.js";
import type { CompiledNode } from "@sluice/compiler";
import type { HookKey } from "@sluice/compiler/run-time";
import { planStatements, tableDocs } from "@sluice/compiler/plan";
import { catalogSwapMaterializer } from "./materialize/catalog-swap.js";
import { viewSwapMaterializer } from "./materialize/view-swap.js";
import { snapshotMaterializer } from "./materialize/snapshot.js";
import type { QueryResult } from "@sluice/engines";
import { isCatalogEngine, QueryError } from "@sluice/engines";
import type { NodeResult, RenderAtRun } from "./types.js";
import { formatDiagnostic } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type {
  MaterializeContext,
  MaterializeOutcome,
  NodeContext,
} from "./materialize/materializer.js";

export type { NodeContext };

/** A node's context in a run: what building needs, plus what the run's checks share. */
export interface RunNodeContext extends NodeContext {
  /** What the run's tests read: what it wrote or read (`incremental`, default) or everything. */
  scope?: ScopeMode;
  /** Node id → the partitions its incremental build wrote in this run (filled as nodes build). */
  written?: Map<string, WrittenPartitions>;
  /** The run's shared test queries (DQDL ruleset passes, generic tests counted in one scan). */
  shared?: SharedRows;
  /** The tested node of a test (its `attachedTo`). */
  subject?: CompiledNode;
  /** The nodes a test reads (its `dependsOn`). */
  reads?: readonly CompiledNode[];
  /** The run's embedded database for unit tests (opened at the first one). */
  unitTests?: UnitTestSession;
  /** Renders a model that reads the warehouse (`CompiledNode.renderAtRun`) with a connection. */
  renderAtRun?: RenderAtRun;
}
import { costUsd } from "./athena/cost.js";
import { checkDqRule, storeFailingRows } from "./dq/check-dq-rule.js";
import { rawSourceBinding } from "./incremental/plan-raw-reads.js";
import { ruleRow } from "./dq/ruleset-pass.js";
import { sharedRow, type SharedRows } from "./shared-rows.js";
import { readsWrittenRows, scopeOf, type ScopeMode } from "./scope/assertion-scope.js";
import { writtenPartitionFiles, writtenRows } from "./scope/written-partition-files.js";
import type { WrittenPartitions } from "@sluice/engines";
import { runUnitTest } from "./unit/run-unit-test.js";
import type { UnitTestSession } from "./unit/unit-test-session.js";
import { counted, grouped } from "./grouped-number.js";

/** Build or check one node. Engine failures become an `error` result; bugs still throw. */
export async function executeNode(node: CompiledNode, ctx: RunNodeContext): Promise<NodeResult> {
  const started = performance.now();
  const result: NodeResult = {
    id: node.id,
    kind: node.kind,
    name: node.name,
    relation: node.kind === "test" ? undefined : `${node.relation.schema}.${node.relation.name}`,
    materialization: node.materialization,
    status: "success",
    message: "",
    elapsedMs: 0,
    queryIds: [],
  };
  const record = (r: QueryResult): QueryResult => {
    if (r.stats.queryId) result.queryIds.push(r.stats.queryId);
    if (r.stats.bytesScanned !== undefined)
      result.bytesScanned = (result.bytesScanned ?? 0) + r.stats.bytesScanned;
    if (r.stats.billedBytes !== undefined) {
      result.billedBytes = (result.billedBytes ?? 0) + r.stats.billedBytes;
      result.costUsd = costUsd(result.billedBytes);
    }
    return r;
  };
  try {
    if (node.assertion?.kind === "unit") {
      if (!ctx.unitTests)
        throw new Error(`${node.id}: a unit test needs the run's unit-test session`);
      await runUnitTest(node, node.assertion, ctx.unitTests, result);
    } else if (node.kind === "test") await checkTest(node, ctx, result, record);
    else await buildRelation(node, ctx, result, record);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    result.status = "error";
    const reason: unknown = ctx.signal?.aborted ? ctx.signal.reason : undefined;
    const said = err.details.engineMessage;
    // Said once: a query stopped before it started names the reason itself.
    result.message =
      reason instanceof Error && !said.startsWith(reason.message)
        ? `${reason.message}: ${said}`
        : said;
    // A lake's raw zone with no file yet (a first build before any event was delivered).
    if (node.kind === "source" && /No files found that match the pattern/.test(said)) {
      result.message = `the raw zone ${node.location ?? ""} has no files yet: generate events (sluice generate) or deliver them through Firehose, then build again (${said.split("\n")[0]})`;
    }
    // An incremental model that reads {{ this }} fails to bind after its columns changed.
    if (
      node.materialization === "incremental" &&
      /column/i.test(result.message) &&
      !/full-refresh/.test(result.message)
    ) {
      result.message +=
        " (if the model's columns changed since the table was built, rebuild it with --full-refresh)";
    }
  }
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}

async function buildRelation(
  compiled: CompiledNode,
  ctx: RunNodeContext,
  result: NodeResult,
  record: (r: QueryResult) => QueryResult,
): Promise<void> {
  const node = await renderedAtRun(compiled, ctx, record);
  if (Array.isArray(node)) {
    result.status = "error";
    result.message = node.map(formatDiagnostic).join("\n");
    return;
  }
  if (node.materialization === "ephemeral") {
    result.message = "ephemeral (inlined)";
    return;
  }
  // dbt's persist_docs: every entry of the table the catalog writes for this node carries them
  // (not a view's: CREATE VIEW writes it, see persistDocsWarnings).
  const docs = node.materialization === "view" ? undefined : tableDocs(node);
  if (docs !== undefined && isCatalogEngine(ctx.engine))
    ctx.engine.setTableDocs(node.relation, docs);
  const materialize =
    node.materialization === "snapshot"
      ? snapshotMaterializer
      : isLakeDialect(ctx.dialect)
        ? viewSwapMaterializer
        : catalogSwapMaterializer;
  const sent: string[] = [];
  const execute: MaterializeContext["execute"] = async (sql, options) => {
    sent.push(sql);
    return record(
      await ctx.engine.execute(sql, { label: node.id, signal: ctx.signal, ...options }),
    );
  };
  // dbt's hooks, rendered at compile: before the build, and after it (its table published).
  // A failing hook fails the node; a failed pre_hook leaves the model unbuilt. On the local lake
  // a hook may only read: sluice alone writes the lake's tables, state and files (a hook that
  // could COPY over a raw file or empty sluice_table_state would undo the lake's integrity).
  const onLake = isLakeDialect(ctx.dialect);
  const runHooks = async (key: HookKey): Promise<void> => {
    const hooks = node.config[key] ?? [];
    for (const [i, sql] of hooks.entries()) {
      await execute(sql, onLake ? { readsOnly: true } : {}).catch((err: unknown) => {
        if (!(err instanceof QueryError)) throw err;
        const said = hookFailure(key, i, err.details.engineMessage);
        throw new QueryError(said, { ...err.details, engineMessage: said }, { cause: err });
      });
    }
  };
  const outcome = await (async () => {
    await runHooks("pre_hook");
    const built = await materialize(node, { ...ctx, execute });
    await runHooks("post_hook");
    return built;
  })().finally(() => ctx.onStatements?.(node, sent));
  result.rows = outcome.rows;
  if (outcome.written) ctx.written?.set(node.id, outcome.written);
  if (outcome.unchanged) result.unchanged = true;
  result.message = describeBuild(node, outcome);
}

/** What a failed hook says: which one, whether the model was built, and a lake's refusal. */
function hookFailure(key: HookKey, at: number, engineMessage: string): string {
  const built = key === "post_hook" ? " (the model was built)" : "";
  const why = /^refused\b/.test(engineMessage)
    ? `on the local lake a hook may only read (sluice alone writes the lake's tables and files; it runs as written on Athena): ${engineMessage}`
    : engineMessage;
  return `${key} ${at + 1} failed${built}: ${why}`;
}

/**
 * The node as it builds: a model that reads the warehouse is rendered again, its queries sent
 * through the engine (recorded in the node's result like its statements); its render errors
 * fail it. Any other node as compiled.
 */
async function renderedAtRun(
  node: CompiledNode,
  ctx: RunNodeContext,
  record: (r: QueryResult) => QueryResult,
): Promise<CompiledNode | Diagnostic[]> {
  if (!node.renderAtRun) return node;
  if (!ctx.renderAtRun)
    throw new Error(`${node.id} reads the warehouse while rendering: the run needs renderAtRun`);
  return ctx.renderAtRun(node, async (sql) =>
    record(await ctx.engine.execute(sql, { label: node.id, signal: ctx.signal })),
  );
}

/**
 * What a build did, in the words of its strategy: `created table 53,968 rows`, `inserted 2,060
 * rows (table: 53,968)` (append), `replaced 2 partitions, 4,012 rows` (insert_overwrite; with
 * carry_where on the lake `…, 1,851 rows (43,642 rows carried)`: the rows written, then the
 * table's rows carried into the new version),
 * `merged (table: 53,968)`. Counts the engine did not report are left out, never guessed: on
 * Athena an append says `inserted 2,060 rows` (the table's total would cost a billed query).
 */
export function describeBuild(node: CompiledNode, outcome: MaterializeOutcome): string {
  if (node.materialization === "view") return "created view";
  if (outcome.unchanged)
    return `unchanged: ${outcome.unchangedWhy ?? "built from the same inputs as the table's version"}`;
  if (node.materialization === "source") return "registered source";
  if (node.materialization === "snapshot")
    return outcome.appended ? "snapshot updated" : "snapshot created";
  const rows = outcome.rows === undefined ? undefined : counted(outcome.rows, "row");
  if (!outcome.appended) return ["created table", rows].filter(Boolean).join(" ");
  const strategy = node.incrementalStrategy ?? "append";
  const total = outcome.tableRows === undefined ? "" : ` (table: ${grouped(outcome.tableRows)})`;
  if (strategy === "merge") return rows === undefined ? `merged${total}` : `merged ${rows}${total}`;
  if (strategy === "insert_overwrite") {
    const parts =
      outcome.partitions === undefined ? [] : [counted(outcome.partitions, "partition")];
    const kept =
      outcome.carriedRows === undefined ? "" : ` (${counted(outcome.carriedRows, "row")} carried)`;
    return `replaced ${[...parts, ...(rows === undefined ? [] : [rows])].join(", ") || "partitions"}${kept}`;
  }
  return `${rows === undefined ? "inserted rows" : `inserted ${rows}`}${total}`;
}

/**
 * A failing-rows test's failure count: from the scan its relation's tests share (sent once for
 * all of them) when it has one, else, or when that query failed, from its own query.
 */
async function failureCount(
  node: CompiledNode,
  layout: string,
  ctx: RunNodeContext,
  execute: (sql: string) => Promise<QueryResult>,
): Promise<number> {
  const shared = node.assertion?.kind === "failing_rows" ? node.assertion.shared : undefined;
  const row =
    shared &&
    ctx.shared &&
    (await sharedRow(ctx.shared, `${layout}\0${shared.sql}`, () => execute(shared.sql)));
  if (shared && row) return Number(row[`failures_${shared.index}`] ?? 0);
  const [assertion] = planStatements(node, ctx.dialect, {
    exists: false,
    fullRefresh: false,
    writeId: ctx.writeId,
  });
  if (!assertion) throw new Error(`test ${node.id} compiled to no statement`);
  return Number((await execute(assertion.sql)).rows[0]?.["failures"] ?? 0);
}

/** `warn_if '>5', error_if '>10'` as configured (dbt's defaults are `!=0`). */
const thresholdText = (node: CompiledNode): string =>
  [
    `warn_if '${node.thresholds?.warn_if ?? "!=0"}'`,
    ...(node.severity === "warn" ? [] : [`error_if '${node.thresholds?.error_if ?? "!=0"}'`]),
  ].join(", ");

async function checkTest(
  node: CompiledNode,
  ctx: RunNodeContext,
  result: NodeResult,
  record: (r: QueryResult) => QueryResult,
): Promise<void> {
  // Bound once: statements made from the test's SQL read the run's raw table for a raw source.
  const raw = await rawSourceBinding(node.sql, ctx);
  const scoped = scopeOf(node, {
    dialect: ctx.dialect,
    mode: ctx.scope ?? "incremental",
    written: ctx.written ?? new Map(),
    ...(ctx.subject ? { subject: ctx.subject } : {}),
    ...(ctx.reads ? { reads: ctx.reads } : {}),
    partitionFiles: await writtenPartitionFiles(ctx.reads ?? [], ctx),
    ...(readsWrittenRows(node) && ctx.subject
      ? { writtenRows: await writtenRows([ctx.subject], ctx) }
      : {}),
    ...(raw.from === undefined ? {} : { rawFrom: raw.from }),
  });
  result.scope = scoped.scope;
  // A check of new data reads it alone, except that of new keys, which filters the whole table;
  // other checks run as the statements before them (a full build's on every thread).
  const newDataOnly =
    scoped.scope.kind === "incremental" && node.newData?.kind !== "keys" ? true : undefined;
  const execute = async (sql: string) =>
    record(
      await ctx.engine.execute(raw.bind(scoped.bind(sql)), {
        label: node.id,
        signal: ctx.signal,
        ...(newDataOnly ? { newDataOnly } : {}),
      }),
    );
  if (raw.empty || scoped.empty) {
    // Checks of new data look at what the run read or wrote; it read or wrote none, so nothing
    // can fail: a pass that says so (skipped means a parent failed).
    result.scope = {
      kind: "incremental",
      detail: raw.empty ? "no raw line read this run" : "no partition written this run",
    };
    result.status = "pass";
    result.failures = 0;
    result.message = "pass: no new data to check";
    if (node.assertion?.kind === "dq_rule")
      result.dq = {
        ruleName: node.assertion.ruleName,
        ruleType: node.assertion.ruleType,
        ruleText: node.assertion.ruleText,
        outcome: "PASS",
        message: "",
      };
    return;
  }
  if (node.assertion?.kind === "dq_rule") {
    const assertion = node.assertion;
    return checkDqRule(node, assertion, ctx, result, execute, () =>
      ruleRow(node, assertion, scoped.layout, ctx.shared, execute),
    );
  }
  const failures = await failureCount(node, scoped.layout, ctx, execute);
  result.failures = failures;
  const status = testStatus(failures, node);
  const rows = `${grouped(failures)} failing row${failures === 1 ? "" : "s"}`;
  result.status = status;
  if (status === "pass") {
    result.message = failures === 0 ? "pass" : `pass: ${rows}, within ${thresholdText(node)}`;
  } else {
    result.message = rows;
    if (node.storeFailures)
      result.storedFailures = (await storeFailingRows(node, node.sql, ctx, execute)).table;
  }
}
