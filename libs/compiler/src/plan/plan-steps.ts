import type { Statement } from "@sluice/dialects";
import type { CompiledNode } from "../types.js";
import type { NodePlan, PlanStep } from "./node-plan.js";

/** The fields of a plan that depend on the engine (the caller adds the node's identity). */
export type PlanBody = Pick<NodePlan, "action" | "steps" | "notes"> &
  Partial<Pick<NodePlan, "window" | "partitions" | "error">>;

/** Statements as SQL steps with one purpose (a zero-row schema file: only if no rows were written). */
export function planSteps(purpose: string, statements: readonly Statement[]): PlanStep[] {
  return statements.map((statement) =>
    statement.onlyIfNoRows
      ? {
          kind: "sql",
          purpose,
          statement,
          when: "the statements before wrote no rows",
          condition: { if: "no_rows_written" },
        }
      : { kind: "sql", purpose, statement },
  );
}

/** `versions_to_keep` of the model, when set (else the engine's default). */
export function versionsKept(node: CompiledNode): { versionsToKeep?: number } {
  const value = node.config["versions_to_keep"];
  return typeof value === "number" ? { versionsToKeep: value } : {};
}

/** `partitions` of a plan: the node's partition columns and which of them a write touches. */
export function touching(node: CompiledNode, touched: string): Pick<NodePlan, "partitions"> {
  return node.partitionedBy.length > 0
    ? { partitions: { columns: node.partitionedBy, touched } }
    : {};
}
