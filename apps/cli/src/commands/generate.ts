import path from "node:path";
import type { SinkReport } from "@sluice/generator";
import { generateCommandOptions } from "@sluice/generator/options";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { toSnakeJson } from "../output/json.js";
import { projectLake } from "./project-lake.js";
import { formatOption, toYargsOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

type GenerateArgs = Record<string, unknown> & { format: "text" | "json" };

/** `sluice generate`: simulated shop sessions into the raw zone (local lake, Firehose or Kinesis). */
export const generateCommand: CommandSpec<GenerateArgs> = {
  ...commandHeads.generate,
  options: {
    ...toYargsOptions(generateCommandOptions),
    format: formatOption(["text", "json"], "text"),
  },
  examples: [
    [
      "$0 generate --events 50000 --start 2026-11-27T00:00:00Z --hours 24 --seed 42",
      "one day of traffic into models/.lake/raw/events/",
    ],
  ],
  // Checked before the project is loaded for its lake (the lake is resolved later).
  check: async (args) => {
    const { parseGenerateArgs } = await import("@sluice/generator");
    const parsed = parseGenerateArgs({ ...args, lake: args["lake"] ?? "." });
    return parsed.ok ? undefined : parsed.errors.join("; ");
  },
  handler: async (args, io) => {
    const { generate, parseGenerateArgs } = await import("@sluice/generator");
    const lake = (args["lake"] as string | undefined) ?? (await projectLake(args));
    const parsed = parseGenerateArgs({ ...args, lake });
    if (!parsed.ok) {
      for (const e of parsed.errors) io.err(`error: ${e}`);
      return ExitCode.usage;
    }
    let lastHour = -1;
    io.catchTerm?.();
    const summary = await generate({
      ...parsed.options,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (p) => {
        if (args.format === "json" || p.hour === lastHour) return;
        lastHour = p.hour;
        if (io.isTty)
          io.err(
            `  hour ${p.hour + 1}/${p.hours}: ${p.events.toLocaleString("en-US")} of ${p.total.toLocaleString("en-US")} events`,
          );
      },
    });
    // Ctrl-C or SIGTERM: what was generated is delivered whole; the exit says it stopped.
    const ended = summary.stopped === undefined ? ExitCode.ok : ExitCode.interrupted;
    if (summary.stopped !== undefined)
      io.err(
        `generate stopped: ${summary.stopped}; the events generated until then were delivered`,
      );
    if (args.format === "json") {
      io.out(toSnakeJson(summary));
      return ended;
    }
    const injected = Object.entries(summary.chaos).filter(
      ([, n]) => typeof n === "number" && n > 0,
    );
    io.out(
      `Generated ${summary.events.toLocaleString("en-US")} events (${summary.sessions.toLocaleString("en-US")} sessions, ` +
        `${summary.orders.toLocaleString("en-US")} orders) from ${summary.start} over ${summary.hours} h ` +
        `in ${(summary.durationMs / 1000).toFixed(1)}s → ${describeOutput(summary.output, lake)}` +
        (injected.length
          ? `\nChaos injected: ${injected.map(([k, n]) => `${k} ${n}`).join(", ")}`
          : "") +
        (summary.notYetHappened > 0
          ? `\n${summary.notYetHappened.toLocaleString("en-US")} events of sessions still running ` +
            `after now were not generated (they would be in the future)`
          : ""),
    );
    return ended;
  },
};

function describeOutput(output: SinkReport, lake: string): string {
  if (output.firehose)
    return `Firehose: ${output.records.toLocaleString("en-US")} records accepted`;
  if (output.kinesis) return `Kinesis: ${output.records.toLocaleString("en-US")} records accepted`;
  return `${output.objects} objects (${(output.storedBytes / 1048576).toFixed(1)} MiB) under ${path.join(lake, "raw/events")}`;
}
