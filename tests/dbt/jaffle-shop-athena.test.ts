import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { jaffleShopDir } from "../support/dbt-fixture.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * The jaffle_shop fixture's Athena output (`--target prod` of its profile): every statement
 * parses under the grammar Athena routes it to, and schemas and locations follow the profile.
 */
describe("jaffle_shop compiled for its athena output", async () => {
  const project = await loadProject(jaffleShopDir, { env: {} });
  const target = project.config.targets["prod"]!;
  const compiled = compileProject(project, {
    targetName: "prod",
    runId: "20261203T000000Z_test",
    dialect: dialectFor(target),
    env: {},
  });

  it("maps the profile's athena output to an Athena target", () => {
    expect(project.config.dbt?.profile).toBe("jaffle_shop");
    expect(project.config["default-target"]).toBe("dev");
    expect(target).toEqual({
      engine: "athena",
      region: "eu-west-1",
      workgroup: "primary",
      s3_staging_dir: "s3://jaffle-athena-results/queries/",
      s3_lake_root: "s3://jaffle-lake/tables",
      databases: {},
      threads: 4,
      schema: "jaffle",
    });
  });

  it("compiles without errors, to Athena SQL", () => {
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(compiled.dialect).toBe("athena");
  });

  it("names Glue databases as dbt-athena does: <schema>, <schema>_<custom>", () => {
    const relations = Object.fromEntries(
      compiled.nodes
        .filter((n) => n.kind !== "test")
        .map((n) => [n.name, `${n.relation.schema}.${n.relation.name}`]),
    );
    expect(relations).toMatchObject({
      raw_orders: "jaffle.raw_orders",
      stg_payments: "jaffle_staging.stg_payments",
      orders: "jaffle.orders",
      completed_orders: "jaffle.completed_orders",
    });
    const orders = compiled.nodes.find((n) => n.name === "orders")!;
    expect(orders.location).toMatch(/^s3:\/\/jaffle-lake\/tables\/jaffle\/orders\//);
  });

  const statements = compiled.nodes.flatMap((n) =>
    [...n.statements, ...(n.incrementalStatements ?? [])].map((s, i) => ({
      id: `${n.id}#${i} ${s.kind}`,
      statement: s,
    })),
  );

  it("has views, tables, an incremental insert and tests to check", () => {
    const kinds = new Set(statements.map((s) => s.statement.kind));
    for (const k of ["create_view", "create_table_as", "insert", "select"])
      expect(kinds).toContain(k);
  });

  it.each(statements.map((s) => [s.id, s.statement] as const))("%s parses", (_id, statement) => {
    expect(grammarErrors(statement)).toEqual([]);
  });
});
