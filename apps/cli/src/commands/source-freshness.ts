import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@sluice/runner/atomic-file";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, selectionOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";
import { openCommandEngine } from "../command-engine.js";

interface FreshnessArgs extends SelectionArgs {
  action: string;
  output?: string;
  format: "table" | "json";
}

const LABEL = { pass: "PASS", warn: "WARN", error: "ERROR", "runtime error": "ERROR" } as const;

/**
 * `sluice source freshness`: dbt's source freshness. Each selected source table with
 * `freshness:` is checked (see checkSourceFreshness); results go to `target/sources.json`
 * (dbt's v3 shape). Exit 1 when any is `error` or `runtime error`, as dbt.
 */
export const sourceFreshnessCommand: CommandSpec<FreshnessArgs> = {
  ...commandHeads.source,
  positional: { action: { describe: "freshness", type: "string", demandOption: true } },
  options: {
    ...selectionOptions,
    output: {
      alias: "o",
      type: "string",
      describe: "Where to write the results (default: <project>/target/sources.json)",
    },
    format: formatOption(["table", "json"]),
  },
  examples: [
    [
      "$0 source freshness",
      "the raw events' newest hour folder and file time against warn_after/error_after (no data read)",
    ],
    [
      "$0 source freshness --select source:raw.events --format json",
      "one source table, as sources.json's results",
    ],
  ],
  handler: async (args, io) => {
    if (args.action !== "freshness") {
      // `sluice sources register` is the other command: said when its action is given here.
      const other = args.action === "register" ? "; did you mean 'sluice sources register'?" : "";
      io.err(`error: unknown source action '${args.action}': use 'source freshness'${other}`);
      return ExitCode.usage;
    }
    const { loadSelection } = await import("../selection.js");
    const selection = await loadSelection(args, io);
    if (!selection) return ExitCode.usage;
    const { ctx, ids } = selection;
    const chosen = new Set(ids);
    const tables = ctx.project.sources.filter((t) =>
      chosen.has(`source.${t.sourceName}.${t.name}`),
    );
    const byId = new Map(ctx.compiled.nodes.map((n) => [n.id, n]));
    const targets = tables.flatMap((t) => {
      const node = byId.get(`source.${t.sourceName}.${t.name}`);
      return node && t.freshness ? [{ node, freshness: t.freshness }] : [];
    });
    const unset = tables.filter((t) => !t.freshness).map((t) => `${t.sourceName}.${t.name}`);
    if (unset.length > 0)
      io.err(
        `warning: no freshness: set for ${unset.join(", ")} (not checked; add freshness: {warn_after: {count: 12, period: hour}})`,
      );
    const { checkSourceFreshness, describeAge, sourcesJson } = await import("@sluice/runner");
    const started = performance.now();
    const generatedAt = new Date().toISOString();
    let results: Awaited<ReturnType<typeof checkSourceFreshness>> = [];
    if (targets.length > 0) {
      const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, {
        readOnly: true,
        snapshot: true,
      });
      try {
        results = await checkSourceFreshness(targets, engine, ctx.dialect);
      } finally {
        await engine.close();
      }
    }
    const file = path.resolve(args.output ?? path.join(ctx.targetDir, "sources.json"));
    const json = sourcesJson(results, {
      generatedAt,
      invocationId: ctx.runId,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
    await mkdir(path.dirname(file), { recursive: true });
    // Whole or not at all: `source_status:` selectors read it.
    await writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
    if (args.format === "json")
      io.out(JSON.stringify((json as { results: unknown }).results, null, 2));
    else {
      const limit = (t?: { count: number; period: string } | null) =>
        t ? `${t.count} ${t.period}${t.count === 1 ? "" : "s"}` : "never";
      for (const r of results) {
        const criteria = `warn after ${limit(r.criteria.warn_after)}, error after ${limit(r.criteria.error_after)}`;
        io.out(
          `${LABEL[r.status].padEnd(5)} ${r.unique_id.replace(/^source\./, "")}: ${r.message} (${criteria})`,
        );
      }
      const count = (s: string) => results.filter((r) => r.status === s).length;
      io.out(
        `\n${results.length} source table(s): ${count("pass")} pass, ${count("warn")} warn, ${count("error") + count("runtime error")} error` +
          (results.length > 0
            ? ` (oldest ${describeAge(Math.max(...results.map((r) => r.max_loaded_at_time_ago_in_s ?? 0)))})`
            : ""),
      );
      io.out(`Results: ${path.relative(process.cwd(), file)}`);
    }
    return results.some((r) => r.status === "error" || r.status === "runtime error")
      ? ExitCode.failed
      : ExitCode.ok;
  },
};
