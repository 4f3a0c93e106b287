import type { CommandSpec } from "../command.js";
import type { CommandHead } from "./command-heads.js";
import { commandHeads as h } from "./command-heads.js";

/**
 * A command as the CLI registers it: its head, listed by `--help`, and its module, loaded only
 * when the command runs or shows its own help. Loading every command's module (and what each
 * imports at its top) cost each command ~30 ms of CPU before it started (#14).
 */
export interface LazyCommand extends CommandHead {
  load: () => Promise<CommandSpec<never>>;
}

type Spec = CommandSpec<never>;
const lazy = (head: CommandHead, load: () => Promise<unknown>): LazyCommand => ({
  ...head,
  load: load as () => Promise<Spec>,
});
const run = (name: "build" | "run" | "test" | "seed" | "snapshot") =>
  lazy(h[name], () => import("./run-commands.js").then((m) => m.runCommandSpec(name)));

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: readonly LazyCommand[] = [
  run("build"),
  run("run"),
  run("test"),
  run("seed"),
  lazy(h.retry, () => import("./retry.js").then((m) => m.retryCommand)),
  lazy(h.clone, () => import("./clone.js").then((m) => m.cloneCommand)),
  run("snapshot"),
  lazy(h.compile, () => import("./compile.js").then((m) => m.compileCommand)),
  lazy(h.ls, () => import("./ls.js").then((m) => m.lsCommand)),
  lazy(h.show, () => import("./show.js").then((m) => m.showCommand)),
  lazy(h.query, () => import("./query.js").then((m) => m.queryCommand)),
  lazy(h.docs, () => import("./docs.js").then((m) => m.docsCommand)),
  lazy(h.lineage, () => import("./lineage.js").then((m) => m.lineageCommand)),
  lazy(h.dashboard, () => import("./docs.js").then((m) => m.dashboardCommand)),
  lazy(h.tableau, () => import("./tableau.js").then((m) => m.tableauCommand)),
  lazy(h.generate, () => import("./generate.js").then((m) => m.generateCommand)),
  lazy(h.firehoseLocal, () => import("./firehose-local.js").then((m) => m.firehoseLocalCommand)),
  lazy(h.athenaLocal, () => import("./athena-local.js").then((m) => m.athenaLocalCommand)),
  lazy(h.sources, () => import("./sources.js").then((m) => m.sourcesCommand)),
  lazy(h.source, () => import("./source-freshness.js").then((m) => m.sourceFreshnessCommand)),
  lazy(h.debug, () => import("./debug.js").then((m) => m.debugCommand)),
  lazy(h.dq, () => import("./dq.js").then((m) => m.dqCommand)),
  lazy(h.deps, () => import("./deps.js").then((m) => m.depsCommand)),
  lazy(h.initTarget, () => import("./init-target.js").then((m) => m.initTargetCommand)),
];

/** A command's name: the first word of its command line (`query <sql>` -> `query`). */
export function commandName(command: CommandHead): string {
  return command.command.split(" ")[0]!;
}

/**
 * The specs of the commands `tokens` may run: those whose name is one of the tokens (before a
 * `--`). A token naming a command that is in fact an option's value (`--project-dir build ls`)
 * loads one module more, never one less: yargs runs a command only when its name is a token.
 */
export async function loadNamedCommands(
  tokens: readonly string[],
): Promise<Map<LazyCommand, Spec>> {
  const end = tokens.indexOf("--");
  const named = new Set(end < 0 ? tokens : tokens.slice(0, end));
  const wanted = commands.filter(
    (c) => named.has(commandName(c)) || c.aliases?.some((a) => named.has(a)),
  );
  const specs = await Promise.all(wanted.map((c) => c.load()));
  return new Map(wanted.map((c, i) => [c, specs[i]!]));
}
