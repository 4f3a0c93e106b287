import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import type { Engine } from "@sluice/engines";
import type { ByNodeId, RunCommand, RunResults } from "@sluice/runner";
import type { CommandSpec, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { ExitCode } from "../command.js";
import { buildId } from "../compile-cache.js";
import { compileDigestLines, digestsByNode } from "../compile-digests.js";
import { toSnakeJson } from "../output/json.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, resourceTypeOptions, selectionOptions } from "./shared-options.js";
import { athenaCheckOption } from "./athena-check-option.js";
import { renderAtRunFor } from "../render-at-run.js";
import { commandHeads } from "./command-heads.js";

export interface RunArgs extends SelectionArgs {
  fullRefresh?: boolean;
  threads?: number;
  timeout?: number;
  onQuarantine?: "warn" | "fail";
  scope?: "incremental" | "full";
  format: "table" | "json";
  logFormat: "text" | "json";
  athenaCheck?: boolean;
  dryRun?: boolean;
  defer?: boolean;
  favorState?: boolean;
  junitXml?: string;
  unitTestCache?: boolean;
  failFast?: boolean;
  warnError?: boolean;
}

const examples: Record<RunCommand, [string, string][]> = {
  build: [
    [
      "$0 build --select +sales_by_country",
      "build one mart and everything upstream, with their tests",
    ],
    [
      "$0 build --dry-run --select events",
      "print what building silver.events would do (SQL, Glue and S3 operations), changing nothing",
    ],
    [
      "$0 build --select state:modified+ --defer --state models/target",
      "CI: build what changed since the run whose artifacts are in models/target, and what reads it, reading the rest from that run's relations",
    ],
  ],
  run: [
    ["$0 run --select +sales_by_country", "run one mart and everything upstream"],
    ["$0 run --dry-run --format json", "every model's plan, as data"],
  ],
  test: [
    ["$0 test --select sales_by_country", "the tests of one mart"],
    [
      "$0 test --select sales_by_country --junit-xml models/target/junit.xml",
      "the tests of one mart, with a JUnit report for CI",
    ],
    [
      "$0 test --select test_type:unit",
      "only the unit tests: models on mock rows, on an embedded DuckDB, no warehouse needed",
    ],
  ],
  seed: [["$0 seed --select country_codes", "load one seed"]],
  snapshot: [
    ["$0 snapshot", "record what changed in every snapshot's source since its last run"],
    [
      "$0 snapshot --dry-run",
      "print what each snapshot would do (first run: create its table; then: rewrite it on the lake, MERGE INTO it on Athena), changing nothing",
    ],
  ],
};

/** `sluice build|run|test|seed`: one implementation, the command decides which node kinds run. */
export function runCommandSpec(name: RunCommand): CommandSpec<RunArgs> {
  return {
    ...commandHeads[name],
    options: {
      ...selectionOptions,
      ...resourceTypeOptions,
      ...(name === "test" || name === "snapshot"
        ? {}
        : {
            "full-refresh": {
              type: "boolean",
              default: false,
              describe:
                "Rebuild incremental models from scratch and load seeds again, changed or not",
            },
          }),
      threads: { type: "number", describe: "Nodes to run at once (default: the target's threads)" },
      timeout: {
        type: "number",
        describe: "Stop running queries and fail after this many seconds",
      },
      "warn-error": {
        type: "boolean",
        default: false,
        describe:
          "Warnings are errors, as dbt's --warn-error: a project or selection warning stops the command before any work (exit 2); a test, DQDL rule or quarantine that warns fails (exit 1), skipping what depends on it",
      },
      "fail-fast": {
        type: "boolean",
        alias: "x",
        default: false,
        describe:
          "Stop at the first node that fails or errors, as dbt's --fail-fast: running queries are stopped, what has not started is skipped with the reason, exit 1 (without it a failure skips only what depends on it)",
      },
      ...(name === "test" || name === "build"
        ? {
            "store-failures": {
              type: "boolean",
              default: false,
              describe:
                "Write failing rows of tests (up to 100 each) to <schema>_audit.<test name>",
            },
          }
        : {}),
      ...(name === "test" || name === "build"
        ? {
            "junit-xml": {
              type: "string",
              describe:
                "Write a JUnit XML report to this file: every test and DQDL rule a testcase (failures with the rule, metric, compiled SQL file and up to 5 failing rows; skipped with the reason). With GITHUB_ACTIONS=true, failures are also printed as ::error annotations at the model or rule file",
            },
            "unit-test-cache": {
              type: "boolean",
              default: true,
              describe:
                "Reuse a unit test's last pass while nothing it depends on changed (its definition, its model's SQL, macros, overrides, the upstream models' SQL, the embedded DuckDB and sluice versions): reported as a pass that says it was reused. --no-unit-test-cache (or --full-refresh) runs them all",
            },
            scope: {
              type: "string",
              choices: ["incremental", "full"],
              describe:
                "What tests and DQDL rules check: incremental (default) reads what this run wrote or read where the check allows (per-row checks: the partitions written, the raw hours read; unique: the new keys against the whole table, or against their partitions where the model declares copies_share_partition), full reads every table whole (the default with --full-refresh). Every result states its scope",
            },
          }
        : {}),
      ...(name === "test" || name === "seed" || name === "snapshot"
        ? {}
        : {
            "on-quarantine": {
              type: "string",
              choices: ["warn", "fail"],
              default: "warn",
              describe:
                "Raw files or lines that cannot be read are quarantined and reported: warn (exit 0) or fail (exit 1)",
            },
          }),
      format: formatOption(["table", "json"]),
      defer: {
        type: "boolean",
        default: false,
        describe:
          "Read unselected models and seeds that this target does not have from the --state run's relations (e.g. production's)",
      },
      "favor-state": {
        type: "boolean",
        default: false,
        describe:
          "With --defer: read every unselected model and seed from the --state run's relations, even those this target has",
      },
      ...(name === "build" || name === "run" || name === "snapshot"
        ? {
            ...athenaCheckOption,
            "dry-run": {
              type: "boolean",
              default: false,
              describe:
                "Print each selected node's plan (SQL statements, Glue and S3 operations, partitions touched) from the catalog as it is now, and change nothing (--format json: the plans as data)",
            },
          }
        : {}),
      "log-format": {
        type: "string",
        choices: ["text", "json"],
        default: "text",
        describe:
          "json: one JSON event per line on stdout (node_start, node_finish, test_result, run_finish) instead of progress and summary",
      },
    },
    numbers: { threads: { min: 1, integer: true }, timeout: { min: 0, minExclusive: true } },
    examples: examples[name],
    check: (args) =>
      args.format === "json" && args.logFormat === "json"
        ? "--format json and --log-format json both write to stdout: choose one"
        : args.defer === true && args.state === undefined
          ? "--defer reads the relations of a previous run: pass --state DIR with its manifest.json"
          : args.favorState === true && args.defer !== true
            ? "--favor-state changes what --defer reads: pass --defer too"
            : undefined,
    handler: async (args, io) =>
      args.dryRun === true
        ? (await import("./dry-run.js")).dryRun(name, args, io)
        : runNodes(name, args, io),
  };
}

/** Whether the run writes a JUnit report or GitHub annotations (`GITHUB_ACTIONS=true`). */
const ciReports = (args: RunArgs): boolean =>
  args.junitXml !== undefined || process.env["GITHUB_ACTIONS"] === "true";

/**
 * Run the selected nodes of one command: what build/run/test/seed and `retry` do. Returns the
 * exit code (1 when a node failed).
 */
export async function runNodes(
  command: RunCommand,
  args: RunArgs & { projectDir: string; target?: string; vars?: string },
  io: Io,
): Promise<number> {
  if (args.junitXml !== undefined) {
    const { reportPathProblem } = await import("../ci/report-path.js");
    const problem = reportPathProblem(args.junitXml);
    if (problem !== undefined) {
      io.err(`error: --junit-xml: ${problem}: name a file in a folder that can be written`);
      return ExitCode.usage;
    }
  }
  const { loadSelection } = await import("../selection.js");
  // The engine starts opening as soon as the target is known: DuckDB loads its catalog off the
  // main thread while the selection is applied and the compiled SQL written.
  let opening: Promise<Engine> | undefined;
  const abort = new AbortController();
  const open = (ctx: ProjectContext) => {
    opening = import("../command-engine.js").then(({ openCommandEngine }) =>
      openCommandEngine(io, ctx.target, ctx.project.dir, {
        runId: ctx.runId,
        threads: args.threads ?? ctx.target.threads,
        // --debug: each retry (throttling, a retryable query failure) as a line on stderr.
        ...("debug" in args && args.debug === true
          ? { log: (line: string) => io.err(`debug: ${line}`) }
          : {}),
        warn: (message) => io.err(`warning: ${message}`),
        // Another build took the lease over (this one stalled past its expiry): stop like Ctrl-C.
        onLeaseLost: (error) => abort.abort(error),
      }),
    );
    opening.catch(() => undefined);
  };
  // --warn-error: the warnings the load and the selection print are counted, and refuse the run.
  let warnings = 0;
  const loadIo: Io =
    args.warnError === true ? { ...io, onWarning: () => void (warnings += 1) } : io;
  // `sluice test` on Athena opens the engine once the selection is known: unit tests alone
  // need no warehouse. Elsewhere it opens while the selection is applied.
  // With --select and without --state (which compares whole nodes), the nodes not selected stay
  // fact nodes: at 10,000 models a one-model build read 30,000 nodes from the compile memo (see
  // fact-nodes.ts). Without --select every node runs: each is read whole, from the memo at once.
  const selection = await loadSelection(
    args,
    loadIo,
    (ctx) => {
      if (command !== "test" || ctx.target.engine !== "athena") open(ctx);
    },
    {
      factsOnly: args.state === undefined && (args.select ?? []).length > 0,
      wholeSelected: true,
    },
  );
  const { onlyUnitTests } = await import("@sluice/runner");
  if (selection && onlyUnitTests(selection.ctx.compiled, selection.ids)) {
    await opening?.then(
      (e) => e.close(),
      () => undefined,
    );
    return runUnitTestsAlone(command, args, io, selection.ctx, selection.ids);
  }
  if (selection && !opening) open(selection.ctx);
  if (!selection || !opening) {
    await opening?.then(
      (e) => e.close(),
      () => undefined,
    );
    return ExitCode.usage;
  }
  if (warnings > 0) {
    io.err(
      `error: --warn-error: ${warnings === 1 ? "the warning above is an error" : `the ${warnings} warnings above are errors`}; nothing was run`,
    );
    await opening.then(
      (e) => e.close(),
      () => undefined,
    );
    return ExitCode.usage;
  }
  const { ctx, ids } = selection;
  // The nodes as the compile made them (its run id put in), before --defer replaces any.
  const asCompiled = ctx.compiled.nodes;
  // --defer: the state's relations, also in what models that read the warehouse render at run time.
  let deferRename: ((sql: string) => string) | undefined;
  if (args.defer === true && selection.state) {
    // dbt's --defer looks at this target's relations: the engine must be open first.
    const { deferSelection, missingDeferredMessage } = await import("./defer-to-state.js");
    const favorState = args.favorState === true;
    const deferral = await deferSelection(ctx, ids, selection.state, await opening, favorState);
    if (deferral.missing.length > 0) {
      io.err(`error: ${missingDeferredMessage(deferral.missing)}`);
      await (await opening).close();
      return ExitCode.usage;
    }
    deferRename = deferral.rename;
    if (deferral.kept.length > 0) {
      const names = deferral.kept.map((id) => id.replace(/^\w+\./, ""));
      const shown = names.length > 5 ? [...names.slice(0, 5), `${names.length - 5} more`] : names;
      io.err(
        `note: --defer reads ${shown.join(", ")} from this target, where they exist (--favor-state reads the state's)`,
      );
    }
  }
  const chosen = new Set(ids);
  const noSnapshot =
    command === "snapshot" &&
    !ctx.compiled.nodes.some((n) => n.kind === "snapshot" && chosen.has(n.id));
  if (noSnapshot)
    io.err(
      "warning: nothing to snapshot: no snapshot is selected (dbt projects define them as {% snapshot %} blocks or YAML snapshots under snapshot-paths)",
    );
  // Nothing selected (the selection warned why): run nothing and keep the last run_results.json.
  if (ids.length === 0 || noSnapshot)
    return opening
      .then(
        (e) => e.close(),
        () => undefined,
      )
      .then(() => ExitCode.ok);

  if (command === "build" || command === "run" || command === "snapshot") {
    const { checkAthenaSyntax } = await import("./athena-check.js");
    const problems = await checkAthenaSyntax(ctx, ids, args, io, { otherTargets: true });
    if (problems.some((d) => d.severity === "error")) {
      await opening.then(
        (e) => e.close(),
        () => undefined,
      );
      return ExitCode.usage;
    }
  }
  const {
    runProject,
    settleRunFiles,
    writeCompiledArtifacts,
    writeExecutedPlan,
    writeExecutedStatements,
  } = await import("@sluice/runner");
  const { progressPrinter } = await import("../output/progress.js");
  const { jsonLogger } = await import("../output/log-events.js");
  const log = args.logFormat === "json" ? jsonLogger(io) : undefined;
  // The nodes this command builds write their target/run files as they run (see onStatements).
  const runWrites = new Set(
    command === "test"
      ? []
      : ctx.compiled.nodes.filter((n) => n.kind !== "test" && chosen.has(n.id)).map((n) => n.id),
  );
  const wrote = { ran: new Set<string>(), planned: new Set<string>() };
  const [artifacts, opened] = await Promise.allSettled([
    writeCompiledArtifacts(ctx.targetDir, ctx.compiled, chosen, {
      project: ctx.project,
      invocationId: ctx.runId,
      generatedAt: new Date(),
      build: buildId(),
      ...(ctx.cacheHeader === undefined ? {} : { compileKey: ctx.cacheHeader }),
      runWrites,
      // The state records each node's digest, of the very node written: no memo digest, which
      // describes the node with the compile's run id. The compile's placeless digests are the
      // same for this run's nodes, but for those --defer replaced (see `digestsByNode`).
      recordDigests: true,
      ...compiledPlaceless(ctx, asCompiled),
      asCompiled: ctx.compiled.nodes === asCompiled,
    }),
    opening,
  ]);
  if (opened.status === "rejected") throw opened.reason;
  const engine = opened.value;
  if (artifacts.status === "rejected") {
    await engine.close();
    throw artifacts.reason;
  }
  const renderAtRun = await renderAtRunFor(ctx, args, deferRename);
  const onInterrupt = (): void => abort.abort(io.signal?.reason);
  io.signal?.addEventListener("abort", onInterrupt, { once: true });
  // --timeout stops running queries the same way Ctrl-C does (Athena: StopQueryExecution).
  const timer = args.timeout
    ? setTimeout(
        () => abort.abort(new Error(`timed out after ${args.timeout}s (--timeout)`)),
        args.timeout * 1000,
      )
    : undefined;
  let results: RunResults;
  let samples = new Map<string, Record<string, unknown>[]>();
  const unitTestMemo = await unitTestMemoFor(ctx, args);
  let closing: Promise<void> | undefined;
  let ran = false;
  try {
    results = await runProject({
      command,
      compiled: ctx.compiled,
      selected: ids,
      engine,
      dialect: ctx.dialect,
      runId: ctx.runId,
      fullRefresh: args.fullRefresh ?? false,
      ...(args.scope ? { scope: args.scope } : {}),
      threads: args.threads ?? ctx.target.threads,
      signal: abort.signal,
      ...(args.onQuarantine ? { onQuarantine: args.onQuarantine } : {}),
      sqlDialect: ctx.target.engine === "duckdb" ? (ctx.target.sql_dialect ?? "trino") : "trino",
      failFast: args.failFast === true,
      warnError: args.warnError === true,
      onEvent: log ? log.onEvent : args.format === "json" ? undefined : progressPrinter(io),
      // target/run shows what ran, not only what was planned before the catalog was read.
      onStatements: async (node, statements) => {
        await writeExecutedStatements(ctx.targetDir, node, statements);
        if (statements.length > 0) wrote.ran.add(node.id);
      },
      onPlan: async (node, ran) => {
        await writeExecutedPlan(ctx.targetDir, node, ran);
        wrote.planned.add(node.id);
      },
      ...(renderAtRun ? { renderAtRun } : {}),
      unitTestMemo,
    });
    await unitTestMemo.memo.save();
    // CI reports show failing rows: read while the engine is open.
    if (ciReports(args) && !abort.signal.aborted) {
      const { failingSamples } = await import("../ci/failing-samples.js");
      const nodes = new Map(ctx.compiled.nodes.map((n) => [n.id, n]));
      samples = await failingSamples(results.results, nodes, engine, ctx.dialect);
    }
    ran = true;
  } finally {
    io.signal?.removeEventListener("abort", onInterrupt);
    clearTimeout(timer);
    // The engine closes (the lake's checkpoint, in DuckDB's thread) while the run's files are
    // settled and its results written; a failed run waits for it first.
    closing = engine.close();
    // Awaited below; handled now, so a failure meanwhile is not an unhandled rejection.
    closing.catch(() => undefined);
    if (!ran) await closing;
    settleRunFiles(ctx.targetDir, ctx.compiled, chosen, runWrites, wrote);
  }
  try {
    return await finishRun(args, io, results, ctx, log, { samples, runPaths: artifacts.value });
  } finally {
    await closing;
    if ("debug" in args && args.debug === true) await debugFactNodes(io);
  }
}

/** --debug: how many nodes this command revived from their facts, and read whole of them. */
async function debugFactNodes(io: Io): Promise<void> {
  const { factNodeCounts } = await import("../fact-nodes.js");
  const { made, materialized } = factNodeCounts();
  io.err(`debug: ${made} nodes revived from their facts, ${materialized} of them read whole`);
}

/** `sluice test` of unit tests only: on the embedded database, no engine of the target opened. */
async function runUnitTestsAlone(
  command: RunCommand,
  args: RunArgs,
  io: Io,
  ctx: ProjectContext,
  ids: string[],
): Promise<number> {
  const { runUnitTestsOnly, writeCompiledArtifacts } = await import("@sluice/runner");
  const { progressPrinter } = await import("../output/progress.js");
  const { jsonLogger } = await import("../output/log-events.js");
  const log = args.logFormat === "json" ? jsonLogger(io) : undefined;
  const runPaths = await writeCompiledArtifacts(ctx.targetDir, ctx.compiled, new Set(ids), {
    project: ctx.project,
    invocationId: ctx.runId,
    generatedAt: new Date(),
    build: buildId(),
    ...(ctx.cacheHeader === undefined ? {} : { compileKey: ctx.cacheHeader }),
    ...compiledPlaceless(ctx, ctx.compiled.nodes),
    asCompiled: true,
  });
  const unitTestMemo = await unitTestMemoFor(ctx, args);
  const results = await runUnitTestsOnly({
    command,
    compiled: ctx.compiled,
    selected: ids,
    runId: ctx.runId,
    sqlDialect: ctx.target.engine === "duckdb" ? (ctx.target.sql_dialect ?? "trino") : "trino",
    onEvent: log ? log.onEvent : args.format === "json" ? undefined : progressPrinter(io),
    unitTestMemo,
  });
  await unitTestMemo.memo.save();
  return finishRun(args, io, results, ctx, log, { samples: new Map(), runPaths });
}

/**
 * The placeless digests the compile `ctx` revived recorded (see `digestsByNode`), for the
 * manifest's keys: a run keys its entries as `compile` does, without serializing the nodes.
 * `asCompiled`: the nodes as revived, before anything replaced some.
 */
function compiledPlaceless(
  ctx: ProjectContext,
  asCompiled: readonly CompiledNode[],
): { placeless?: ByNodeId } {
  const lines = compileDigestLines(ctx, asCompiled);
  return lines ? { placeless: digestsByNode(lines, asCompiled, ctx.compiled).placeless } : {};
}

/**
 * The unit-test passes kept in the target folder: reused unless `--no-unit-test-cache` or
 * `--full-refresh` (then every unit test runs, and its pass is kept for the next run).
 */
async function unitTestMemoFor(ctx: ProjectContext, args: RunArgs) {
  const { openUnitTestMemo } = await import("@sluice/runner");
  const reuse = args.unitTestCache !== false && args.fullRefresh !== true;
  return { memo: await openUnitTestMemo(ctx.targetDir, { reuse }), build: buildId() };
}

/** Write run_results.json, print the summary, and the exit code of a finished run. */
async function finishRun(
  args: RunArgs,
  io: Io,
  results: RunResults,
  ctx: ProjectContext,
  log: { finish(results: RunResults, file: string): void } | undefined,
  /** For CI reports: failing rows by test, and each node's target/run file. */
  reports: {
    samples: Map<string, Record<string, unknown>[]>;
    runPaths: (id: string) => string | undefined;
  },
): Promise<number> {
  const { writeRunResults } = await import("@sluice/runner");
  const { invocationArgs } = await import("../invocation-args.js");
  const file = await writeRunResults(ctx.targetDir, results, ctx.compiled, invocationArgs(args));
  if (log) log.finish(results, path.relative(process.cwd(), file));
  else if (args.format === "json") io.out(toSnakeJson(results));
  else {
    const { printRunSummary } = await import("../output/run-summary.js");
    const { failedNodeFiles } = await import("./failed-node-files.js");
    printRunSummary(io, results, file, failedNodeFiles(ctx));
  }
  let reported = true;
  if (ciReports(args)) {
    const { writeCiReports } = await import("../ci/ci-reports.js");
    reported = await writeCiReports(
      ctx,
      results,
      reports.samples,
      args.junitXml,
      reports.runPaths,
      io,
    );
  }
  // A node is skipped only for a failure upstream: it fails the run too.
  const failed = results.results.some((r) => ["error", "fail", "skipped"].includes(r.status));
  return failed || !reported ? ExitCode.failed : ExitCode.ok;
}
