export { runCli } from "./cli.js";
export type { CommandSpec, GlobalArgs, Io } from "./command.js";
export { commands } from "./commands/index.js";
export type { Example } from "./command.js";
