import { compileProject, dialectFor } from "@sluice/compiler";
import { planNode } from "@sluice/compiler/plan";
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
  const dialect = dialectFor(target);
  const compiled = compileProject(project, {
    targetName: "prod",
    runId: "20261203T000000Z_test",
    dialect,
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

  const snapshots = compiled.nodes.filter((n) => n.kind === "snapshot");
  const columns = (names: string) => names.split(" ").map((name) => ({ name, type: "varchar" }));
  const tables: Record<string, string> = {
    customers_snapshot:
      "customer_id tier updated_at dbt_scd_id dbt_updated_at dbt_valid_from dbt_valid_to",
    order_status_snapshot:
      "order_id customer_id order_date status dbt_scd_id dbt_updated_at dbt_valid_from dbt_valid_to dbt_is_deleted",
  };
  it("snapshots build Iceberg tables in the profile's schema, first with CTAS", () => {
    expect(snapshots.map((n) => [n.id, `${n.relation.schema}.${n.relation.name}`])).toEqual([
      ["snapshot.customers_snapshot", "jaffle_snapshots.customers_snapshot"],
      ["snapshot.order_status_snapshot", "jaffle_snapshots.order_status_snapshot"],
    ]);
    for (const n of snapshots)
      expect(n.statements.map((s) => s.sql).join("\n")).toMatch(/table_type = 'ICEBERG'/);
  });

  it.each(snapshots.map((n) => [n.id, n] as const))(
    "%s: its next run probes the query's columns, then one MERGE INTO the Iceberg table, matched on dbt_scd_id; both parse",
    (_id, node) => {
      const plan = planNode(node, dialect, {
        fullRefresh: false,
        writeId: "r2",
        state: { exists: true, kind: "table", columns: columns(tables[node.name]!) },
      });
      expect(plan.error).toBeUndefined();
      expect(plan.action).toBe("snapshot merge");
      const sql = plan.steps.flatMap((s) => (s.kind === "sql" ? [s.statement] : []));
      // The probe (a plan step since the snapshot's plan holds it) reads no rows.
      expect(sql.map((s) => s.kind)).toEqual(["select", "merge"]);
      expect(sql[0]!.sql).toMatch(/\) AS sluice_limit LIMIT 0$/);
      expect(sql[1]!.sql).toMatch(/^MERGE INTO "jaffle_snapshots"\."\w+" AS dbt_internal_dest\n/);
      expect(sql[1]!.sql).toMatch(
        /ON dbt_internal_source\.dbt_scd_id = dbt_internal_dest\.dbt_scd_id/,
      );
      for (const statement of sql) expect(grammarErrors(statement)).toEqual([]);
    },
  );

  it("a snapshot whose query lost or gained a column fails its plan with the columns named", () => {
    const plan = planNode(snapshots[0]!, dialect, {
      fullRefresh: false,
      writeId: "r2",
      state: { exists: true, kind: "table", columns: columns(tables["customers_snapshot"]!) },
      sourceColumns: ["customer_id", "tier", "updated_at", "email"],
    });
    expect(plan.error).toMatch(/the query has columns the table lacks \(email\)/);
  });
});
