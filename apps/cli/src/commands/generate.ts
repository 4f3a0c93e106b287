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
    // Records Firehose or Kinesis never took (refused, unreachable, out of retries) are lost
    // events: an error and exit 1, never a quiet "0 records accepted".
    const lost = undeliveredMessage(summary.output, parsed.options.stream);
    if (lost) io.err(lost);
    const ended =
      summary.stopped !== undefined ? ExitCode.interrupted : lost ? ExitCode.failed : ExitCode.ok;
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

/** What a Firehose or Kinesis delivery lost, as an error line with a fix; undefined when nothing. */
function undeliveredMessage(output: SinkReport, stream: string): string | undefined {
  const report = output.firehose ?? output.kinesis;
  if (!report || report.failed + report.rejected === 0) return undefined;
  const service = output.firehose ? "Firehose" : "Kinesis";
  const count = (n: number) => n.toLocaleString("en-US");
  const parts = [
    ...(report.failed > 0 ? [`${count(report.failed)} failed`] : []),
    ...(report.rejected > 0 ? [`${count(report.rejected)} over the record size limit`] : []),
  ];
  return (
    `error: ${count(report.failed + report.rejected)} of ${count(report.sent + report.failed + report.rejected)} records were not delivered to ${service} stream '${stream}' (${parts.join(", ")})` +
    (report.errors[0] ? `: ${report.errors[0]}` : "") +
    `\n  hint: check --endpoint-url, --region, the stream's name and AWS credentials, then generate the same window again (the same --seed gives the same events)`
  );
}

function describeOutput(output: SinkReport, lake: string): string {
  const report = output.firehose ?? output.kinesis;
  if (report) {
    const lost = report.failed + report.rejected;
    return (
      `${output.firehose ? "Firehose" : "Kinesis"}: ${output.records.toLocaleString("en-US")} records accepted` +
      (lost > 0 ? `, ${lost.toLocaleString("en-US")} not delivered` : "")
    );
  }
  return `${output.objects} objects (${(output.storedBytes / 1048576).toFixed(1)} MiB) under ${path.join(lake, "raw/events")}`;
}
