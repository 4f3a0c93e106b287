import { readFile } from "node:fs/promises";
import type { CommandSpec, GlobalArgs, Io } from "../command.js";
import { ExitCode } from "../command.js";
import { printDiagnostics } from "../output/diagnostics.js";
import { formatOption } from "./shared-options.js";
import { commandHeads } from "./command-heads.js";

interface DqArgs {
  action: string;
  file?: string;
  format: "text" | "json";
}

/**
 * `sluice dq parse <file> [--format json]`: the AST of a DQDL file, or its syntax errors at
 * `file:line:column` (exit 2). `sluice dq publish`: one Glue Data Quality ruleset per table of the
 * target, created or updated only when it differs.
 */
export const dqCommand: CommandSpec<DqArgs> = {
  ...commandHeads.dq,
  positional: {
    action: { describe: "parse | publish", type: "string", demandOption: true },
    file: { describe: "The .dqdl file (parse)", type: "string" },
  },
  options: { format: formatOption(["text", "json"], "text") },
  examples: [
    ["$0 dq parse models/rules/events.dqdl --format json", "the rules of one file as JSON"],
  ],
  handler: async (args, io) => {
    if (args.action === "parse") return parseFile(args, io);
    if (args.action === "publish") return publish(args, io);
    io.err(`error: unknown dq action '${args.action}': use 'dq parse <file>' or 'dq publish'`);
    return ExitCode.usage;
  },
};

async function parseFile(args: DqArgs, io: Io): Promise<number> {
  if (!args.file) {
    io.err("dq parse needs a file: sluice dq parse rules/events.dqdl");
    return ExitCode.usage;
  }
  let text: string;
  try {
    text = await readFile(args.file, "utf8");
  } catch (err) {
    io.err(`cannot read ${args.file}: ${(err as Error).message}`);
    return ExitCode.usage;
  }
  const { parseDqdl, rulesetToJson } = await import("@sluice/dq");
  const { ruleset, diagnostics } = parseDqdl(text, args.file);
  if (!ruleset) {
    printDiagnostics(io, diagnostics);
    return ExitCode.usage;
  }
  if (args.format === "json") {
    io.out(JSON.stringify(rulesetToJson(ruleset), null, 2));
    return ExitCode.ok;
  }
  const { ruleTexts } = await import("./dq-text.js");
  for (const line of ruleTexts(ruleset)) io.out(line);
  return ExitCode.ok;
}

async function publish(args: DqArgs & GlobalArgs, io: Io): Promise<number> {
  const { loadProjectContext } = await import("../project-context.js");
  // Rules are published as written: rules the SQL compiler cannot evaluate still run in Glue.
  const ctx = await loadProjectContext(args, io, { dqRules: false });
  if (!ctx) return ExitCode.usage;
  if (ctx.target.engine !== "athena") {
    io.err(
      `dq publish needs an Athena target (Glue Data Quality); '${ctx.targetName}' is ${ctx.target.engine}. Try --target prod.`,
    );
    return ExitCode.usage;
  }
  const { bindRulesets, planRulesets } = await import("@sluice/runner");
  const bound = bindRulesets(ctx.project, ctx.compiled);
  const plan = planRulesets(ctx.project.config.name, bound.bound);
  const diagnostics = [...bound.diagnostics, ...plan.diagnostics];
  printDiagnostics(io, diagnostics, ctx.project.dir);
  if (diagnostics.some((d) => d.severity === "error")) return ExitCode.usage;
  for (const s of plan.skipped) io.err(`skipped ${s.file}: ${s.reason}`);

  try {
    const { publishDqRulesets } = await import("@sluice/engines");
    const changes = await publishDqRulesets(ctx.target, plan.rulesets);
    for (const c of changes)
      io.out(`${c.action.padEnd(9)} ${c.name} (${c.table})${c.message ? `: ${c.message}` : ""}`);
    const count = (a: string) => changes.filter((c) => c.action === a).length;
    io.out(
      `${count("created")} created, ${count("updated")} updated, ${count("unchanged")} unchanged, ${count("conflict")} conflicts.`,
    );
    return count("conflict") > 0 ? ExitCode.failed : ExitCode.ok;
  } catch (err) {
    io.err(
      `dq publish failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    return ExitCode.failed;
  }
}
