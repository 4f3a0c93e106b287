export { runCli } from "./cli.js";
export type { CommandSpec, GlobalArgs, Io } from "./command.js";
