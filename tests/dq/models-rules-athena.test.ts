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
  ]);
  it.each(queries)("%s parses as Trino SQL", (_id, sql) => {
    expect(grammarErrors({ sql, grammar: "trino" })).toEqual([]);
  });
});
