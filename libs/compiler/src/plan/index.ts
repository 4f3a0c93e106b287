export * from "./node-plan.js";
export { planNode } from "./plan-node.js";
export { planSnapshot, snapshotColumns, snapshotWrite } from "./snapshot-plan.js";
export type { SnapshotWrite } from "./snapshot-plan.js";
export { planStatements, type PlanState } from "./plan-statements.js";
export {
  PENDING_PARAMETER,
  STAGING_MARKER,
  WATERMARK_PARAMETER,
  stagingRelation,
} from "./catalog-plan.js";
export { formatPlans } from "./plan-text.js";
export * from "./window.js";
export * from "./listed.js";
export * from "./inputs.js";
export * from "./reconciliation.js";
export * from "./config-facts.js";
export * from "./partition-batches.js";
export * from "./schema-change.js";
export * from "./store-failures.js";
export * from "./select-record.js";
export * from "./table-docs.js";
