import type { CompiledNode } from "@sluice/compiler";
import { uniqueTestSql } from "@sluice/compiler/run-time";
import { compileUniqueScan } from "@sluice/dq";
import type { CompileRuleContext, DqRuleNode } from "@sluice/dq";

/**
 * dbt's `unique` test and DQDL's `IsUnique` rule of the same column of one table count the same
 * groups (the column's non-NULL values): they share one grouped scan. The rule's new-data pass and
 * the test's shared query become one SQL (`compileUniqueScan`: `metric_1`, `passed_1`,
 * `failures_1`), which the run sends once for both when they read the same data (the same
 * layout: the keys of the partitions written this run; or the whole table, when the rule's
 * ruleset has no pass of its other rules over it). Only a rule that shares no pass with other
 * rules of its keys, and a test whose SQL is the plain `unique` query of that column on the table
 * (no `where`, no `limit`), are paired; anything else runs as before.
 *
 * @example shareUniqueScans(events, made, compiled.nodes, ctx) // unique_events_event_id + Rule_3
 */
export function shareUniqueScans(
  target: CompiledNode,
  made: readonly { node: CompiledNode; rule: DqRuleNode }[],
  nodes: readonly CompiledNode[],
  ctx: CompileRuleContext,
): void {
  const tests = nodes.filter((n) => n.kind === "test" && n.attachedTo === target.id);
  for (const { node, rule } of made) {
    const a = node.assertion;
    if (a?.kind !== "dq_rule" || a.unsupported !== undefined || node.dependsOn.length !== 1)
      continue;
    if (a.passes?.newData !== undefined) continue;
    const scan = compileUniqueScan(rule, ctx, 1);
    if (!scan) continue;
    const plain = uniqueTestSql(ctx.dialect.quoteRelation(target.relation), scan.column);
    const test = tests.find(
      (t) =>
        t.sql === plain &&
        (t.assertion === undefined ||
          (t.assertion.kind === "failing_rows" && t.assertion.shared?.sql === scan.sql)),
    );
    if (!test) continue;
    const shared = { index: 1, sql: scan.sql };
    test.assertion = { kind: "failing_rows", shared };
    // The rule's layouts without a pass of their own (a one-rule ruleset has no `all` pass).
    a.passes = { all: shared, ...a.passes, newData: shared };
  }
}
