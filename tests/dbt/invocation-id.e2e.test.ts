import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt's `invocation_id` is the run's id, the one run_results.json names, though the compile is
 * cached with a placeholder between runs; `project_name` is dbt_project.yml's `name`; and
 * `ref('<project>', '<model>')` reads the project's own model.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await writeFile(
    path.join(dir, "models/audit_runs.sql"),
    "{{ config(materialized='incremental') }}\n" +
      "select '{{ invocation_id }}' as invocation_id, '{{ project_name }}' as project,\n" +
      "  (select count(*) from {{ ref('jaffle_shop', 'stg_orders') }}) as orders\n",
  );
}, 60_000);
afterAll(async () => cleanup());

describe("invocation_id, project_name and ref('project', 'model')", () => {
  it("each run writes its own id, the one run_results.json names", async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const built = await sluice("build", "--select", "+audit_runs");
      expect(built.code, built.stderr).toBe(0);
      const results = JSON.parse(
        await readFile(path.join(dir, "target/run_results.json"), "utf8"),
      ) as { metadata: { invocation_id: string } };
      ids.push(results.metadata.invocation_id);
    }
    expect(ids[0]).not.toBe(ids[1]);
    const rows = await query<{ invocation_id: string; project: string; orders: number }>(
      "select * from main.audit_runs order by invocation_id",
    );
    // The seed's orders, counted from its CSV (header line aside).
    const csv = await readFile(path.join(dir, "seeds/raw_orders.csv"), "utf8");
    const orders = csv.trim().split("\n").length - 1;
    expect(rows).toEqual(ids.map((id) => ({ invocation_id: id, project: "jaffle_shop", orders })));
  }, 240_000);
});
