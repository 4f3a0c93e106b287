import path from "node:path";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import type { SelectionArgs } from "./shared-options.js";
import { counted, duration } from "../output/words.js";
import { formatOption, selectionOptions } from "./shared-options.js";
import { athenaCheckOption } from "./athena-check-option.js";

interface CompileArgs extends SelectionArgs {
  format: "text" | "json";
  athenaCheck?: boolean;
}

/** `sluice compile`: render every model and statement for the target, offline, into target/. */
export const compileCommand: CommandSpec<CompileArgs> = {
  command: "compile",
  describe:
    "Render models and every statement for the target into target/compiled and target/run (no engine needed)",
  options: {
    ...selectionOptions,
    format: formatOption(["text", "json"], "text"),
    ...athenaCheckOption,
  },
  examples: [["$0 compile --target prod", "write the Athena statements to models/target/run/"]],
  handler: async (args, io) => {
    const started = performance.now();
    const { loadSelection } = await import("../selection.js");
    // No run: the statements keep the placeholder run id, so a compile with no change rewrites
    // nothing under target/ (a run writes the statements it executed, with its own id).
    const { RUN_ID_PLACEHOLDER } = await import("../compile-cache.js");
    const selection = await loadSelection(args, io, undefined, { runId: RUN_ID_PLACEHOLDER });
    if (!selection) return ExitCode.usage;
    const { ctx, ids } = selection;
    const { writeCompiledArtifacts } = await import("@sluice/runner");
    const chosen = new Set(ids);
    await writeCompiledArtifacts(ctx.targetDir, ctx.compiled, chosen, {
      project: ctx.project,
      invocationId: ctx.runId,
      generatedAt: new Date(),
    });
    // After writing: a failure names the line in target/compiled, which the user can open.
    const { checkAthenaSyntax } = await import("./athena-check.js");
    const problems = await checkAthenaSyntax(ctx, ids, args, io, { otherTargets: false });
    if (problems.some((d) => d.severity === "error")) return ExitCode.usage;
    if (args.format === "json") {
      io.out(
        JSON.stringify(
          { ...ctx.compiled, nodes: ctx.compiled.nodes.filter((n) => chosen.has(n.id)) },
          null,
          2,
        ),
      );
      return ExitCode.ok;
    }
    const nodes = ctx.compiled.nodes.filter((n) => chosen.has(n.id));
    const count = (kind: string): number => nodes.filter((n) => n.kind === kind).length;
    const statements = nodes.reduce(
      (s, n) => s + n.statements.length + (n.incrementalStatements?.length ?? 0),
      0,
    );
    io.out(
      `Compiled ${counted(count("model"), "model")}, ${counted(count("seed"), "seed")}, ${counted(count("source"), "source")} ` +
        `and ${counted(count("test"), "test")} (${counted(statements, "statement")}) for target '${ctx.targetName}' (${ctx.dialect.name}) ` +
        `in ${duration(performance.now() - started)}.`,
    );
    io.out(`Statements: ${path.relative(process.cwd(), path.join(ctx.targetDir, "run")) || "."}/`);
    return ExitCode.ok;
  },
};
