import type { CompiledNode, PassLayout, TestAssertion } from "@sluice/compiler";
import type { QueryResult } from "@sluice/engines";
import { sharedRow, type SharedRows } from "../shared-rows.js";

type DqAssertion = Extract<TestAssertion, { kind: "dq_rule" }>;

/**
 * One rule's `{ metric, passed }`: from its ruleset's pass for the run's layout (see
 * `TestAssertion.passes`) when it has one, sent once for all its rules, else from its own query.
 * A pass that fails (a missing column in one rule, say) falls back to each rule's own query, so
 * the error is reported on the rule that caused it and the other rules still get their outcome.
 *
 * @example await ruleRow(node, assertion, "all", rows, execute) // { metric: 1, passed: true }
 */
export async function ruleRow(
  node: CompiledNode,
  assertion: DqAssertion,
  layout: PassLayout,
  rows: SharedRows | undefined,
  execute: (sql: string) => Promise<QueryResult>,
): Promise<Record<string, unknown> | undefined> {
  const pass = assertion.passes?.[layout];
  // A subject's scope is fixed once it is built, so the layout and SQL name the pass's data.
  const row =
    pass && rows && (await sharedRow(rows, `${layout}\0${pass.sql}`, () => execute(pass.sql)));
  if (pass && row)
    return { metric: row[`metric_${pass.index}`], passed: row[`passed_${pass.index}`] };
  return (await execute(node.sql)).rows[0];
}
