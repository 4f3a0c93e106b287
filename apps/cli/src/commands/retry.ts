import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RunCommand, SluiceResult } from "@sluice/runner";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import type { RunArgs } from "./run-commands.js";
import type { CloneArgs } from "./clone.js";
import { commandHeads } from "./command-heads.js";

/**
 * What `retry` runs again: nodes that errored or failed, and nodes skipped for a failure upstream
 * (a check skipped because it had nothing to look at did not fail, and is not retried).
 */
const retried = (r: SluiceResult): boolean =>
  r.status === "error" ||
  r.status === "fail" ||
  (r.status === "skipped" && r.skipped_because !== undefined);
const runCommands = new Set<string>(["build", "run", "test", "seed", "snapshot"]);
/** What retry repeats: the run commands, and clone (dbt's retry clones again what errored). */
const retriable = "a build, run, test, seed, snapshot or clone";

/**
 * `sluice retry`: run again the nodes of the last run_results.json that failed or were skipped,
 * with the flags that run had (its `args`), as dbt retry does.
 */
export const retryCommand: CommandSpec<Record<string, never>> = {
  ...commandHeads.retry,
  options: {},
  examples: [["$0 retry", "after a failed build: run only what failed and what it skipped"]],
  handler: async (args, io) => {
    const file = path.join(path.resolve(args.projectDir), "target", "run_results.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      io.err(
        `error RETRY_NOTHING_RECORDED: no ${path.relative(process.cwd(), file)}\n` +
          `  hint: retry repeats ${retriable} that ran before: run one first`,
      );
      return ExitCode.usage;
    }
    const { readSluiceRunResults } = await import("@sluice/runner");
    const last = readSluiceRunResults(JSON.parse(text));
    if (!runCommands.has(last.command) && last.command !== "clone") {
      io.err(`error RETRY_NOTHING_RECORDED: ${file} records no ${retriable.slice(2)}`);
      return ExitCode.usage;
    }
    const ids = last.results.filter(retried).map((r) => r.id);
    if (ids.length === 0) {
      io.out(
        `Nothing to retry: the last ${last.command} (${last.run_id}) had no failed or skipped node.`,
      );
      return ExitCode.ok;
    }
    const { argsFromInvocation } = await import("../invocation-args.js");
    io.err(`Retrying ${ids.length} node(s) of the last ${last.command} (${last.run_id}).`);
    const only = {
      exclude: [],
      select: ids,
      projectDir: args.projectDir,
      ...(args.target ? { target: args.target } : {}),
    };
    if (last.command === "clone") {
      const { cloneNodes } = await import("./clone.js");
      const flags = argsFromInvocation(last.args) as unknown as CloneArgs;
      return cloneNodes({ ...flags, ...only }, io);
    }
    const { runNodes } = await import("./run-commands.js");
    const flags = argsFromInvocation(last.args) as unknown as RunArgs;
    return runNodes(last.command as RunCommand, { ...flags, ...only, dryRun: false }, io);
  },
};
