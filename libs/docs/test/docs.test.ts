import { describe, expect, it } from "vitest";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { DocsData, DocsNode } from "../src/index.js";
import {
  buildDocsData,
  dataScript,
  semanticRole,
  siteData,
  tableauDatatype,
  tdsXml,
} from "../src/index.js";

describe("Tableau data sources", () => {
  it("maps Athena and DuckDB types to Tableau datatypes", () => {
    expect(
      [
        "DECIMAL(38,2)",
        "bigint",
        "INTEGER",
        "double",
        "DATE",
        "timestamp(3)",
        "varchar",
        "BOOLEAN",
      ].map(tableauDatatype),
    ).toEqual(["real", "integer", "integer", "real", "date", "datetime", "string", "boolean"]);
    expect([semanticRole("country_iso2"), semanticRole("iso3"), semanticRole("channel")]).toEqual([
      "[Country].[ISO3166_2]",
      "[Country].[ISO3166_3]",
      undefined,
    ]);
  });

  it("escapes what it writes: a hostile description stays inside its attribute", () => {
    const xml = tdsXml({
      name: "m",
      region: "eu-west-1",
      workgroup: "wg",
      s3StagingDir: "s3://b/q/",
      database: "db",
      table: "m",
      columns: [
        { name: "customer_id", type: "bigint", description: `it's <b>"bold"</b> & more` },
        { name: "revenue", type: "decimal(38,2)" },
      ],
    });
    expect(xml).toContain(
      "caption='Customer Id: it&apos;s &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; more' datatype='integer' name='[customer_id]' role='dimension' type='ordinal'",
    );
    expect(xml).toContain(
      "caption='Revenue' datatype='real' name='[revenue]' role='measure' type='quantitative'",
    );
    expect(xml).toContain("server='athena.eu-west-1.amazonaws.com' port='443' dbname='db'");
  });
});

describe("docs data", () => {
  const node: CompiledNode = {
    id: "model.m",
    kind: "model",
    name: "m",
    path: "m.sql",
    schema: "marts",
    relation: { schema: "marts", name: "m" },
    materialization: "table",
    partitionedBy: [],
    config: { materialized: "table", schema: "marts", tags: [] },
    tags: [],
    description: "A model.",
    columns: [{ name: "a", description: "Column a." }, { name: "gone" }],
    dependsOn: [],
    sql: "select 1 as a, 2 as b",
    statements: [],
  };
  const compiled: CompiledProject = {
    projectName: "p",
    targetName: "local",
    dialect: "duckdb",
    nodes: [node],
    diagnostics: [],
  };
  const lineage = { nodes: {}, stats: { columns: 0, resolved: 0, unknown: 0 } };

  it("takes column order and types from the catalog, descriptions from YAML, and the last result", () => {
    const data = buildDocsData(compiled, lineage, {
      now: new Date("2026-12-01T00:00:00Z"),
      catalog: {
        "model.m": [
          { name: "a", type: "INTEGER" },
          { name: "b", type: "VARCHAR" },
        ],
      },
      runResults: {
        command: "build",
        target: "local",
        started_at: "2026-12-01T00:00:00Z",
        elapsed_ms: 5,
        results: [
          {
            ...{ id: "model.m", status: "success", message: "created table 1 rows", rows: 1 },
            ...{ elapsed_ms: 1250, bytes_scanned: 10485760, cost_usd: 0.0000477 },
          },
        ],
      },
    });
    expect(data.nodes[0]!.columns).toEqual([
      { name: "a", type: "INTEGER", description: "Column a." },
      { name: "b", type: "VARCHAR" },
      { name: "gone" },
    ]);
    expect(data.nodes[0]!.config).toEqual({ schema: "marts" });
    expect(data.nodes[0]!.last).toEqual({
      status: "success",
      message: "created table 1 rows",
      rows: 1,
      // Time, bytes and cost of an Athena run, as run_results.json has them.
      elapsed_ms: 1250,
      bytes_scanned: 10485760,
      cost_usd: 0.0000477,
      run_started_at: "2026-12-01T00:00:00Z",
    });
    expect(data.catalog).toBe(true);
  });

  it("dataScript sets a window property a page can read without fetch", () => {
    const window: Record<string, unknown> = {};
    new Function("window", dataScript("X", { s: "</script>", n: 1 }))(window);
    expect(window.X).toEqual({ s: "</script>", n: 1 });
  });

  it("siteData: a compact index without tests, columns or descriptions; search data and details by position", () => {
    const base = { path: "x.sql", materialization: "table", tags: [], config: {}, sql: "" };
    const n = (id: string, type: DocsNode["type"], extra: Partial<DocsNode> = {}): DocsNode => ({
      ...base,
      id,
      type,
      name: id.slice(id.lastIndexOf(".") + 1),
      dependsOn: [],
      columns: [],
      ...extra,
    });
    const nodes: DocsNode[] = [
      n("source.raw.events", "source", { columns: [{ name: "line", description: "JSON" }] }),
      n("test.not_null_m0_a", "test", { dependsOn: ["model.m0"], attachedTo: "model.m0" }),
      n("model.m0", "model", { dependsOn: ["source.raw.events"], description: "First." }),
      n("test.rule_m0", "rule", { dependsOn: ["model.m0"], ruleText: "RowCount > 0" }),
      n("model.m1", "model", {
        dependsOn: ["model.m0", "macro.elsewhere"],
        columns: [{ name: "a", type: "INTEGER" }],
        sql: "select a from m0",
      }),
      n("test.rel_m1_m0", "test", {
        dependsOn: ["model.m1", "model.m0"],
        last: { status: "pass", message: "0 failures" },
      }),
    ];
    const graph = {
      nodes: { "model.m1": { node: "model.m1", columns: [] } },
      stats: { columns: 1, resolved: 1, unknown: 0 },
    };
    const data: DocsData = {
      ...{ project: "p", target: "local", generatedAt: "", catalog: false },
      ...{ nodes, exposures: [], lineage: graph },
    };
    const { index, search, shards, lineage } = siteData(data, 2);
    // Index: id, dependencies by position (or id), the name only when the id does not give it.
    expect(index.nodes).toEqual([
      ["source.raw.events", [], "events"],
      ["model.m0", [0]],
      ["model.m1", [1, "macro.elsewhere"]],
    ]);
    expect(index.counts).toEqual({ source: 1, model: 2, test: 2, rule: 1 });
    expect(index.stats).toEqual(graph.stats);
    expect(index).not.toHaveProperty("lineage");
    // Search data: tests at positions 3 and 4, the rule at 5; texts by position.
    expect(search).toEqual({
      tests: ["not_null_m0_a", "rel_m1_m0"],
      rules: ["rule_m0"],
      descriptions: { 1: "First." },
      columns: { 0: [["line", "JSON"]], 2: ["a"] },
    });
    expect(shards.map((s) => s.length)).toEqual([2, 2, 2]);
    const at = (p: number) => shards[Math.floor(p / 2)]![p % 2]!;
    expect(at(1).tests.map((t) => t.id)).toEqual([
      "test.not_null_m0_a",
      "test.rel_m1_m0",
      "test.rule_m0",
    ]);
    expect(at(2)).toEqual({
      ...base,
      sql: "select a from m0",
      columns: [{ name: "a", type: "INTEGER" }],
      lineage: { node: "model.m1", columns: [] },
      tests: [
        {
          id: "test.rel_m1_m0",
          type: "test",
          name: "rel_m1_m0",
          last: { status: "pass", message: "0 failures" },
        },
      ],
    });
    expect(at(3)).toMatchObject({ dependsOn: ["model.m0"], attachedTo: "model.m0", tests: [] });
    expect(at(5)).toMatchObject({ dependsOn: ["model.m0"], ruleText: "RowCount > 0" });
    expect(at(0)).not.toHaveProperty("dependsOn");
    expect(lineage).toBe(graph);
    // A test whose id is not `test.<name>` (a unit test's) is written with both.
    const unit = { ...data, nodes: [n("unit_test.events.keeps_first", "test")] };
    expect(siteData(unit).search.tests).toEqual([["unit_test.events.keeps_first", "keeps_first"]]);
  });
});
