export * from "./types.js";
export { runDag } from "./scheduler.js";
export { executeNode } from "./execute-node.js";
export type { NodeContext } from "./execute-node.js";
export { runProject } from "./run-project.js";
export type { RunOptions } from "./run-project.js";
export {
  artifactName,
  materializeCompiled,
  settleRunFiles,
  writeCompiledArtifacts,
  writeExecutedStatements,
  writeRunResults,
} from "./artifacts.js";
export { nodeDigest, textDigest } from "./artifacts/node-digest.js";
export { writeExecutedPlan } from "./executed-plan.js";
export { isPacked, PER_FILE_LIMIT, packedDir, readPackedArtifact } from "./packed-artifacts.js";
export type { ArtifactLayout } from "./packed-artifacts.js";
export type { ByNodeId } from "./artifacts/manifest-keys.js";
export { bindRulesets, findRelationNode, dqTestNodes, planRulesets } from "./dq/index.js";
export type { BoundRuleset, DqTestNodesOptions } from "./dq/index.js";
export { describeDamage, recoveryCommand } from "./materialize/version-check.js";
export {
  planRun,
  type CatalogStateReader,
  type PlanRunOptions,
  type PlanStateReader,
} from "./plan/plan-run.js";
export type { AssertionScope, BoundScope, ScopeInput, ScopeMode } from "./scope/assertion-scope.js";
export { scopeOf } from "./scope/assertion-scope.js";
export { readSluiceRunResults } from "./artifacts/dbt-run-results.js";
export type { SluiceResult, SluiceRunResults } from "./artifacts/dbt-run-results.js";
export * from "./state.js";
export { dbtUniqueId, sluiceNodeId } from "./artifacts/dbt-ids.js";
export {
  checkSourceFreshness,
  describeAge,
  freshnessStatus,
  sourcesJson,
} from "./freshness/source-freshness.js";
export type {
  FreshnessResult,
  FreshnessStatus,
  FreshnessTarget,
} from "./freshness/source-freshness.js";
export { onlyUnitTests, runUnitTestsOnly } from "./unit/run-unit-tests.js";
export { openUnitTestMemo, type UnitTestMemo } from "./unit/unit-test-memo.js";
export { unitTestKey, type UnitTestRuntime } from "./unit/unit-test-key.js";
export type { UnitTestMemoOption } from "./unit/unit-test-session.js";
export { cloneRelations } from "./clone/clone-relations.js";
export { cloneRunResults } from "./clone/clone-results.js";
export type { CloneRun } from "./clone/clone-results.js";
export type { CloneOptions, CloneOutcome, CloneTiming } from "./clone/clone-relations.js";
