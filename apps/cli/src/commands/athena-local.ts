import { athenaLocalCommandOptions } from "@sluice/aws-local/options";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { toYargsOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

interface AthenaLocalArgs {
  dir: string;
  port: number;
  latencyMs?: number;
  "latency-ms"?: number;
  faults?: string;
}

/**
 * `sluice athena-local`: Athena, Glue and S3 on 127.0.0.1 (SQL run on DuckDB over the buckets
 * in --dir, tables as Glue says), for a target with `endpoint:`. Runs until Ctrl-C/SIGTERM.
 */
export const athenaLocalCommand: CommandSpec<AthenaLocalArgs> = {
  ...commandHeads.athenaLocal,
  options: toYargsOptions(athenaLocalCommandOptions),
  examples: [
    [
      "$0 athena-local --dir /tmp/aws --port 0",
      "on a free port (printed); then set endpoint: <that url> on an athena target",
      { untilCtrlC: true },
    ],
  ],
  handler: async (args, io) => {
    const text = args.faults ?? process.env["SLUICE_AWS_LOCAL_FAULTS"];
    let faults;
    try {
      faults = text === undefined || text === "" ? undefined : JSON.parse(text);
    } catch (error) {
      io.err(
        `--faults / SLUICE_AWS_LOCAL_FAULTS is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
      return ExitCode.usage;
    }
    const { startAthenaLocal } = await import("@sluice/aws-local");
    const local = await startAthenaLocal({
      dir: args.dir,
      port: args.port,
      latencyMs: args.latencyMs ?? args["latency-ms"] ?? 50,
      faults,
    });
    // Listen for the signals before printing the URL: a caller may stop us as soon as it reads it.
    io.catchInterrupt?.();
    const stop = new Promise<void>((resolve) => {
      if (io.signal) io.signal.addEventListener("abort", () => resolve(), { once: true });
      else process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    io.out(
      `Athena + Glue + S3 endpoint listening on ${local.url} (buckets in ${args.dir}; Ctrl-C to stop)`,
    );
    await stop;
    await local.close();
    io.out("Stopped.");
    return ExitCode.ok;
  },
};
