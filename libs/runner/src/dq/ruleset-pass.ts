import type { CompiledNode, PassLayout, TestAssertion } from "@sluice/compiler";
import { QueryError, type QueryResult } from "@sluice/engines";

type DqAssertion = Extract<TestAssertion, { kind: "dq_rule" }>;
type Row = Record<string, unknown> | undefined;

/**
 * The run's DQDL ruleset passes: the layout and SQL of a pass → its one row. The first
 * rule of a pass to run sends the query; the other rules of the pass read the same row.
 */
export type RulesetPasses = Map<string, Promise<Row>>;

/**
 * One rule's `{ metric, passed }`: from its ruleset's pass for the run's layout (see
 * `TestAssertion.passes`) when it has one, else from its own query. A pass that fails
 * (a missing column in one rule, say) falls back to each rule's own query, so the error is
 * reported on the rule that caused it and the other rules still get their outcome.
 *
 * @example await ruleRow(node, assertion, "all", passes, execute) // { metric: 1, passed: true }
 */
export async function ruleRow(
  node: CompiledNode,
  assertion: DqAssertion,
  layout: PassLayout,
  passes: RulesetPasses | undefined,
  execute: (sql: string) => Promise<QueryResult>,
): Promise<Row> {
  const pass = assertion.passes?.[layout];
  if (pass && passes) {
    // A subject's scope is fixed once it is built, so the layout and SQL name the pass's data.
    const key = `${layout}\u0000${pass.sql}`;
    let row = passes.get(key);
    if (!row) {
      row = execute(pass.sql).then((r) => r.rows[0]);
      row.catch(() => undefined); // awaited below, by every rule of the pass
      passes.set(key, row);
    }
    try {
      const r = await row;
      return { metric: r?.[`metric_${pass.index}`], passed: r?.[`passed_${pass.index}`] };
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
    }
  }
  return (await execute(node.sql)).rows[0];
}
