import { writeFile } from "node:fs/promises";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { isCatalogEngine, openEngine, type Engine } from "@sluice/engines";
import type { NodePlan } from "@sluice/compiler/plan";
import { planRun, runProject, type RunCommand } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaRows, callLog } from "../support/athena-local.js";
import { jaffleOnAthenaLocal, type JaffleOnAthenaLocal } from "../support/dbt-fixture.js";

/**
 * The jaffle_shop fixture's timestamp snapshot on `sluice athena-local` (its profile's Athena
 * output, pointed at the endpoint): the first run creates an Iceberg table by CTAS, the next one
 * MERGEs into it, and the history equals the one computed by hand (as on the lake, see
 * tests/dbt/snapshots.e2e.test.ts).
 */
let lake: JaffleOnAthenaLocal;

/** The steps each snapshot run ran, as the runner reports them (its `onPlan`). */
const ran: Record<string, string[]> = {};
const steps = (plan: NodePlan) =>
  plan.steps.map((s) =>
    s.kind === "sql" ? `sql ${s.statement.kind}${s.role ? ` ${s.role}` : ""}` : `${s.kind} ${s.op}`,
  );

async function run(command: RunCommand, select?: string[], label?: string) {
  const { project, target } = await lake.load();
  const dialect = dialectFor(target);
  const runId = `r${Date.now()}`;
  const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const selected = select
    ? compiled.nodes.filter((n) => select.includes(n.name)).map((n) => n.id)
    : undefined;
  const engine = await openEngine(target, lake.dir, { runId });
  try {
    const results = await runProject({
      command,
      compiled,
      ...(selected ? { selected } : {}),
      engine,
      dialect,
      runId,
      threads: 1,
      onPlan: async (node, plan) => {
        if (label && node.kind === "snapshot") ran[label] = steps(plan);
      },
    });
    return results.results;
  } finally {
    await engine.close();
  }
}

const catalogEngine = (engine: Engine) => {
  if (!isCatalogEngine(engine)) throw new Error(`${engine.name} is not a catalog engine`);
  return engine;
};

const history = async () =>
  (
    await athenaRows(
      lake.endpoint.url,
      "select cast(customer_id as varchar), tier, cast(dbt_valid_from as varchar), " +
        "coalesce(cast(dbt_valid_to as varchar), '-') from jaffle_snapshots.customers_snapshot " +
        "order by customer_id, dbt_valid_from",
    )
  ).map((r) => r.map((v) => v.replace(/(\d\d:\d\d:\d\d)(\.0+)?$/, "$1")));

const saved: Record<string, string[][]> = {};
const statuses: Record<string, string[]> = {};

beforeAll(async () => {
  lake = await jaffleOnAthenaLocal();
  const select = ["raw_customer_tiers", "customers_snapshot"];
  statuses["1-seed"] = (await run("seed", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  statuses["1"] = (await run("snapshot", select, "1")).map(
    (r) => `${r.id} ${r.status} ${r.message}`,
  );
  saved["1"] = await history();
  await writeFile(
    path.join(lake.dir, "seeds/raw_customer_tiers.csv"),
    "customer_id,tier,updated_at\n1,silver,2018-02-01 00:00:00\n2,silver,2018-01-01 00:00:00\n" +
      "4,bronze,2018-02-01 00:00:00\n",
  );
  await callLog(lake.endpoint.url, true);
  statuses["2-seed"] = (await run("seed", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  statuses["2"] = (await run("snapshot", select, "2")).map(
    (r) => `${r.id} ${r.status} ${r.message}`,
  );
  saved["2"] = await history();
}, 240_000);

afterAll(async () => lake?.stop());

describe("a dbt snapshot on athena-local (Iceberg)", () => {
  it("is created by CTAS, then merged", () => {
    expect(statuses).toMatchObject({
      "1": ["snapshot.customers_snapshot success snapshot created"],
      "2": ["snapshot.customers_snapshot success snapshot updated"],
    });
  });

  it("runs its plan: CTAS and Glue swap, then the column probe and the MERGE", () => {
    expect(ran).toEqual({
      "1": [
        "catalog drop_staging_tables",
        "sql create_table_as write_version",
        "catalog publish_table",
        "storage delete_stale_locations",
      ],
      "2": ["sql select probe_columns", "sql merge"],
    });
  });

  it("build --dry-run --full-refresh plans the merge the build runs (a snapshot is never rebuilt)", async () => {
    const { project, target } = await lake.load();
    const dialect = dialectFor(target);
    const runId = `r${Date.now()}`;
    const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
    const engine = await openEngine(target, lake.dir, { readOnly: true });
    try {
      const selected = compiled.nodes.filter((n) => n.name === "customers_snapshot");
      const [plan] = await planRun({
        command: "build",
        compiled,
        selected: selected.map((n) => n.id),
        engine: catalogEngine(engine),
        dialect,
        runId,
        fullRefresh: true,
      });
      expect(plan?.action).toBe("snapshot merge");
      expect(steps(plan!)).toEqual(["sql select probe_columns", "sql merge"]);
    } finally {
      await engine.close();
    }
  });

  it("the second run is one MERGE INTO the Iceberg table", async () => {
    const merges = (await callLog(lake.endpoint.url)).filter(
      (c) => c.api === "Athena.StartQueryExecution" && /^\s*MERGE INTO/i.test(c.resource),
    );
    expect(merges.map((m) => m.resource.split("\n")[0])).toEqual([
      'MERGE INTO "jaffle_snapshots"."customers_snapshot" AS dbt_internal_dest',
    ]);
  });

  it("the history equals the hand-computed one", () => {
    const [jan, feb] = ["2018-01-01 00:00:00", "2018-02-01 00:00:00"];
    expect(saved["1"]).toEqual([
      ["1", "bronze", jan, "-"],
      ["2", "silver", jan, "-"],
      ["3", "gold", jan, "-"],
    ]);
    const gone = saved["2"]!.find((r) => r[0] === "3")![3]!;
    expect(gone).toMatch(/^20\d\d-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(saved["2"]).toEqual([
      ["1", "bronze", jan, feb],
      ["1", "silver", feb, "-"],
      ["2", "silver", jan, "-"],
      ["3", "gold", jan, gone],
      ["4", "bronze", feb, "-"],
    ]);
  });
});

/**
 * A model downstream of a snapshot must rebuild when the snapshot's MERGE changed rows, even if
 * the snapshot's own source did not change since the model was built: the snapshot is one of the
 * model's input tables (its version), not a view to walk through to its source.
 */
describe("a model downstream of a snapshot on athena-local", () => {
  const tiers = async () => {
    const { project, target } = await lake.load();
    const compiled = compileProject(project, {
      targetName: "prod",
      runId: `r${Date.now()}`,
      dialect: dialectFor(target),
      env: {},
    });
    const node = compiled.nodes.find((n) => n.name === "current_tiers")!;
    return (
      await athenaRows(
        lake.endpoint.url,
        `select cast(customer_id as varchar), tier from ${node.relation.schema}.${node.relation.name} order by 1`,
      )
    ).map((r) => r.join(" "));
  };
  const status = async (command: RunCommand, select: string[]) =>
    (await run(command, select)).map((r) => `${r.id} ${r.status}`);

  it("rebuilds after the snapshot merged rows its source had before the model's last build", async () => {
    // Built from the snapshot as it is (after its second run).
    expect(await status("build", ["current_tiers"])).toEqual(["model.current_tiers success"]);
    expect(await tiers()).toEqual(["1 silver", "2 silver", "4 bronze"]);
    // The seed changes and the model is rebuilt (its recorded inputs change), the snapshot not.
    await writeFile(
      path.join(lake.dir, "seeds/raw_customer_tiers.csv"),
      "customer_id,tier,updated_at\n1,gold,2018-03-01 00:00:00\n2,silver,2018-01-01 00:00:00\n" +
        "4,bronze,2018-02-01 00:00:00\n",
    );
    expect(await status("seed", ["raw_customer_tiers"])).toEqual([
      "seed.raw_customer_tiers success",
    ]);
    expect(await status("build", ["current_tiers"])).toEqual(["model.current_tiers success"]);
    expect(await tiers()).toEqual(["1 silver", "2 silver", "4 bronze"]);
    // Now the snapshot merges customer 1's new tier; its source is as the model last saw it.
    expect(await status("snapshot", ["customers_snapshot"])).toEqual([
      "snapshot.customers_snapshot success",
    ]);
    const again = await run("build", ["current_tiers"]);
    expect(again.map((r) => `${r.id} ${r.status} ${r.message}`)[0]).not.toMatch(/unchanged/);
    expect(await tiers()).toEqual(["1 gold", "2 silver", "4 bronze"]);
    // And with nothing new, it is left as it is.
    const rerun = await run("build", ["current_tiers"]);
    expect(rerun.map((r) => `${r.id} ${r.status} ${r.message}`)[0]).toMatch(/unchanged/);
  }, 300_000);
});
