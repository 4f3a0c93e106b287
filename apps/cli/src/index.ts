export { runCli } from "./cli.js";
export type { CommandSpec, GlobalArgs, Io } from "./command.js";
export { commands } from "./commands/index.js";
export type { Example } from "./command.js";
/** Query rows as `sluice query --format json` prints them (exact DECIMALs, bigint as text). */
export { rowsToJson } from "./output/json.js";
