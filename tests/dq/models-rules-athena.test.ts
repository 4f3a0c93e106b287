import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { dqTestNodes } from "@sluice/runner";
import { describe, expect, it } from "vitest";
import { modelsDir } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

/** The models project's rulesets, compiled for Athena: every assertion (and failing-rows query) is Trino SQL. */
describe("models project DQDL rules on Athena", async () => {
  const project = await loadProject(modelsDir);
  const target = project.config.targets["prod"]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, {
    targetName: "prod",
    runId: "20261128T000000Z_test",
    dialect,
    env: {},
  });
  const { nodes, diagnostics } = dqTestNodes({
    project,
    compiled,
    dialect,
    now: "2026-11-28T12:00:00Z",
  });

  it("ties every ruleset to its table with no diagnostics", () => {
    expect(diagnostics).toEqual([]);
    expect(new Set(nodes.map((n) => n.attachedTo))).toEqual(
      new Set(["source.raw.events", "model.events", "model.order_items"]),
    );
    expect(nodes.find((n) => n.id === "test.dq_order_items_rule_7")?.dependsOn).toEqual([
      "model.order_items",
      "model.events",
    ]);
  });

  const queries = nodes.flatMap((n) => [
    [`${n.id} assertion`, n.sql] as const,
    ...(n.assertion?.kind === "dq_rule" && n.assertion.failingRowsSql
      ? [[`${n.id} failing rows`, dialect.limit(n.assertion.failingRowsSql, 100)] as const]
      : []),
    ...Object.entries(n.assertion?.kind === "dq_rule" ? (n.assertion.passes ?? {}) : {}).map(
      ([layout, pass]) => [`${n.id} ruleset pass (${layout})`, pass.sql] as const,
    ),
  ]);

  it("groups each ruleset's single-table rules into one pass per scope", () => {
    const passes = (id: string) => {
      const a = nodes.find((n) => n.id === id)?.assertion;
      return a?.kind === "dq_rule" ? a.passes : undefined;
    };
    // silver.events: 9 rules; RowCount reads the whole table, IsUnique the new keys, the other 7
    // the new rows.
    expect(passes("test.dq_events_rule_1")).toEqual({ all: { index: 1, sql: expect.any(String) } });
    // IsUnique "event_id" alone on its keys: it shares the scan of unique_events_event_id.
    const unique = compiled.nodes.find((n) => n.id === "test.unique_events_event_id")?.assertion;
    expect(unique).toMatchObject({ kind: "failing_rows", shared: { index: 1 } });
    expect(passes("test.dq_events_rule_3")?.newData).toEqual(
      unique?.kind === "failing_rows" ? unique.shared : "no shared scan",
    );
    // events declares copies_share_partition=['event_id']: both check new keys against their
    // partitions, so they still read the same rows (one scan).
    const keys = { kind: "keys", columns: ["event_id"], copiesSharePartition: true };
    expect(compiled.nodes.find((n) => n.id === "test.unique_events_event_id")?.newData).toEqual(
      keys,
    );
    expect(nodes.find((n) => n.id === "test.dq_events_rule_3")?.newData).toEqual(keys);
    expect(passes("test.dq_events_rule_4")).toMatchObject({
      all: { index: 4 },
      newData: { index: 2 },
    });
    // ReferentialIntegrity reads silver.events too: it runs alone.
    expect(passes("test.dq_order_items_rule_7")).toBeUndefined();
  });
  it.each(queries)("%s parses as Trino SQL", (_id, sql) => {
    expect(grammarErrors({ sql, grammar: "trino" })).toEqual([]);
  });
});
