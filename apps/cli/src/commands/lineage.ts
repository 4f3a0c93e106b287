import path from "node:path";
import { writeFileAtomic } from "@sluice/runner/atomic-file";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { formatOption } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

interface LineageArgs {
  column: string;
  upstream?: boolean;
  downstream?: boolean;
  format: "text" | "json";
}

/**
 * `sluice lineage <model>.<column> [--upstream|--downstream]`: where a column comes from and what
 * is computed from it, from the compiled SQL (also written to target/lineage.json).
 */
export const lineageCommand: CommandSpec<LineageArgs> = {
  ...commandHeads.lineage,
  positional: {
    column: {
      describe: "schema.model.column or model.column (sources: raw.events.line)",
      type: "string",
      demandOption: true,
    },
  },
  options: {
    upstream: { type: "boolean", describe: "Only what it is computed from" },
    downstream: { type: "boolean", describe: "Only what is computed from it" },
    format: formatOption(["text", "json"], "text"),
  },
  examples: [
    ["$0 lineage marts.sales_by_country.revenue --upstream", "back to raw.events.line"],
    ["$0 lineage raw.events.line --downstream", "every column computed from the raw line"],
  ],
  handler: async (args, io) => {
    const { loadProjectContext } = await import("../project-context.js");
    const ctx = await loadProjectContext(args, io);
    if (!ctx) return ExitCode.usage;
    const [{ lineageOf }, { traceColumn }, { closestHint }] = await Promise.all([
      import("../docs-site.js"),
      import("@sluice/lineage"),
      import("@sluice/project"),
    ]);
    const graph = await lineageOf(ctx, {});
    await writeFileAtomic(
      path.join(ctx.targetDir, "lineage.json"),
      `${JSON.stringify(graph, null, 2)}\n`,
    );
    const nodes = ctx.compiled.nodes.filter((n) => n.kind !== "test");
    const named = (name: string) =>
      nodes.find(
        (n) =>
          n.id === name ||
          `${n.schema}.${n.name}` === name ||
          `${n.relation.schema}.${n.relation.name}` === name ||
          n.name === name,
      );
    // `<model>.<column>`; a model alone (`funnel`, `marts.funnel`) names no column: it was read
    // as model 'funne' or 'marts'.
    const dot = args.column.lastIndexOf(".");
    const whole = named(args.column);
    const [nodeName, column] =
      dot < 0 || whole
        ? [args.column, ""]
        : [args.column.slice(0, dot), args.column.slice(dot + 1).toLowerCase()];
    const node = whole ?? named(nodeName);
    const known = (id: string) =>
      graph.nodes[id]?.columns.map((c) => c.column) ??
      ctx.compiled.nodes.find((n) => n.id === id)?.columns.map((c) => c.name.toLowerCase()) ??
      [];
    if (!node) {
      const hint = closestHint(
        nodeName,
        nodes.map((n) => `${n.schema}.${n.name}`),
      );
      io.err(
        `lineage: no model, seed or source '${nodeName}' (give <model>.<column>)${hint ? `; ${hint}` : ""}`,
      );
      return ExitCode.usage;
    }
    if (!known(node.id).includes(column)) {
      const columns = known(node.id);
      const listed = `its columns: ${columns.slice(0, 8).join(", ")}${columns.length > 8 ? `, ... (${columns.length})` : ""}`;
      const hint = column === "" ? undefined : closestHint(column, columns);
      io.err(
        column === ""
          ? `lineage: name a column of ${node.id}: ${nodeName}.<column> (${listed})`
          : `lineage: ${node.id} has no column '${column}'; ${hint ?? listed}`,
      );
      return ExitCode.usage;
    }
    const start = { node: node.id, column };
    const both = !args.upstream && !args.downstream;
    const directions = [
      ...(args.upstream || both ? (["upstream"] as const) : []),
      ...(args.downstream || both ? (["downstream"] as const) : []),
    ];
    const traces = directions.map((d) => [d, traceColumn(graph, start, d)] as const);
    if (args.format === "json") {
      io.out(JSON.stringify(Object.fromEntries(traces), null, 2));
      return ExitCode.ok;
    }
    const own = graph.nodes[node.id]?.columns.find((c) => c.column === column);
    io.out(
      `${node.id}.${column}${own ? ` (${own.transform}${own.reason ? `: ${own.reason}` : ""})` : ""}`,
    );
    for (const [direction, steps] of traces) {
      io.out(`${direction}:`);
      if (steps.length === 0) io.out("  (none)");
      const arrow = direction === "upstream" ? "<-" : "->";
      for (const s of steps)
        io.out(
          `${"  ".repeat(s.depth)}${arrow} ${s.column.node}.${s.column.column} (${s.transform}, via ${s.via.column})`,
        );
    }
    return ExitCode.ok;
  },
};
