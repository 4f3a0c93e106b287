import path from "node:path";
import type { Engine } from "@sluice/engines";
import type { RunCommand, RunResults } from "@sluice/runner";
import type { CommandSpec, Io } from "../command.js";
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
  test: "Run the generic tests, singular tests and DQDL rules of the selected nodes",
  seed: "Load the CSV seeds into tables",
  snapshot:
    "Record the selected dbt snapshots: a new row version per changed source row (type-2 history with dbt_valid_from/dbt_valid_to)",
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
  test: [["$0 test --select sales_by_country", "the tests of one mart"]],
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
    command: name,
    describe: descriptions[name],
    options: {
      ...selectionOptions,
      ...(name === "test" || name === "snapshot"
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
  const selection = await loadSelection(args, io, (ctx) => {
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
  });
  if (!selection || !opening) {
    await opening?.then(
      (e) => e.close(),
      () => undefined,
    );
    return ExitCode.usage;
  }
  const { ctx, ids } = selection;
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
  const { runProject, writeCompiledArtifacts, writeExecutedStatements, writeRunResults } =
    await import("@sluice/runner");
  const { printRunSummary } = await import("../output/run-summary.js");
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
      onEvent: log ? log.onEvent : args.format === "json" ? undefined : progressPrinter(io),
      // target/run shows what ran, not only what was planned before the catalog was read.
      onStatements: (node, statements) => writeExecutedStatements(ctx.targetDir, node, statements),
    });
  } finally {
    io.signal?.removeEventListener("abort", onInterrupt);
    clearTimeout(timer);
    await engine.close();
  }
  const file = await writeRunResults(ctx.targetDir, results);
  if (log) log.finish(results, path.relative(process.cwd(), file));
  else if (args.format === "json") io.out(toSnakeJson(results));
  else {
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
