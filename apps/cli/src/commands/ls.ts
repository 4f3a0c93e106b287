import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, selectionOptions } from "./shared-options.js";

interface LsArgs extends SelectionArgs {
  format: "table" | "json" | "name";
  resourceType?: string;
}

/** `sluice ls`: the selected nodes, in DAG order. */
export const lsCommand: CommandSpec<LsArgs> = {
  command: "ls",
  describe: "List the project's nodes (sources, seeds, models, tests) in DAG order",
  options: {
    ...selectionOptions,
    "resource-type": {
      type: "string",
      choices: ["source", "seed", "model", "snapshot", "test"],
      describe: "Only nodes of this kind",
    },
    format: formatOption(["table", "json", "name"]),
  },
  handler: async (args, io) => {
    const { loadSelection } = await import("../selection.js");
    // Output libraries (string-width, csv-stringify, picocolors) load when a command prints, not on every start.
    const { renderTable } = await import("../output/table.js");
    const selection = await loadSelection(args, io);
    if (!selection) return ExitCode.usage;
    const { ctx, ids } = selection;
    const chosen = new Set(ids);
    const nodes = ctx.compiled.nodes.filter(
      (n) => chosen.has(n.id) && (!args.resourceType || n.kind === args.resourceType),
    );
    if (args.format === "json") {
      io.out(
        JSON.stringify(
          nodes.map((n) => ({
            id: n.id,
            kind: n.kind,
            materialization: n.materialization,
            relation: n.relation,
            path: n.path,
            tags: n.tags,
            depends_on: n.dependsOn,
          })),
          null,
          2,
        ),
      );
    } else if (args.format === "name") {
      for (const n of nodes) io.out(n.id);
    } else {
      io.out(
        renderTable(
          ["id", "materialization", "relation", "path"],
          nodes.map((n) => [
            n.id,
            n.materialization,
            n.kind === "test" ? "" : `${n.relation.schema}.${n.relation.name}`,
            n.path,
          ]),
        ),
      );
    }
    return ExitCode.ok;
  },
};
