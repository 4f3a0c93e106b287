import type { CommandSpec } from "../command.js";
import { compileCommand } from "./compile.js";
import { generateCommand } from "./generate.js";
import { lsCommand } from "./ls.js";
import { queryCommand } from "./query.js";
import { runCommandSpec } from "./run-commands.js";

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: CommandSpec<never>[] = [
  runCommandSpec("build"),
  runCommandSpec("run"),
  runCommandSpec("test"),
  runCommandSpec("seed"),
  compileCommand,
  lsCommand,
  queryCommand,
  generateCommand,
] as unknown as CommandSpec<never>[];
