import type { CommandSpec } from "../command.js";
import { athenaLocalCommand } from "./athena-local.js";
import { cloneCommand } from "./clone.js";
import { compileCommand } from "./compile.js";
import { debugCommand } from "./debug.js";
import { depsCommand } from "./deps.js";
import { dashboardCommand, docsCommand } from "./docs.js";
import { dqCommand } from "./dq.js";
import { firehoseLocalCommand } from "./firehose-local.js";
import { generateCommand } from "./generate.js";
import { initTargetCommand } from "./init-target.js";
import { lineageCommand } from "./lineage.js";
import { lsCommand } from "./ls.js";
import { queryCommand } from "./query.js";
import { retryCommand } from "./retry.js";
import { runCommandSpec } from "./run-commands.js";
import { sourcesCommand } from "./sources.js";
import { sourceFreshnessCommand } from "./source-freshness.js";
import { tableauCommand } from "./tableau.js";

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: CommandSpec<never>[] = [
  runCommandSpec("build"),
  runCommandSpec("run"),
  runCommandSpec("test"),
  runCommandSpec("seed"),
  retryCommand,
  cloneCommand,
  runCommandSpec("snapshot"),
  compileCommand,
  lsCommand,
  queryCommand,
  docsCommand,
  lineageCommand,
  dashboardCommand,
  tableauCommand,
  generateCommand,
  firehoseLocalCommand,
  athenaLocalCommand,
  sourcesCommand,
  sourceFreshnessCommand,
  debugCommand,
  dqCommand,
  depsCommand,
  initTargetCommand,
] as unknown as CommandSpec<never>[];
