import { isLakeDialect } from "@sluice/dialects";
import type { CompiledNode, TestAssertion } from "@sluice/compiler";
import { storeFailuresPlan } from "@sluice/compiler/plan";
import type { QueryResult } from "@sluice/engines";
import type { NodeContext } from "../execute-node.js";
import type { NodeResult } from "../types.js";

type Execute = (sql: string) => Promise<QueryResult>;
type DqAssertion = Extract<TestAssertion, { kind: "dq_rule" }>;

/**
 * Evaluate a compiled DQDL rule (one row `{ metric, passed }`, from `measure`: its own query by
 * default, or its ruleset's pass) and record the outcome in Glue's
 * vocabulary: PASS → pass; FAIL → fail (warn for warn-severity rules); ERROR when the rule is
 * unsupported on the target or its query fails (the query error still propagates).
 */
export async function checkDqRule(
  node: CompiledNode,
  assertion: DqAssertion,
  ctx: NodeContext,
  result: NodeResult,
  execute: Execute,
  measure: () => Promise<Record<string, unknown> | undefined> = async () =>
    (await execute(node.sql)).rows[0],
): Promise<void> {
  const dq = {
    ruleName: assertion.ruleName,
    ruleType: assertion.ruleType,
    ruleText: assertion.ruleText,
  };
  const failStatus = node.severity === "warn" ? "warn" : "fail";
  if (assertion.unsupported !== undefined) {
    result.dq = {
      ...dq,
      outcome: "ERROR",
      message: `not supported on this target: ${assertion.unsupported}`,
    };
    result.status = node.severity === "warn" ? "warn" : "error";
    result.message = `ERROR ${assertion.ruleText}: ${result.dq.message}`;
    return;
  }
  let row: Record<string, unknown> | undefined;
  try {
    row = await measure();
  } catch (err) {
    result.dq = {
      ...dq,
      outcome: "ERROR",
      message: err instanceof Error ? err.message : String(err),
    };
    throw err;
  }
  const raw = row?.["metric"];
  const metric = raw === null || raw === undefined ? undefined : Number(raw);
  const passed = row?.["passed"] === true;
  const shown = metric === undefined ? "no value (empty input)" : formatMetric(metric);
  result.dq = {
    ...dq,
    outcome: passed ? "PASS" : "FAIL",
    ...(metric === undefined ? {} : { metric }),
    message: passed ? "" : `Value: ${shown} does not meet the constraint requirement!`,
  };
  result.status = passed ? "pass" : failStatus;
  result.message = `${passed ? "PASS" : "FAIL"} ${assertion.ruleText} (metric ${shown})`;
  if (!passed && assertion.failingRowsSql && node.storeFailures) {
    const stored = await storeFailingRows(node, assertion.failingRowsSql, ctx, execute);
    result.storedFailures = stored.table;
    result.failures = stored.rows;
  }
}

/**
 * `--store-failures`: write at most `storeFailures.limit` failing rows to a fresh audit table
 * (`<schema>_audit.<test name>`), replacing the previous one. Returns the table and rows kept.
 */
export async function storeFailingRows(
  node: CompiledNode,
  failingRowsSql: string,
  ctx: NodeContext,
  execute: Execute,
): Promise<{ table: string; rows: number }> {
  const store = node.storeFailures;
  if (!store) throw new Error(`bug: ${node.id} has no storeFailures`);
  const plan = storeFailuresPlan(ctx.dialect, store, failingRowsSql, ctx.writeId);
  for (const statement of plan.statements) await execute(statement.sql);
  if (isLakeDialect(ctx.dialect))
    await ctx.engine.removeStaleLocations(store.relation, store.location);
  const counted = await execute(plan.count);
  return {
    table: `${store.relation.schema}.${store.relation.name}`,
    rows: Number(counted.rows[0]?.["n"] ?? 0),
  };
}

function formatMetric(metric: number): string {
  return Number.isInteger(metric) ? String(metric) : String(Number(metric.toPrecision(6)));
}
