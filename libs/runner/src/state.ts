/**
 * What `--state` selection reads: a previous run's artifacts and this project's checksums. Its
 * own entry point (`@sluice/runner/state`) so that `ls --select state:modified` loads these
 * modules without the runner's (the index's chunk with plans, materializers and DQ: ~40 ms of
 * CPU per command at 10,000 models).
 *
 * @example const { readRunState } = await import("@sluice/runner/state");
 */
export { readRunState, StateError } from "./artifacts/read-state.js";
export type { RunState, StateNode } from "./artifacts/read-state.js";
export { cachedChecksums } from "./artifacts/state-cache.js";
export type { StateNodes } from "./artifacts/state-nodes.js";
export { placelessDigest, rootlessDigest } from "./artifacts/node-digest.js";
