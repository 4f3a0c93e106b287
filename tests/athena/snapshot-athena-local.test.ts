import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import type { AthenaTarget } from "@sluice/project";
import { loadProject } from "@sluice/project";
import { runProject, type RunCommand } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaRows,
  awsEnv,
  callLog,
  startEndpoint,
  type Endpoint,
} from "../support/athena-local.js";
import { copyJaffleShop } from "../support/dbt-fixture.js";

/**
 * The jaffle_shop fixture's timestamp snapshot on `sluice athena-local` (its profile's Athena
 * output, pointed at the endpoint): the first run creates an Iceberg table by CTAS, the next one
 * MERGEs into it, and the history equals the one computed by hand (as on the lake, see
 * tests/dbt/snapshots.e2e.test.ts).
 */
let endpoint: Endpoint;
let aws: string;
let dir: string;
let cleanup: () => Promise<void>;

async function run(command: RunCommand, select?: string[]) {
  const project = await loadProject(dir, { env: {} });
  const target: AthenaTarget = {
    ...(project.config.targets["prod"] as AthenaTarget),
    endpoint: endpoint.url,
  };
  project.config.targets["prod"] = target;
  const dialect = dialectFor(target);
  const runId = `r${Date.now()}`;
  const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const selected = select
    ? compiled.nodes.filter((n) => select.includes(n.name)).map((n) => n.id)
    : undefined;
  const engine = await openEngine(target, dir, { runId });
  try {
    const results = await runProject({
      command,
      compiled,
      ...(selected ? { selected } : {}),
      engine,
      dialect,
      runId,
      threads: 1,
    });
    return results.results;
  } finally {
    await engine.close();
  }
}

const history = async () =>
  (
    await athenaRows(
      endpoint.url,
      "select cast(customer_id as varchar), tier, cast(dbt_valid_from as varchar), " +
        "coalesce(cast(dbt_valid_to as varchar), '-') from jaffle_snapshots.customers_snapshot " +
        "order by customer_id, dbt_valid_from",
    )
  ).map((r) => r.map((v) => v.replace(/(\d\d:\d\d:\d\d)(\.0+)?$/, "$1")));

const saved: Record<string, string[][]> = {};
const statuses: Record<string, string[]> = {};

beforeAll(async () => {
  Object.assign(process.env, awsEnv);
  ({ dir, cleanup } = await copyJaffleShop());
  aws = await mkdtemp(path.join(os.tmpdir(), "sluice-aws-local-"));
  await mkdir(path.join(aws, "jaffle-lake"), { recursive: true });
  await mkdir(path.join(aws, "jaffle-athena-results"), { recursive: true });
  endpoint = await startEndpoint(aws, 0);
  const select = ["raw_customer_tiers", "customers_snapshot"];
  statuses["1-seed"] = (await run("seed", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  statuses["1"] = (await run("snapshot", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  saved["1"] = await history();
  await writeFile(
    path.join(dir, "seeds/raw_customer_tiers.csv"),
    "customer_id,tier,updated_at\n1,silver,2018-02-01 00:00:00\n2,silver,2018-01-01 00:00:00\n" +
      "4,bronze,2018-02-01 00:00:00\n",
  );
  await callLog(endpoint.url, true);
  statuses["2-seed"] = (await run("seed", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  statuses["2"] = (await run("snapshot", select)).map((r) => `${r.id} ${r.status} ${r.message}`);
  saved["2"] = await history();
}, 240_000);

afterAll(async () => {
  await endpoint?.stop();
  await cleanup?.();
  if (aws) await rm(aws, { recursive: true, force: true });
});

describe("a dbt snapshot on athena-local (Iceberg)", () => {
  it("is created by CTAS, then merged", () => {
    expect(statuses).toMatchObject({
      "1": ["snapshot.customers_snapshot success snapshot created"],
      "2": ["snapshot.customers_snapshot success snapshot updated"],
    });
  });

  it("the second run is one MERGE INTO the Iceberg table", async () => {
    const merges = (await callLog(endpoint.url)).filter(
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
