import path from "node:path";
import type { CommandSpec, GlobalArgs, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { formatOption, resourceTypeOptions, selectionOptions } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

interface LsArgs extends SelectionArgs {
  format: "table" | "json" | "name" | "path";
}

/** `sluice ls`: the selected nodes, in DAG order. */
export const lsCommand: CommandSpec<LsArgs> = {
  ...commandHeads.ls,
  options: {
    ...selectionOptions,
    ...resourceTypeOptions,
    // dbt ls spells it --output (json, name, path).
    format: {
      ...formatOption(["table", "json", "name", "path"]),
      alias: "output",
      describe: "Output format (--output as dbt ls: name prints ids, path the files)",
    },
  },
  examples: [
    ["$0 ls --resource-type unit_test", "every unit test (unit_test.<model>.<name>)"],
    ["$0 ls --select test_type:unit --format name", "the same, selected with a selector"],
  ],
  handler: async (args, io) => {
    const replays = await import("../replay-cache.js");
    const targetDir = path.join(path.resolve(args.projectDir), "target");
    const replay = replays.findReplay(targetDir, "ls", args, io);
    if (replay) {
      replay.err.forEach((text) => io.err(text));
      replay.out.forEach((text) => io.out(text));
      return ExitCode.ok;
    }
    const recording = replays.recordingIo(io);
    const ctx = await list(args, recording.io);
    const saved = ctx?.cacheHeader && replays.replayKey("ls", args, io, ctx.cacheHeader);
    replays.saveReplay(targetDir, "ls", saved || undefined, {
      ...recording.printed,
      ...(saved ? replays.gateOf("ls", args, ctx.cacheHeader!) : {}),
    });
    return ctx ? ExitCode.ok : ExitCode.usage;
  },
};

/** List the selection; its context, or undefined (after printing why) on a user error. */
async function list(args: LsArgs & GlobalArgs, io: Io): Promise<ProjectContext | undefined> {
  const { loadSelection } = await import("../selection.js");
  // Output libraries (string-width, csv-stringify, picocolors) load when a command prints, not on every start.
  const { renderTable } = await import("../output/table.js");
  const { resourceType } = await import("@sluice/compiler/select");
  // Nothing listed holds the run id (a table's version folder, the statements): the compile's
  // placeholder is kept, so no node's text is rewritten with a new one before it is parsed.
  const { RUN_ID_PLACEHOLDER } = await import("../compile-cache.js");
  // What it prints and what selectors read are the nodes' facts (see fact-nodes.ts): the compile
  // memo is not read (at 10,000 models, 51 MB). State selectors compare whole nodes.
  const selection = await loadSelection(args, io, undefined, {
    runId: RUN_ID_PLACEHOLDER,
    factsOnly: args.state === undefined,
  });
  if (!selection) return undefined;
  const { ctx, ids } = selection;
  const chosen = new Set(ids);
  const nodes = ctx.compiled.nodes.filter((n) => chosen.has(n.id));
  if (args.format === "json") {
    io.out(
      JSON.stringify(
        nodes.map((n) => ({
          id: n.id,
          kind: n.kind,
          resource_type: resourceType(n),
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
  } else if (args.format === "path") {
    // A file defines several nodes (a properties file's tests and sources): listed once.
    for (const p of new Set(nodes.map((n) => n.path))) io.out(p);
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
  return ctx;
}
