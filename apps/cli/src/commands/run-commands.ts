import path from "node:path";
import type { Engine } from "@sluice/engines";
import type { RunCommand, RunResults } from "@sluice/runner";
import type { CommandSpec, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { ExitCode } from "../command.js";
import { toSnakeJson } from "../output/json.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, selectionOptions } from "./shared-options.js";
import { athenaCheckOption } from "./athena-check-option.js";

interface RunArgs extends SelectionArgs {
  fullRefresh?: boolean;
  threads?: number;
  timeout?: number;
  onQuarantine?: "warn" | "fail";
  scope?: "incremental" | "full";
  format: "table" | "json";
  logFormat: "text" | "json";
  athenaCheck?: boolean;
  dryRun?: boolean;
}

const descriptions: Record<RunCommand, string> = {
  build: "Seed, run and test everything selected, in DAG order; a failure skips what depends on it",
  run: "Build the selected models (and register sources)",
  test: "Run the generic tests, singular tests, DQDL rules and unit tests of the selected nodes",
  seed: "Load the CSV seeds into tables",
};

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
  ],
  run: [
    ["$0 run --select +sales_by_country", "run one mart and everything upstream"],
    ["$0 run --dry-run --format json", "every model's plan, as data"],
  ],
  test: [
    ["$0 test --select sales_by_country", "the tests of one mart"],
    [
      "$0 test --select test_type:unit",
      "only the unit tests: models on mock rows, on an embedded DuckDB, no warehouse needed",
    ],
  ],
  seed: [["$0 seed --select country_codes", "load one seed"]],
};

/** `sluice build|run|test|seed`: one implementation, the command decides which node kinds run. */
export function runCommandSpec(name: RunCommand): CommandSpec<RunArgs> {
  return {
    command: name,
    describe: descriptions[name],
    options: {
      ...selectionOptions,
      ...(name === "test"
        ? {}
        : {
            "full-refresh": {
              type: "boolean",
              default: false,
              describe: "Rebuild incremental models from scratch",
            },
          }),
      threads: { type: "number", describe: "Nodes to run at once (default: the target's threads)" },
      timeout: {
        type: "number",
        describe: "Stop running queries and fail after this many seconds",
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
            scope: {
              type: "string",
              choices: ["incremental", "full"],
              describe:
                "What tests and DQDL rules check: incremental (default) reads what this run wrote or read where the check allows (per-row checks: the partitions written, the raw hours read; unique: the new keys against the whole table), full reads every table whole (the default with --full-refresh). Every result states its scope",
            },
          }
        : {}),
      ...(name === "test" || name === "seed"
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
      ...(name === "build" || name === "run"
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
        : undefined,
    handler: async (args, io) =>
      args.dryRun === true
        ? (await import("./dry-run.js")).dryRun(name, args, io)
        : runNodes(name, args, io),
  };
}

async function runNodes(
  command: RunCommand,
  args: RunArgs & { projectDir: string; target?: string; vars?: string },
  io: Io,
): Promise<number> {
  const { loadSelection } = await import("../selection.js");
  // The engine starts opening as soon as the target is known: DuckDB loads its catalog off the
  // main thread while the selection is applied and the compiled SQL written.
  let opening: Promise<Engine> | undefined;
  const abort = new AbortController();
  const open = (ctx: ProjectContext) => {
    opening = import("@sluice/engines").then(({ openEngine }) =>
      openEngine(ctx.target, ctx.project.dir, {
        runId: ctx.runId,
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
  // `sluice test` on Athena opens the engine once the selection is known: unit tests alone
  // need no warehouse. Elsewhere it opens while the selection is applied.
  const selection = await loadSelection(args, io, (ctx) => {
    if (command !== "test" || ctx.target.engine !== "athena") open(ctx);
  });
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
  const { ctx, ids } = selection;
  // Nothing selected (the selection warned why): run nothing and keep the last run_results.json.
  if (ids.length === 0)
    return opening
      .then(
        (e) => e.close(),
        () => undefined,
      )
      .then(() => ExitCode.ok);

  if (command === "build" || command === "run") {
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
  const { runProject, writeCompiledArtifacts, writeExecutedStatements } =
    await import("@sluice/runner");
  const { progressPrinter } = await import("../output/progress.js");
  const { jsonLogger } = await import("../output/log-events.js");
  const log = args.logFormat === "json" ? jsonLogger(io) : undefined;
  const [artifacts, opened] = await Promise.allSettled([
    writeCompiledArtifacts(ctx.targetDir, ctx.compiled, new Set(ids)),
    opening,
  ]);
  if (opened.status === "rejected") throw opened.reason;
  const engine = opened.value;
  if (artifacts.status === "rejected") {
    await engine.close();
    throw artifacts.reason;
  }
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
      onEvent: log ? log.onEvent : args.format === "json" ? undefined : progressPrinter(io),
      // target/run shows what ran, not only what was planned before the catalog was read.
      onStatements: (node, statements) => writeExecutedStatements(ctx.targetDir, node, statements),
    });
  } finally {
    io.signal?.removeEventListener("abort", onInterrupt);
    clearTimeout(timer);
    await engine.close();
  }
  return finishRun(args, io, results, ctx, log);
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
  await writeCompiledArtifacts(ctx.targetDir, ctx.compiled, new Set(ids));
  const results = await runUnitTestsOnly({
    command,
    compiled: ctx.compiled,
    selected: ids,
    runId: ctx.runId,
    sqlDialect: ctx.target.engine === "duckdb" ? (ctx.target.sql_dialect ?? "trino") : "trino",
    onEvent: log ? log.onEvent : args.format === "json" ? undefined : progressPrinter(io),
  });
  return finishRun(args, io, results, ctx, log);
}

/** Write run_results.json, print the summary, and the exit code of a finished run. */
async function finishRun(
  args: RunArgs,
  io: Io,
  results: RunResults,
  ctx: ProjectContext,
  log: { finish(results: RunResults, file: string): void } | undefined,
): Promise<number> {
  const { writeRunResults } = await import("@sluice/runner");
  const file = await writeRunResults(ctx.targetDir, results);
  if (log) log.finish(results, path.relative(process.cwd(), file));
  else if (args.format === "json") io.out(toSnakeJson(results));
  else {
    const { printRunSummary } = await import("../output/run-summary.js");
    const { failedNodeFiles } = await import("./failed-node-files.js");
    printRunSummary(io, results, file, failedNodeFiles(ctx));
  }
  // Skipped for a failure upstream fails the run; skipped with nothing to check does not.
  const failed = results.results.some(
    (r) =>
      r.status === "error" ||
      r.status === "fail" ||
      (r.status === "skipped" && r.skippedBecause !== undefined),
  );
  return failed ? ExitCode.failed : ExitCode.ok;
}
