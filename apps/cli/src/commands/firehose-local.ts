import { firehoseLocalCommandOptions } from "@sluice/generator/options";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { projectLake } from "./project-lake.js";
import { toYargsOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

type FirehoseLocalArgs = Record<string, unknown>;

/**
 * `sluice firehose-local`: a Firehose and Kinesis Data Streams endpoint (JSON 1.1) on localhost;
 * delivery streams (and the one draining each Kinesis stream) buffer and write to the local raw
 * zone like Firehose writes to S3. Runs until Ctrl-C, then flushes.
 */
export const firehoseLocalCommand: CommandSpec<FirehoseLocalArgs> = {
  ...commandHeads.firehoseLocal,
  options: toYargsOptions(firehoseLocalCommandOptions),
  examples: [
    [
      "$0 firehose-local --port 0 --buffer-interval-seconds 5",
      "on a free port (printed); then: sluice generate ... --sink firehose|kinesis --endpoint-url <that url>",
      { untilCtrlC: true },
    ],
  ],
  handler: async (args, io) => {
    const { startFirehoseLocal } = await import("@sluice/generator");
    const options: Record<string, unknown> = {};
    for (const o of firehoseLocalCommandOptions) {
      const value =
        args[o.name] ?? args[o.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
      if (value !== undefined) options[o.key] = value;
    }
    const lakeDir = (options["lakeDir"] as string | undefined) ?? (await projectLake(args));
    const streams = String(options["streams"] ?? "sluice-events")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    const server = await startFirehoseLocal({ ...options, lakeDir, streams });
    // Ctrl-C caught before the URL is printed: a caller may stop us as soon as it reads it.
    io.catchInterrupt?.();
    io.err(
      `Firehose and Kinesis endpoint listening on ${server.url} (streams: ${streams.join(", ")}), delivering to ${lakeDir}/raw/events (Ctrl-C to stop)`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal) io.signal.addEventListener("abort", () => resolve(), { once: true });
      else process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    io.out(
      `Stopped. ${server.stats.accepted.toLocaleString("en-US")} records accepted in ${server.stats.calls} calls ` +
        `(${server.stats.failed} failed and ${server.stats.throttled} throttled on purpose); ${server.output.objects} objects written.`,
    );
    return ExitCode.ok;
  },
};
