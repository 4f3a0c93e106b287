import { createDuckdbDialect } from "@sluice/dialects";
import type { DuckdbTarget, ProjectConfig, SnapshotFile } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import { planNode } from "../src/plan/index.js";
import { model, project } from "./fixture-project.js";

const lake: DuckdbTarget = { engine: "duckdb", lake: "dev.lake", threads: 1, schema: "main" };
const dbtConfig: Partial<ProjectConfig> = {
  targets: { dev: lake },
  "default-target": "dev",
  "sql-dialect": "duckdb",
  dbt: { profile: "shop", profilesFile: "/proj/profiles.yml", packages: [] },
};

/** A snapshot block's template as the loader cuts it out (line 1 is the block's tag). */
function snapshot(name: string, body: string): SnapshotFile {
  const path = `snapshots/${name}.sql`;
  return {
    path,
    absPath: `/proj/${path}`,
    name,
    folders: [],
    text: `${" ".repeat(20)}\n${body}`,
    at: { file: path, line: 1, column: 1 },
  };
}

function compile(snapshots: SnapshotFile[]) {
  return compileProject(
    project({
      models: [model("orders.sql", "select 1 as id, 'a' as s, current_timestamp as u")],
      snapshots,
      config: dbtConfig,
    }),
    { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
  );
}

describe("dbt snapshots compile", () => {
  it("a snapshot depends on what it refs; its first build adds dbt's columns", () => {
    const compiled = compile([
      snapshot(
        "orders_snapshot",
        "{{ config(target_schema='history', unique_key='id', strategy='timestamp', updated_at='u') }}\nselect * from {{ ref('orders') }}",
      ),
    ]);
    expect(compiled.diagnostics).toEqual([]);
    const node = compiled.nodes.find((n) => n.id === "snapshot.orders_snapshot")!;
    expect(node).toMatchObject({
      kind: "snapshot",
      materialization: "snapshot",
      dependsOn: ["model.orders"],
      relation: { schema: "history", name: "orders_snapshot" },
    });
    const copy = node.statements.find((s) => s.kind === "copy")!.sql;
    expect(copy).toContain(
      `md5(coalesce(cast("id" as varchar), '') || '|' || coalesce(cast("u" as varchar), '')) as dbt_scd_id`,
    );
    expect(copy).toContain(`nullif("u", "u") as dbt_valid_to`);
  });

  it("config a snapshot cannot run with is an error at the snapshot, with the fix", () => {
    const compiled = compile([
      snapshot("a", "{{ config(unique_key='id') }}\nselect 1 as id"),
      snapshot("b", "{{ config(strategy='timestamp') }}\nselect 1 as id"),
      snapshot("c", "{{ config(strategy='check', unique_key='id') }}\nselect 1 as id"),
    ]);
    expect(
      compiled.diagnostics.map((d) => `${d.at?.file}:${d.at?.line} ${d.code}: ${d.message}`),
    ).toEqual([
      "snapshots/a.sql:1 SNAPSHOT_INVALID: a snapshot needs a strategy",
      "snapshots/b.sql:1 SNAPSHOT_INVALID: a snapshot needs a unique_key",
      "snapshots/b.sql:2 SNAPSHOT_INVALID: snapshot strategy 'timestamp' needs updated_at",
      "snapshots/c.sql:2 SNAPSHOT_INVALID: snapshot strategy 'check' needs check_cols",
    ]);
    expect(compiled.nodes.some((n) => n.kind === "snapshot")).toBe(false);
  });

  it("a model cannot be materialized as a snapshot", () => {
    const compiled = compileProject(
      project({
        models: [model("m.sql", "{{ config(materialized='snapshot') }}\nselect 1 as id")],
        config: dbtConfig,
      }),
      { runId: "r1", dialect: createDuckdbDialect({ trinoCompat: false }) },
    );
    expect(compiled.diagnostics.map((d) => d.message)).toEqual([
      "materialized 'snapshot' is for dbt snapshots, not models",
    ]);
  });

  it("the lake's next run rewrites the table: closed rows' valid_to, then the inserts, in the table's columns", () => {
    const compiled = compile([
      snapshot(
        "s",
        "{{ config(unique_key=['id', 's'], strategy='check', check_cols='all', hard_deletes='invalidate') }}\nselect * from {{ ref('orders') }}",
      ),
    ]);
    const node = compiled.nodes.find((n) => n.id === "snapshot.s")!;
    const names = "id s u dbt_scd_id dbt_updated_at dbt_valid_from dbt_valid_to".split(" ");
    const plan = planNode(node, createDuckdbDialect({ trinoCompat: false }), {
      fullRefresh: false,
      writeId: "r2",
      state: {
        exists: true,
        kind: "table",
        location: "/lake/main/s/v_r1",
        columns: names.map((name) => ({ name, type: "varchar" })),
      },
      sourceColumns: ["id", "s", "u"],
    });
    expect(plan.action).toBe("snapshot rewrite");
    const copy = plan.steps.flatMap((s) =>
      s.kind === "sql" && s.statement.kind === "copy" ? [s.statement.sql] : [],
    )[0]!;
    // compound keys join on each; check 'all' compares every column but the key
    expect(copy).toContain(
      "snapshotted_data.dbt_unique_key_1 = source_data.dbt_unique_key_1 and snapshotted_data.dbt_unique_key_2 = source_data.dbt_unique_key_2",
    );
    expect(copy).toContain(`snapshotted_data."u" != source_data."u"`);
    expect(copy).not.toContain(`snapshotted_data."id" != source_data."id"`);
    expect(copy).toContain("coalesce(closed.dbt_valid_to, t.dbt_valid_to) as dbt_valid_to");
    expect(copy).toContain(`select i."id", i."s", i."u", i."dbt_scd_id"`);
  });
});
