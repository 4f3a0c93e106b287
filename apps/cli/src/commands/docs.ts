import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { commandHeads } from "./command-heads.js";

interface DocsArgs {
  action: string;
  port: number;
}

/** A TCP port (0: the system picks a free one). */
const PORT_RULE = { min: 0, max: 65535, integer: true };

const portOption = {
  port: { type: "number", default: 8080, describe: "Port on 127.0.0.1 (0: a free one)" },
} as const;

/**
 * `sluice docs generate`: the docs site in `<project>/target/docs/` (works from file://), the
 * column lineage in `target/lineage.json` and the Tableau data sources. `sluice docs serve`:
 * generate, then serve the site on loopback.
 */
export const docsCommand: CommandSpec<DocsArgs> = {
  ...commandHeads.docs,
  positional: { action: { describe: "generate | serve", type: "string", demandOption: true } },
  options: portOption,
  numbers: { port: PORT_RULE },
  examples: [
    ["$0 docs generate", "target/docs/index.html (open it from disk), target/lineage.json"],
    ["$0 docs serve --port 0", "generate, then serve on a free port", { untilCtrlC: true }],
  ],
  handler: async (args, io) => {
    if (args.action !== "generate" && args.action !== "serve") {
      io.err(`error: unknown docs action '${args.action}': use 'docs generate' or 'docs serve'`);
      return ExitCode.usage;
    }
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const [{ generateDocs, readTarget }, { writeTableau }] = await Promise.all([
      import("../docs-site.js"),
      import("./tableau.js"),
    ]);
    const started = performance.now();
    const reading = await readTarget(ctx, io, { catalog: true, marts: true });
    const data = await generateDocs(ctx, reading);
    const tableau = await writeTableau(ctx, io, "prod", reading.catalog);
    const { stats } = data.lineage;
    const path = await import("node:path");
    const dir = path.join(ctx.targetDir, "docs");
    io.err(
      `Docs: ${path.relative(process.cwd(), path.join(dir, "index.html"))} (${data.nodes.length} nodes; ` +
        `column lineage ${stats.resolved} of ${stats.columns} resolved, ${stats.unknown} unknown; ` +
        `${tableau} Tableau data sources) in ${Math.round(performance.now() - started)} ms`,
    );
    if (args.action === "generate") return ExitCode.ok;
    const { serveUntilStopped } = await import("../static-server.js");
    await serveUntilStopped(dir, args.port, "Docs", io);
    return ExitCode.ok;
  },
};

/** `sluice dashboard`: the seed's dashboard alone, from the marts on the target, served. */
export const dashboardCommand: CommandSpec<{ port: number }> = {
  ...commandHeads.dashboard,
  options: portOption,
  numbers: { port: PORT_RULE },
  examples: [["$0 dashboard --port 0", "on a free port (printed)", { untilCtrlC: true }]],
  handler: async (args, io) => {
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const { generateDashboard } = await import("../docs-site.js");
    const dir = await generateDashboard(ctx, io);
    const { serveUntilStopped } = await import("../static-server.js");
    await serveUntilStopped(dir, args.port, "Dashboard", io, "dashboard.html");
    return ExitCode.ok;
  },
};
