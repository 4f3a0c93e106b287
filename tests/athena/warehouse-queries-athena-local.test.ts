import { compileProject, dialectFor, renderWithWarehouse } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import { runProject, type NodeResult } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaRows, callLog } from "../support/athena-local.js";
import { jaffleOnAthenaLocal, type JaffleOnAthenaLocal } from "../support/dbt-fixture.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * A dbt model that reads the warehouse while rendering (`run_query`, the fixture
 * tests/fixtures/dbt/warehouse_models/status_pivot.sql) built on `sluice athena-local` through
 * the jaffle_shop profile's Athena output: its query goes through the Athena API like any
 * statement, and the pivot's rows equal the ones computed by hand (as on the lake, see
 * tests/dbt/warehouse-queries.e2e.test.ts).
 */
let lake: JaffleOnAthenaLocal;
let results: NodeResult[];

beforeAll(async () => {
  lake = await jaffleOnAthenaLocal({
    "models/marts/status_pivot.sql": "tests/fixtures/dbt/warehouse_models/status_pivot.sql",
  });
  const { project, target } = await lake.load();
  const dialect = dialectFor(target);
  const runId = `r${Date.now()}`;
  const options = { targetName: "prod", runId, dialect, env: {} };
  const compiled = compileProject(project, options);
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const selected = compiled.nodes
    .filter((n) => ["raw_orders", "stg_orders", "status_pivot"].includes(n.name))
    .map((n) => n.id);
  await callLog(lake.endpoint.url, true);
  results = [];
  for (const command of ["seed", "run"] as const) {
    const engine = await openEngine(target, lake.dir, { runId });
    try {
      const run = await runProject({
        command,
        compiled,
        selected,
        engine,
        dialect,
        runId,
        threads: 1,
        renderAtRun: (node, query) => renderWithWarehouse(project, options, node, query),
      });
      results.push(...run.results);
    } finally {
      await engine.close();
    }
  }
}, 240_000);

afterAll(async () => lake?.stop());

describe("run_query on athena-local", () => {
  it("builds the seed, the staging view and the pivot", () => {
    expect(results.map((r) => `${r.id} ${r.status}`)).toEqual([
      "seed.raw_orders success",
      "model.stg_orders success",
      "model.status_pivot success",
    ]);
  });

  it("sends the model's query through Athena once, in SQL that parses", async () => {
    const queries = (await callLog(lake.endpoint.url)).filter(
      (c) => c.api === "Athena.StartQueryExecution" && /select distinct status/i.test(c.resource),
    );
    expect(queries.map((q) => q.resource.trim())).toEqual([
      'select distinct status from "jaffle_staging"."stg_orders" order by status',
    ]);
    expect(grammarErrors({ sql: queries[0]!.resource, grammar: "trino" })).toEqual([]);
  });

  it("pivots over the statuses found: rows by hand", async () => {
    const rows = await athenaRows(
      lake.endpoint.url,
      "select customer_id, completed_orders, placed_orders, returned_orders, shipped_orders, " +
        "total_orders from jaffle.status_pivot order by customer_id",
    );
    expect(rows).toEqual([
      ["1", "1", "0", "1", "0", "2"],
      ["2", "0", "1", "0", "0", "1"],
      ["3", "1", "0", "0", "1", "2"],
    ]);
  });
});
