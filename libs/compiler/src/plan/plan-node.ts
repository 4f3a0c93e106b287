import { isCatalogDialect, isLakeDialect, type Dialect } from "@sluice/dialects";
import type { LakeDialect, Statement } from "@sluice/dialects";
import { sha256Of } from "./inputs.js";
import type { CompiledNode } from "../types.js";
import { planCatalogTable } from "./catalog-plan.js";
import { planLakeTable } from "./lake-plan.js";
import type { NodePlan, PlanInput } from "./node-plan.js";
import { planStatements } from "./plan-statements.js";
import { planSnapshot } from "./snapshot-plan.js";
import { planSteps, type PlanBody } from "./plan-steps.js";

/**
 * What `node` does on the dialect's engine given the catalog state read before it: its SQL
 * statements and catalog and storage operations, in order. Pure: same input, same plan.
 *
 * @example
 * planNode(node, createAthenaDialect(), { fullRefresh: false, writeId: "r2",
 *   state: { exists: true, kind: "table", location: "s3://lake/silver/events/v1", watermark: "2026/11/28/05" } })
 * // { action: "insert_overwrite", window: { watermark: "2026/11/28/05", from: "2026/11/28/02" },
 * //   steps: [drop_staging_tables, CTAS, publish_partitions, ...], ... }
 */
export function planNode(node: CompiledNode, dialect: Dialect, input: PlanInput): NodePlan {
  const lake = isLakeDialect(dialect);
  const body =
    node.materialization === "snapshot"
      ? planSnapshot(node, dialect, input)
      : !writesTable(node)
        ? compiledPlan(node, dialect, input)
        : isLakeDialect(dialect)
          ? planLakeTable(node, dialect, input)
          : isCatalogDialect(dialect)
            ? planCatalogTable(node, dialect, input)
            : undefined;
  if (body === undefined) throw new Error(`dialect ${dialect.name} is neither lake nor catalog`);
  return {
    node: node.id,
    kind: node.kind,
    materialization: node.materialization,
    ...(node.kind === "test" ? {} : { relation: `${node.relation.schema}.${node.relation.name}` }),
    engine: lake ? "lake" : "catalog",
    ...body,
  };
}

function writesTable(
  node: CompiledNode,
): node is CompiledNode & { materialization: "table" | "seed" | "incremental" } {
  return (
    node.materialization === "table" ||
    node.materialization === "seed" ||
    node.materialization === "incremental"
  );
}

const simple: Record<string, { action: string; purpose: string }> = {
  view: { action: "create view", purpose: "create or replace the view" },
  test: { action: "check", purpose: "count the failing rows" },
  source: { action: "register source", purpose: "declare the source table" },
  ephemeral: { action: "none", purpose: "inlined where it is used" },
};

/** Views, sources and tests: their statements as compiled, on every engine. */
function compiledPlan(node: CompiledNode, dialect: Dialect, input: PlanInput): PlanBody {
  const { action, purpose } = simple[node.materialization] ?? simple["ephemeral"]!;
  if (node.assertion?.kind === "dq_rule") {
    const rule = { kind: "select" as const, sql: node.sql, grammar: dialect.queryGrammar };
    return { action, steps: planSteps("evaluate the DQDL rule", [rule]), notes: [] };
  }
  const statements = planStatements(node, dialect, {
    exists: false,
    fullRefresh: input.fullRefresh,
    writeId: input.writeId,
  });
  if (node.materialization === "source" && isLakeDialect(dialect))
    return lakeSourcePlan(node, dialect, input, statements);
  return { action, steps: planSteps(purpose, statements), notes: [] };
}

/**
 * A raw source on the lake: its view, marked with the fingerprint of the statements that made it;
 * left as it is when the catalog's view has that mark (outside --full-refresh): the same
 * statements would make the same view. A changed location or layout, a moved project (the view
 * names the raw zone's absolute path) or an unmarked view is made again.
 */
function lakeSourcePlan(
  node: CompiledNode,
  dialect: LakeDialect,
  input: PlanInput,
  statements: readonly Statement[],
): PlanBody {
  const definition = sha256Of(statements.map((s) => s.sql).join("\n"));
  const { state } = input;
  if (
    !input.fullRefresh &&
    state.exists &&
    state.kind === "view" &&
    state.definition === definition
  )
    return {
      action: "unchanged",
      steps: [],
      notes: ["the view was made by the same statements (its recorded definition): nothing is run"],
    };
  const mark = dialect.markSourceView(node.relation, definition);
  return {
    action: simple["source"]!.action,
    steps: planSteps(simple["source"]!.purpose, [...statements, mark]),
    notes: [],
  };
}
