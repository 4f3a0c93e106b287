import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject, dialectFor } from "@sluice/compiler";
import type { CompiledNode } from "@sluice/compiler";
import {
  formatPlans,
  planNode,
  selectRecord,
  type CatalogState,
  type NodePlan,
} from "@sluice/compiler/plan";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { jaffleShopDir } from "../support/dbt-fixture.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * Golden plans, as Dataform's `cli/api/goldens/`: what each materialization × strategy does on
 * each engine (the local lake and Athena + Glue + S3), first run and next run, as
 * `build --dry-run` prints it. The files under `goldens/` are checked in; a change to a plan must
 * change them on purpose:
 *
 *     SLUICE_UPDATE_GOLDENS=1 npx vitest run plans/plan-goldens.test.ts   (from tests/)
 *
 * and the diff is reviewed like code.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const projectDir = path.join(here, "project");
const goldenDir = path.join(here, "goldens");
const update = process.env["SLUICE_UPDATE_GOLDENS"] === "1";
const RUN_ID = "20261128T000000Z_gold";

/** The catalog state of a table a previous build published, as the catalog reports it. */
function published(node: CompiledNode, engine: string): CatalogState {
  const location =
    engine === "athena"
      ? `s3://plans-lake/${node.relation.schema}/${node.relation.name}/20261127T000000Z_prev`
      : `<project>/.lake/${node.relation.schema}/${node.relation.name}/v_20261127T000000Z_prev`;
  const types: Record<string, string> = { order_id: "bigint", amount: "double" };
  const columns = ["order_id", "amount", "dt", ...node.partitionedBy].map((name) => ({
    name,
    type: types[name] ?? "varchar",
  }));
  return { exists: true, kind: "table", location, columns, watermark: "2026/11/28/05" };
}

interface Case {
  file: string;
  plan: NodePlan;
}

async function cases(targetName: "local" | "prod"): Promise<Case[]> {
  const project = await loadProject(projectDir);
  const target = project.config.targets[targetName]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, { targetName, runId: RUN_ID, dialect, env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out: Case[] = [];
  for (const node of compiled.nodes) {
    const name = `${target.engine}/${node.materialization}-${node.name}`;
    const input = { fullRefresh: false, writeId: RUN_ID };
    out.push({
      file: `${name}.first-run.txt`,
      plan: planNode(node, dialect, { ...input, state: { exists: false } }),
    });
    if (node.materialization === "incremental")
      out.push({
        file: `${name}.next-run.txt`,
        plan: planNode(node, dialect, { ...input, state: published(node, target.engine) }),
      });
    // The table recorded (sluice_select; the lake: its state's select) that the SELECT's columns
    // are its own, for the inputs the SELECT has now: no probe (Athena probes only for
    // on_schema_change, the lake for every incremental write).
    if (
      node.materialization === "incremental" &&
      (node.config.on_schema_change || target.engine !== "athena")
    ) {
      const selectInputs = "sha256:inputs";
      const schema = "20261127T000000Z_prev";
      const state = { ...published(node, target.engine), schema };
      out.push({
        file: `${name}.next-run.recorded.txt`,
        plan: planNode(node, dialect, {
          ...input,
          selectInputs,
          state: { ...state, select: selectRecord(selectInputs, schema) },
        }),
      });
    }
  }
  return out;
}

/** The plan as text, with the checkout's path replaced (goldens do not depend on it). */
const text = (plan: NodePlan, dir = projectDir): string =>
  `${formatPlans([plan]).split(dir).join("<project>")}\n`;

/** The golden file's text, written when updating (or when missing, failing then). */
function checkGolden(file: string, actual: string): void {
  const golden = path.join(goldenDir, file);
  if (update || !existsSync(golden)) {
    if (!update) throw new Error(`${file}: no golden (run with SLUICE_UPDATE_GOLDENS=1)`);
    mkdirSync(path.dirname(golden), { recursive: true });
    writeFileSync(golden, actual);
  }
  expect(actual).toBe(readFileSync(golden, "utf8"));
}

describe.each(["local", "prod"] as const)("plan goldens on target %s", async (targetName) => {
  const all = await cases(targetName);

  it.each(all.map((c) => [c.file, c] as const))("%s", (file, { plan }) => {
    checkGolden(file, text(plan));
  });

  it("covers every materialization and incremental strategy, first and next run", () => {
    const actions = new Set(all.map((c) => `${c.plan.materialization} ${c.plan.action}`));
    expect([...actions].sort()).toEqual([
      "incremental append",
      "incremental insert_overwrite",
      "incremental merge",
      "incremental new version",
      "seed new version",
      "table new version",
      "view create view",
    ]);
    expect(all.every((c) => c.plan.error === undefined)).toBe(true);
  });

  if (targetName === "prod")
    it("every Athena statement of the plans parses under the grammar Athena routes it to", () => {
      const statements = all.flatMap((c) =>
        c.plan.steps.flatMap((s) => (s.kind === "sql" ? [[c.file, s.statement] as const] : [])),
      );
      expect(statements.length).toBeGreaterThan(10);
      for (const [file, statement] of statements) {
        expect(statement.grammar).not.toBe("duckdb");
        expect({ file, errors: grammarErrors(statement) }).toEqual({ file, errors: [] });
      }
    });
});

/** The columns dbt adds to a snapshot's table. */
const SNAPSHOT_META = ["dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"];

/**
 * A dbt snapshot (the jaffle_shop fixture's timestamp snapshot; sluice.yml projects have none) on
 * each engine: the first run, the next run as planned before its column probe (the probe is its
 * first step) and as planned again with the columns the probe returned (the table's, less dbt's):
 * the same steps, which the build runs in that order.
 */
describe.each([
  ["dev", "duckdb"],
  ["prod", "athena"],
] as const)("snapshot plan goldens on the jaffle_shop target %s", async (targetName, engine) => {
  const project = await loadProject(jaffleShopDir, { env: {} });
  const target = project.config.targets[targetName]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, { targetName, runId: RUN_ID, dialect, env: {} });
  const node = compiled.nodes.find((n) => n.name === "customers_snapshot")!;
  const input = { fullRefresh: false, writeId: RUN_ID };
  const location =
    engine === "athena"
      ? "s3://jaffle-lake/tables/jaffle_snapshots/customers_snapshot/20261127T000000Z_prev"
      : `${jaffleShopDir}/.lake/snapshots/customers_snapshot/v_20261127T000000Z_prev`;
  const query = [
    { name: "customer_id", type: "integer" },
    { name: "tier", type: "varchar" },
    { name: "updated_at", type: "timestamp" },
  ];
  const columns = [...query, ...SNAPSHOT_META.map((name) => ({ name, type: "varchar" }))];
  const state: CatalogState = { exists: true, kind: "table", location, columns };
  const plans = {
    "first-run": planNode(node, dialect, { ...input, state: { exists: false } }),
    "next-run": planNode(node, dialect, { ...input, state }),
    "next-run.probed": planNode(node, dialect, { ...input, state, incoming: query }),
  };

  it.each(Object.entries(plans))(`${engine}/snapshot-customers_snapshot.%s.txt`, (name, plan) => {
    expect(plan.error).toBeUndefined();
    checkGolden(`${engine}/snapshot-customers_snapshot.${name}.txt`, text(plan, jaffleShopDir));
  });

  it("the next run probes the query's columns first; planned again with them, the same steps", () => {
    const next = plans["next-run"].steps;
    expect(next[0]).toMatchObject({ kind: "sql", role: "probe_columns" });
    expect(next[0]!.kind === "sql" && next[0]!.statement.sql).toMatch(/LIMIT 0$/);
    expect(plans["next-run.probed"].steps).toEqual(next);
    expect(plans["next-run"].action).toBe(
      engine === "athena" ? "snapshot merge" : "snapshot rewrite",
    );
    expect(
      plans["first-run"].steps.some((s) => s.kind === "sql" && s.role === "probe_columns"),
    ).toBe(false);
  });

  it("a query whose columns are not the table's fails the plan made after the probe", () => {
    const lost = planNode(node, dialect, { ...input, state, incoming: query.slice(0, 2) });
    expect(lost.error).toMatch(/the table has columns the query lost \(updated_at\)/);
  });

  if (engine === "athena")
    it("every statement parses under the grammar Athena routes it to", () => {
      for (const plan of Object.values(plans))
        for (const step of plan.steps)
          if (step.kind === "sql") expect(grammarErrors(step.statement)).toEqual([]);
    });
});
