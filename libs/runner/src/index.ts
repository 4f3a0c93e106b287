export * from "./types.js";
export { runDag } from "./scheduler.js";
export { executeNode } from "./execute-node.js";
export type { NodeContext } from "./execute-node.js";
export { runProject } from "./run-project.js";
export type { RunOptions } from "./run-project.js";
export { writeCompiledArtifacts, writeRunResults } from "./artifacts.js";
