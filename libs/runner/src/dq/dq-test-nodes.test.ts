import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { createAthenaDialect, createDuckdbDialect } from "@sluice/dialects";
import type { Project } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { dqTestNodes } from "./dq-test-nodes.js";
import { bindRulesets } from "./bind-rulesets.js";
import { planRulesets } from "./plan-rulesets.js";

function relationNode(
  id: string,
  kind: CompiledNode["kind"],
  name: string,
  schema: string,
  materialization: CompiledNode["materialization"],
  config = {},
): CompiledNode {
  return {
    id,
    kind,
    name,
    path: `${name}.sql`,
    schema,
    relation: { schema: `ecommerce_${schema}`, name },
    materialization,
    partitionedBy: [],
    config,
    tags: [],
    columns: [],
    dependsOn: [],
    sql: "select 1",
    statements: [],
  };
}

const compiled: CompiledProject = {
  projectName: "ecommerce",
  targetName: "prod",
  dialect: "athena",
  diagnostics: [],
  nodes: [
    relationNode("source.raw.events", "source", "events", "raw", "source"),
    relationNode("model.stg_events", "model", "stg_events", "staging", "view"),
    relationNode("model.events", "model", "events", "silver", "incremental"),
    relationNode("model.order_items", "model", "order_items", "silver", "table", {
      dq_severity: "warn",
    }),
    relationNode("model.inlined", "model", "inlined", "silver", "ephemeral"),
  ],
};

function project(rules: Record<string, string>): Project {
  return {
    dir: "/p",
    rules: Object.entries(rules).map(([p, text]) => ({
      path: p,
      absPath: `/p/${p}`,
      text,
      name: p.replace(/^.*\/|\.dqdl$/g, ""),
    })),
  } as unknown as Project;
}

describe("dqTestNodes", () => {
  it("makes one test node per rule, attached to the target and depending on what the rule reads", () => {
    const { nodes, diagnostics } = dqTestNodes({
      project: project({
        "rules/raw.events.dqdl": "Rules = [ RowCount > 0 ]",
        "rules/items.dqdl":
          'DataSources = { "Primary": "order_items" }\nRules = [\n  IsComplete "event_id",\n  ReferentialIntegrity "event_id" "events.event_id" = 1.0 labels=["severity"="error"]\n]',
      }),
      compiled,
      dialect: createAthenaDialect(),
    });
    expect(diagnostics).toEqual([]);
    expect(nodes.map((n) => [n.id, n.attachedTo, n.dependsOn, n.severity])).toEqual([
      ["test.dq_raw_events_rule_1", "source.raw.events", ["source.raw.events"], "error"],
      // order_items is configured dq_severity: warn; an explicit label wins.
      ["test.dq_order_items_rule_1", "model.order_items", ["model.order_items"], "warn"],
      [
        "test.dq_order_items_rule_2",
        "model.order_items",
        ["model.order_items", "model.events"],
        "error",
      ],
    ]);
    const ri = nodes[2]!;
    expect(ri).toMatchObject({
      kind: "test",
      materialization: "test",
      relation: { schema: "ecommerce_silver", name: "dq_order_items_rule_2" },
      path: "rules/items.dqdl",
    });
    expect(ri.assertion).toMatchObject({
      kind: "dq_rule",
      ruleName: "Rule_2",
      ruleType: "ReferentialIntegrity",
      ruleText: expect.stringMatching(/^ReferentialIntegrity "event_id" "events.event_id" = 1.0/),
    });
    expect(ri.sql).toContain('"ecommerce_silver"."events"');
    expect(ri.statements).toEqual([{ kind: "select", sql: ri.sql, grammar: "trino" }]);
    expect(ri.assertion).toMatchObject({
      failingRowsSql: expect.stringContaining("WHERE r.k0 IS NULL"),
    });
    expect(nodes[0]!.assertion).not.toHaveProperty("failingRowsSql"); // RowCount has no failing rows
  });

  it("DefaultLabels set the severity of every rule; the rule's own label overrides it", () => {
    const { nodes } = dqTestNodes({
      project: project({
        "rules/events.dqdl":
          'DefaultLabels = ["severity"="warn"]\nRules = [ RowCount > 0, IsComplete "event_id" labels=["severity"="error"] ]',
      }),
      compiled,
      dialect: createDuckdbDialect(),
    });
    expect(nodes.map((n) => n.severity)).toEqual(["warn", "error"]);
    expect(nodes[0]!.statements[0]!.grammar).toBe("duckdb");
  });

  it("reports syntax, target and unsupported-rule mistakes at their position", () => {
    const { nodes, diagnostics } = dqTestNodes({
      project: project({
        "rules/evnts.dqdl": "Rules = [ RowCount > 0 ]",
        "rules/x.dqdl": 'DataSources = { "Primary": "inlined" }\nRules = [ RowCount > 0 ]',
        "rules/bad.dqdl": "Rules = [\n  RowCount >\n]",
        "rules/events.dqdl":
          'Rules = [\n  RowCount > 0,\n  DetectAnomalies "RowCount",\n  FileFreshness "s3://b/p" > (now() - 1 days) labels=["severity"="warn"]\n]',
      }),
      compiled,
      dialect: createDuckdbDialect(),
    });
    const shown = diagnostics.map(
      (d) => `${d.at?.file}:${d.at?.line}:${d.at?.column} ${d.severity} ${d.code}`,
    );
    expect(shown).toEqual([
      "rules/evnts.dqdl:1:1 error DQDL_TARGET",
      "rules/x.dqdl:1:1 error DQDL_TARGET",
      "rules/bad.dqdl:3:1 error DQDL_SYNTAX",
      "rules/events.dqdl:3:3 error DQDL_UNSUPPORTED",
      "rules/events.dqdl:4:3 warn DQDL_UNSUPPORTED",
    ]);
    expect(diagnostics[0]!.hint).toBe("did you mean 'events'?");
    expect(diagnostics[1]!.message).toContain("ephemeral");
    // The warn-labelled unsupported rule still becomes a node (reported ERROR at run time).
    expect(
      nodes.map((n) => [n.id, n.assertion && "unsupported" in n.assertion ? "unsupported" : "sql"]),
    ).toEqual([
      ["test.dq_events_rule_1", "sql"],
      ["test.dq_events_rule_2", "unsupported"],
      ["test.dq_events_rule_3", "unsupported"],
    ]);
  });

  it("gives a second ruleset on the same target distinct ids", () => {
    const { nodes } = dqTestNodes({
      project: project({
        "rules/events.dqdl": "Rules = [ RowCount > 0 ]",
        "rules/more.dqdl": 'DataSources = { "Primary": "events" }\nRules = [ RowCount > 1 ]',
      }),
      compiled,
      dialect: createDuckdbDialect(),
    });
    expect(nodes.map((n) => n.id)).toEqual(["test.dq_events_rule_1", "test.dq_events_rule_1_2"]);
  });
});

describe("planRulesets", () => {
  it("one Glue ruleset per table, named after project, database and table; views skipped; LF text", () => {
    const { bound } = bindRulesets(
      project({
        "rules/events.dqdl": "Rules = [\r\n  RowCount > 0\r\n]",
        "rules/stg_events.dqdl": "Rules = [ RowCount > 0 ]",
        "rules/dup.dqdl": 'DataSources = { "Primary": "events" }\nRules = [ RowCount > 1 ]',
      }),
      compiled,
    );
    const plan = planRulesets("ecommerce", bound);
    expect(plan.rulesets).toEqual([
      {
        name: "ecommerce_ecommerce_silver_events",
        ruleset: "Rules = [\n  RowCount > 0\n]\n",
        description: "Published by sluice from rules/events.dqdl",
        targetTable: { DatabaseName: "ecommerce_silver", TableName: "events" },
      },
    ]);
    expect(plan.skipped).toEqual([
      { file: "rules/stg_events.dqdl", reason: expect.stringContaining("is a view") },
    ]);
    expect(plan.diagnostics.map((d) => `${d.at?.file} ${d.code}`)).toEqual([
      "rules/dup.dqdl DQDL_TARGET",
    ]);
  });
});
