/**
 * `@sluice/compiler/run-time`: what running an already compiled project uses from this lib (the
 * checksums of state selection and artifacts, the graph key, clone plans, the unique test's SQL,
 * the unit-test schema and the target's dialect), and nothing that loads nunjucks, the YAML or
 * CSV parsers or the zod schemas (the package root does: ~40 ms of CPU for a cached `sluice
 * build`). tests/compile/cached-build-loads.e2e.test.ts checks that a cached build loads none of
 * them.
 *
 * @example
 * import { dialectFor } from "@sluice/compiler/run-time";
 * dialectFor(target).name; // "duckdb"
 */
export { graphKey, walkDepthFirst } from "./graph/dag.js";
export { dialectFor } from "./target/dialect-for.js";
export {
  checksumParts,
  macroBlocks,
  macrosUsed,
  packChecksums,
  stableJson,
  unpackChecksums,
} from "./state/node-checksums.js";
export { sharedNodeChecksums, sharedPackedChecksums } from "./state/shared-checksums.js";
export { checksumsKey } from "./state/checksum-reuse.js";
export { PackedById } from "./state/packed-by-id.js";
export type { ChecksumReuse, ChecksumsBefore } from "./state/checksum-reuse.js";
export { planClone } from "./state/clone-plan.js";
export { UNIT_TEST_SCHEMA } from "./tests/unit-test-nodes.js";
export { keysScope, uniqueTestSql } from "./tests/generic-tests.js";
export { CONFIG_FACTS, reconcileValue } from "./plan/config-facts.js";
export type { ConfigFacts } from "./plan/config-facts.js";
export { HOOK_KEYS, type HookKey } from "./compile/hook-keys.js";
