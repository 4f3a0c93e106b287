import { copyFile, cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileProject, dialectFor, renderWithWarehouse } from "@sluice/compiler";
import type { CompiledNode, QueryRows } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runSluice } from "../support/cli.js";
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
/** `sluice compile` before the lake existed, and the SQL it wrote for status_pivot. */
let early: { run: Awaited<ReturnType<typeof sluice>>; sql: string };
const compiledSql = (name: string) =>
  readFile(path.join(dir, `target/compiled/models/warehouse/${name}.sql`), "utf8");

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await cp(modelsDir, path.join(dir, "models/warehouse"), { recursive: true });
  const run = await sluice("compile", "--select", "status_pivot");
  early = { run, sql: await compiledSql("status_pivot") };
  build = await sluice("build", "--select", "+status_pivot", "+warehouse_facts");
  // The build's manifest, as a production state for --defer (later compiles rewrite target/).
  await mkdir(path.join(dir, "prod-state"), { recursive: true });
  await copyFile(
    path.join(dir, "target/manifest.json"),
    path.join(dir, "prod-state/manifest.json"),
  );
}, 300_000);
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

  it("compile before the lake exists marks the SQL as rendered at run time, with why", () => {
    expect(early.run.code, early.run.stderr).toBe(0);
    expect(early.run.stderr).toMatch(
      /warning: status_pivot: rendered at run time \(the lake has no tables yet/,
    );
    expect(early.sql).toMatch(/^-- rendered at run time: this model reads the warehouse/);
    expect(early.sql).toMatch(/first query: select distinct status from .*stg_orders/);
    expect(early.sql).toMatch(/NOT the SQL that will run/);
  });

  it("compile renders with the lake's answers, as dbt's compile does: the SQL that will run", async () => {
    const run = await sluice("compile", "--select", "status_pivot", "warehouse_facts");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const pivot = await compiledSql("status_pivot");
    expect(pivot).not.toMatch(/rendered at run time/);
    for (const status of ["completed", "placed", "returned", "shipped"])
      expect(pivot).toContain(`then 1 else 0 end) as ${status}_orders,`);
    const facts = await compiledSql("warehouse_facts");
    expect(facts).toMatch(/\b4 as customers/);
    expect(facts).toMatch(/'order_id,customer_id,order_date,status' as order_columns/);
  });

  it("build --dry-run plans it with the lake's answers", async () => {
    const run = await sluice("build", "--dry-run", "--select", "status_pivot");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("as shipped_orders,");
    expect(run.stdout).not.toMatch(/rendered at run time/);
  });

  it("compile for an Athena output it cannot reach: a warning with why, the SQL marked (exit 0)", async () => {
    const noAws = {
      DBT_PROFILES_DIR: "",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_PROFILE: "",
      AWS_CONFIG_FILE: path.join(dir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-aws-credentials"),
    };
    const run = await runSluice(
      ["--project-dir", dir, "compile", "--target", "prod", "--select", "status_pivot"],
      { env: noAws },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: status_pivot: rendered at run time \(target 'prod' cannot be reached: .*credentials/i,
    );
    const sql = await compiledSql("status_pivot");
    expect(sql).toMatch(/^-- rendered at run time: [\s\S]*"jaffle_staging"\."stg_orders"/);
    expect(sql).toMatch(/NOT the SQL that will run/);
  });

  it("--defer: its warehouse queries and its SQL read the state's relations", async () => {
    const state = path.join(dir, "prod-state");
    // A second output on the same lake, schema ci: nothing of it is built (ci_staging is empty).
    const profiles = path.join(dir, "profiles.yml");
    const text = await readFile(profiles, "utf8");
    await writeFile(
      profiles,
      text.replace(
        "  outputs:\n",
        "  outputs:\n    ci:\n      type: duckdb\n      path: \"{{ env_var('JAFFLE_DUCKDB_PATH', 'jaffle_shop.duckdb') }}\"\n      schema: ci\n      threads: 2\n",
      ),
    );
    const run = await sluice(
      ...["build", "--target", "ci", "--select", "status_pivot", "--defer", "--state", state],
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/--defer does not apply/);
    const rows = (sql: string) => query<Record<string, unknown>>(sql);
    expect(await rows("select * from ci.status_pivot order by customer_id")).toEqual(
      await rows("select * from main.status_pivot order by customer_id"),
    );
    expect(
      await rows("select table_name from information_schema.tables where table_schema like 'ci%'"),
    ).toEqual([{ table_name: "status_pivot" }]);
    const ran = await readFile(
      path.join(dir, "target/run/models/warehouse/status_pivot.sql"),
      "utf8",
    );
    expect(ran).toContain('"main_staging"."stg_orders"');
    expect(ran).not.toContain("ci_staging");
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

  it("offline, a render that works on empty answers is marked too: never shown as what will run", () => {
    expect(node("status_pivot").sql).toMatch(/^-- rendered at run time: [\s\S]*NOT the SQL/);
    expect(node("status_pivot").statements).toEqual([]);
  });
});

describe("an ephemeral model that reads the warehouse", async () => {
  const { dir: copy, cleanup: done } = await copyJaffleShop();
  const project = await loadProject(copy, { env: {} });
  await done();
  const text =
    "{{ config(materialized='ephemeral') }}\n" +
    "{% set statuses = run_query('select distinct status from ' ~ ref('stg_orders')) %}\n" +
    "select customer_id from {{ ref('stg_orders') }}\n";
  project.models.push(
    {
      path: "models/eph_statuses.sql",
      absPath: `${copy}/models/eph_statuses.sql`,
      text,
      name: "eph_statuses",
      folders: [],
    },
    {
      path: "models/uses_eph.sql",
      absPath: `${copy}/models/uses_eph.sql`,
      text: "select * from {{ ref('eph_statuses') }}\n",
      name: "uses_eph",
      folders: [],
    },
  );
  const compiled = compileProject(project, {
    runId: "20261204T000000Z_test",
    dialect: dialectFor(project.config.targets["dev"]!),
    env: {},
  });

  it("is refused at its run_query, naming it, with the fix (it would be inlined with empty answers)", () => {
    const errors = compiled.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toMatchObject([
      {
        code: "CONFIG_CONFLICT",
        at: { file: "models/eph_statuses.sql", line: 2, column: 19 },
        hint: "make 'eph_statuses' a view or a table: {{ config(materialized='view') }}",
      },
    ]);
    expect(errors[0]!.message).toMatch(/^ephemeral model 'eph_statuses' reads the warehouse/);
    expect(compiled.nodes.map((n) => n.name)).not.toContain("eph_statuses");
  });
});
