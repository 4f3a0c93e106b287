import { describe, expect, it } from "vitest";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
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

  it("siteData: an index without SQL, config and lineage; each node's details at its shard position", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      ...node,
      id: `model.m${i}`,
      name: `m${i}`,
      sql: `select ${i} as a`,
    }));
    const graph = {
      nodes: { "model.m3": { node: "model.m3", columns: [] } },
      stats: { columns: 1, resolved: 1, unknown: 0 },
    };
    const data = buildDocsData({ ...compiled, nodes: many }, graph, { now: new Date(0) });
    const { index, shards, lineage } = siteData(data, 2);
    expect(index.shardSize).toBe(2);
    expect(index.stats).toEqual(graph.stats);
    expect(index).not.toHaveProperty("lineage");
    expect(
      index.nodes.map((n) => Object.keys(n).filter((k) => /sql|config|path|tags/.test(k))),
    ).toEqual(Array(5).fill([]));
    expect(shards.map((s) => s.length)).toEqual([2, 2, 1]);
    const at = (id: string) => {
      const i = index.nodes.findIndex((n) => n.id === id);
      return shards[Math.floor(i / index.shardSize)]![i % index.shardSize]!;
    };
    expect(at("model.m3")).toEqual({
      path: "m.sql",
      relation: "marts.m",
      materialization: "table",
      tags: [],
      sql: "select 3 as a",
      config: { schema: "marts" },
      lineage: { node: "model.m3", columns: [] },
    });
    expect(at("model.m4").sql).toBe("select 4 as a");
    expect(lineage).toBe(graph);
  });
});
