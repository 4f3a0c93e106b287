import path from "node:path";
import type { CommandSpec, GlobalArgs, Io } from "../command.js";
import type { ProjectContext } from "../project-context.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { counted, duration } from "../output/words.js";
import { statementTotal } from "../fact-nodes.js";
import { compileDigestLines, digestsByNode } from "../compile-digests.js";
import { formatOption, selectionOptions } from "./shared-options.js";
import { athenaCheckOption } from "./athena-check-option.js";
import { commandHeads } from "./command-heads.js";

interface CompileArgs extends SelectionArgs {
  format: "text" | "json";
  inline?: string;
  athenaCheck?: boolean;
  artifacts: "auto" | "files" | "packed";
}

/** `sluice compile`: render every model and statement for the target, offline, into target/. */
export const compileCommand: CommandSpec<CompileArgs> = {
  ...commandHeads.compile,
  options: {
    ...selectionOptions,
    inline: {
      type: "string",
      describe:
        "Print this SQL compiled as a model of the project (refs, macros, vars), as dbt compile --inline; nothing is written",
    },
    format: formatOption(["text", "json"], "text"),
    ...athenaCheckOption,
    artifacts: {
      type: "string",
      choices: ["auto", "files", "packed"],
      default: "auto",
      describe:
        "Layout of target/compiled and target/run: a file per node (files), shards in target/packed (packed), or files up to 2,000 nodes (auto)",
    },
  },
  examples: [["$0 compile --target prod", "write the Athena statements to models/target/run/"]],
  handler: async (args, io) => {
    if (args.inline !== undefined) return compileInlineSql(args, args.inline, io);
    const started = performance.now();
    const targetDir = path.join(path.resolve(args.projectDir), "target");
    const replays = await import("../replay-cache.js");
    const { artifactsStamp } = await import("@sluice/runner/stamp");
    // The same compile of the same unchanged project, whose artifacts are still those it wrote.
    const replay =
      args.format === "text" ? replays.findReplay(targetDir, "compile", args, io) : undefined;
    if (replay && replay.stamp === artifactsStamp(targetDir)) {
      replay.err.forEach((text) => io.err(text));
      const [summary = "", ...rest] = replay.out;
      io.out(`${summary} in ${duration(performance.now() - started)}.`);
      rest.forEach((text) => io.out(text));
      return ExitCode.ok;
    }
    const recording = replays.recordingIo(io);
    const code = await compile(args, recording.io, started);
    if (args.format === "text") {
      const { ctx, out, wrote } = code;
      // A compile that read the warehouse depends on its data: never replayed.
      const saved =
        code.exit === ExitCode.ok && ctx?.cacheHeader !== undefined && !code.readWarehouse
          ? replays.replayKey("compile", args, io, ctx.cacheHeader)
          : undefined;
      replays.saveReplay(targetDir, "compile", saved, {
        err: recording.printed.err,
        out,
        stamp: artifactsStamp(targetDir),
        wrote,
        ...(saved === undefined ? {} : replays.gateOf("compile", args, ctx!.cacheHeader!)),
      });
    }
    return code.exit;
  },
};

/** Compile, write target/ and print; `out` is what was printed, the summary without its time. */
async function compile(
  args: CompileArgs & GlobalArgs,
  io: Io,
  started: number,
): Promise<{
  exit: number;
  ctx?: ProjectContext;
  out: string[];
  wrote?: string[];
  readWarehouse?: boolean;
}> {
  const { loadSelection } = await import("../selection.js");
  // No run: the statements keep the placeholder run id, so a compile with no change rewrites
  // nothing under target/ (a run writes the statements it executed, with its own id).
  const { RUN_ID_PLACEHOLDER, buildId } = await import("../compile-cache.js");
  // With no selector, state or JSON output, the nodes it does not render again after an edit are
  // revived as fact nodes (see fact-nodes.ts): what follows reads few members of the others (a
  // file per node reads every node's text: packed shards, only those of the shards it rebuilds).
  const factNodes =
    args.format === "text" &&
    [args.select, args.exclude].every((s) => s === undefined || s.length === 0) &&
    args.state === undefined &&
    args.artifacts !== "files";
  const selection = await loadSelection(args, io, undefined, {
    runId: RUN_ID_PLACEHOLDER,
    factNodes,
  });
  if (!selection) return { exit: ExitCode.usage, out: [] };
  const { ctx, ids } = selection;
  // Models that read the warehouse while rendering are shown as they will run (dbt's compile).
  const { compileWithWarehouse } = await import("../render-at-run.js");
  const readWarehouse = ctx.compiled.nodes.some((n) => n.renderAtRun && ids.includes(n.id));
  if (!(await compileWithWarehouse(ctx, args, ids, io))) return { exit: ExitCode.failed, out: [] };
  const { writeCompiledArtifacts, isPacked } = await import("@sluice/runner");
  const chosen = new Set(ids);
  const kept = compileDigestLines(ctx, ctx.compiled.nodes);
  // Each node's rootless digest, and its manifest key as a build of this compile takes it (see
  // `entryKeys`).
  const byNode = kept && digestsByNode(kept, ctx.compiled.nodes, ctx.compiled);
  // The compile's digests: this command's, else those kept for the compile it revived (the
  // packed shards are told unchanged by them, not rebuilt from 30,000 nodes).
  const digests = ctx.nodeDigests ?? byNode?.digest;
  await writeCompiledArtifacts(ctx.targetDir, ctx.compiled, chosen, {
    project: ctx.project,
    invocationId: ctx.runId,
    generatedAt: new Date(),
    build: buildId(),
    layout: args.artifacts,
    ...(digests ? { digests } : {}),
    recordDigests: true,
    ...(byNode ? { rootless: byNode.rootless, placeless: byNode.placeless } : {}),
    asCompiled: true,
    ...(ctx.cacheHeader === undefined
      ? {}
      : {
          fingerprint: `${ctx.cacheHeader}\n${ctx.runId}`,
          compileKey: ctx.cacheHeader,
          ...(ctx.sqlEdits === undefined
            ? {}
            : {
                edits: {
                  since: `${ctx.sqlEdits.since}\n${ctx.runId}`,
                  nodes: new Set(ctx.sqlEdits.nodes),
                },
              }),
        }),
  });
  // After writing: a failure names the line in target/compiled, which the user can open.
  const { checkAthenaSyntax } = await import("./athena-check.js");
  const problems = await checkAthenaSyntax(ctx, ids, args, io, { otherTargets: false });
  if (problems.some((d) => d.severity === "error")) return { exit: ExitCode.usage, out: [] };
  if (args.format === "json") {
    io.out(
      JSON.stringify(
        { ...ctx.compiled, nodes: ctx.compiled.nodes.filter((n) => chosen.has(n.id)) },
        null,
        2,
      ),
    );
    return { exit: ExitCode.ok, ctx, out: [] };
  }
  const nodes = ctx.compiled.nodes.filter((n) => chosen.has(n.id));
  const count = (kind: string): number => nodes.filter((n) => n.kind === kind).length;
  const statements = nodes.reduce((s, n) => s + statementTotal(n), 0);
  const summary =
    `Compiled ${counted(count("model"), "model")}, ${counted(count("seed"), "seed")}, ${counted(count("source"), "source")} ` +
    `and ${counted(count("test"), "test")} (${counted(statements, "statement")}) for target '${ctx.targetName}' (${ctx.dialect.name})`;
  io.out(`${summary} in ${duration(performance.now() - started)}.`);
  const packed = isPacked(args.artifacts, chosen.size) ? ["packed"] : [];
  const runDir = path.join(ctx.targetDir, ...packed, "run");
  const statementsLine = `Statements: ${path.relative(process.cwd(), runDir) || "."}/`;
  io.out(statementsLine);
  const wrote = [runDir, path.join(ctx.targetDir, ...packed, "compiled")];
  const out = [summary, statementsLine];
  // One node selected: its SQL, as dbt's compile prints it.
  const { namedNodes } = await import("../selection.js");
  const named = (args.select ?? []).length > 0 ? namedNodes(ctx, ids) : [];
  if (named.length === 1 && named[0]!.sql.trim() !== "") {
    const shown = `\nCompiled node '${named[0]!.name}' is:\n${named[0]!.sql.trim()}`;
    io.out(shown);
    out.push(shown);
  }
  return { exit: ExitCode.ok, ctx, out, wrote, readWarehouse };
}

/** `compile --inline`: the SQL compiled as a model of the project, printed (dbt's). */
async function compileInlineSql(
  args: CompileArgs & GlobalArgs,
  sql: string,
  io: Io,
): Promise<number> {
  const { inlineNode } = await import("../inline-sql.js");
  const inline = await inlineNode(args, sql, io);
  if (!inline) return ExitCode.usage;
  io.out(`Compiled inline node is:\n${inline.node.sql.trim()}`);
  return ExitCode.ok;
}
