import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileProject, dialectFor, renderWithWarehouse } from "@sluice/compiler";
import type { CompiledNode, QueryRows } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * Models that read the warehouse while rendering (dbt's `run_query`, `{% call statement %}` +
 * `load_result`, `adapter.get_columns_in_relation`, `adapter.get_relation`), added to a copy of
 * the jaffle_shop fixture (tests/fixtures/dbt/warehouse_models). Expected rows by hand from the
 * seeds: orders (customer, status) = (1 returned) (3 completed) (1 completed) (2 placed)
 * (3 shipped); payments 1050 2000 100 950 2525 300 1 cents (max 25.25 dollars, 7 rows);
 * 4 customers.
 */
const modelsDir = path.join(repoRoot, "tests/fixtures/dbt/warehouse_models");
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
let build: Awaited<ReturnType<typeof sluice>>;

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await cp(modelsDir, path.join(dir, "models/warehouse"), { recursive: true });
  build = await sluice("build", "--select", "+status_pivot", "+warehouse_facts");
}, 240_000);
afterAll(async () => cleanup());

describe("dbt models that read the warehouse at run time (duckdb lake)", () => {
  it("build", () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });

  it("run_query: one column per status found in the data, counted per customer", async () => {
    const rows = await query<Record<string, unknown>>(
      "select * from main.status_pivot order by customer_id",
    );
    expect(rows.map((r) => Object.keys(r))[0]).toEqual([
      "customer_id",
      "completed_orders",
      "placed_orders",
      "returned_orders",
      "shipped_orders",
      "total_orders",
    ]);
    expect(rows.map((r) => Object.values(r).map(Number))).toEqual([
      [1, 1, 0, 1, 0, 2],
      [2, 0, 1, 0, 0, 1],
      [3, 1, 0, 0, 1, 2],
    ]);
  });

  it("statement/load_result, get_columns_in_relation, get_relation and run_query()[0][0]", async () => {
    const [row] = await query<Record<string, unknown>>("select * from main.warehouse_facts");
    expect({ ...row, max_amount: Number(row!.max_amount) }).toEqual({
      max_amount: 25.25,
      payments: 7,
      order_columns: "order_id,customer_id,order_date,status",
      absent_is_none: true,
      present_relation: "main_staging.stg_orders",
      customers: 4,
      customer_rows: 1,
    });
  });

  it("target/run holds the SQL that ran, rendered with the warehouse's answers", async () => {
    const ran = await readFile(
      path.join(dir, "target/run/models/warehouse/status_pivot.sql"),
      "utf8",
    );
    expect(ran).toMatch(/'completed' then 1 else 0 end\) as completed_orders/);
    expect(ran).toMatch(/as shipped_orders,/);
  });

  it("a failing warehouse query fails the model with the engine's message (exit 1)", async () => {
    const file = path.join(dir, "models/warehouse/broken_query.sql");
    await writeFile(
      file,
      "{% set r = run_query('select nope from ' ~ ref('stg_orders')) %}\nselect 1 as x\n",
    );
    const run = await sluice("run", "--select", "broken_query");
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/broken_query[\s\S]*nope/);
  });
});

describe("offline compile and the Athena target", async () => {
  const { dir: copy, cleanup: done } = await copyJaffleShop();
  await cp(modelsDir, path.join(copy, "models/warehouse"), { recursive: true });
  const project = await loadProject(copy, { env: {} });
  await done();
  const target = project.config.targets["prod"]!;
  const dialect = dialectFor(target);
  const options = { targetName: "prod", runId: "20261204T000000Z_test", dialect, env: {} };
  const compiled = compileProject(project, options);
  const node = (name: string) => compiled.nodes.find((n) => n.name === name)!;

  it("compiles offline without errors; the models are marked to render at run time", () => {
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(node("status_pivot").renderAtRun).toBe(true);
    expect(node("warehouse_facts").renderAtRun).toBe(true);
    expect(node("stg_orders").renderAtRun).toBeUndefined();
  });

  it("a render that fails on the empty offline answers shows no statements, not wrong ones", () => {
    expect(node("warehouse_facts").sql).toMatch(/^-- rendered at run time/);
    expect(node("warehouse_facts").statements).toEqual([]);
  });

  it("renders on Athena with the engine's answers: each query once, in Athena SQL that parses", async () => {
    const sent: string[] = [];
    const answer = (sql: string): QueryRows => {
      sent.push(sql);
      if (/distinct status/.test(sql))
        return {
          columns: [{ name: "status" }],
          rows: [{ status: "completed" }, { status: "placed" }],
        };
      return { columns: [], rows: [] };
    };
    const rendered = (await renderWithWarehouse(
      project,
      options,
      node("status_pivot"),
      async (sql) => answer(sql),
    )) as CompiledNode;
    expect(sent).toEqual([
      'select distinct status from "jaffle_staging"."stg_orders" order by status',
    ]);
    expect(rendered.sql).toMatch(/as completed_orders,[\s\S]*as placed_orders,/);
    for (const s of [...rendered.statements, { sql: sent[0]!, grammar: "trino" as const }])
      expect(grammarErrors(s)).toEqual([]);
  });

  it("every statement of the offline compile parses under the Athena grammar", () => {
    for (const s of node("status_pivot").statements) expect(grammarErrors(s)).toEqual([]);
  });
});
