export type * from "./types.js";
export { compileProject } from "./compile-project.js";
export type { CompileOptions } from "./compile-project.js";
export { renderModels } from "./compile/render-models.js";
export type {
  ModelRerender,
  RenderKit,
  RerenderInput,
  RerenderResult,
} from "./compile/render-models.js";
export { isDirectTemplate } from "./render/nunjucks-env.js";
export { templateSkeleton } from "./compile/template-skeleton.js";
export type { TemplatePath } from "./render/nunjucks-env.js";
export type {
  CompileMemo,
  GraphOrder,
  MemoOutput,
  ModelMemo,
  TestsMemo,
} from "./compile/compile-memo.js";
export { planStatements } from "./plan/plan-statements.js";
export type { PlanState } from "./plan/plan-statements.js";
export { graphKey, walkDepthFirst } from "./graph/dag.js";
export { selectNodes } from "./graph/select.js";
export type { SelectOptions } from "./graph/select.js";
export { dialectFor } from "./target/dialect-for.js";
export {
  nodeChecksums,
  partChecksums,
  macroBlocks,
  macrosUsed,
  checksumParts,
  packChecksums,
  unpackChecksums,
  sha256,
  stableJson,
} from "./state/node-checksums.js";
export { sharedNodeChecksums, sharedPackedChecksums } from "./state/shared-checksums.js";
export { checksumsKey } from "./state/checksum-reuse.js";
export type { ChecksumReuse, ChecksumsBefore } from "./state/checksum-reuse.js";
export type { NodeChecksums, ChecksumPart, MacroBlock } from "./state/node-checksums.js";
export type { PackedChecksums, PackedRows, SelectionState } from "./state/selection-state.js";
export { deferCandidates, deferToState, renameNode, stateNodesUnselected } from "./state/defer.js";
export type { DeferOptions } from "./state/defer.js";
export { planClone } from "./state/clone-plan.js";
export type { ClonePlan, ExistingRelation } from "./state/clone-plan.js";
export { UNIT_TEST_SCHEMA } from "./tests/unit-test-nodes.js";
export { keysScope, uniqueTestSql } from "./tests/generic-tests.js";
export { resourceType } from "./graph/select-methods.js";
export { renderWithWarehouse } from "./compile/render-with-warehouse.js";
export type { QueryRows } from "./render/warehouse.js";
