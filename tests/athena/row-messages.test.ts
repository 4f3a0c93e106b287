import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { athenaLocalProject, athenaRows } from "../support/athena-local.js";
import { finishMessages, type CliRun } from "../support/cli.js";
import { addTableModels } from "../support/table-models.js";

/**
 * What each strategy says it did on the prod target (Athena + Glue + S3 on `sluice
 * athena-local`), against counts taken through the Athena API, not through sluice: a table, a
 * view, a seed, insert_overwrite and append. An append says `inserted N rows` without the
 * table's total: Athena reports the rows a statement wrote (UpdateCount), and a total would cost
 * a billed count query per append (Glue keeps no row count that INSERT INTO updates). merge needs
 * an Iceberg table, which the endpoint does not serve (its compile-time refusal on Hive tables is
 * in tests/e2e/config-checks.e2e.test.ts).
 */
describe("row messages on Athena", () => {
  let project: Awaited<ReturnType<typeof athenaLocalProject>>;
  const generate = (start: string, hours: number, seed: number) =>
    project.sluice(
      "generate",
      ...["--events", "1500", "--start", start, "--hours", String(hours)],
      ...["--seed", String(seed), "--malformed-rate", "0.05"],
      ...["--lake", path.join(project.aws, "sluice-lake")],
    );
  const count = async (relation: string): Promise<number> =>
    Number((await athenaRows(project.endpoint.url, `select count(*) from ${relation}`))[0]![0]);
  const messages = (r: CliRun) => {
    expect(r.code, r.stderr).toBe(0);
    return finishMessages(r.stdout);
  };
  const n = (x: number) => x.toLocaleString("en-US");
  /** `created table N rows` of a relation, N counted through the Athena API. */
  const created = async (relation: string) => {
    const rows = await count(relation);
    return `created table ${n(rows)} row${rows === 1 ? "" : "s"}`;
  };

  beforeAll(async () => {
    project = await athenaLocalProject();
    await writeFile(
      path.join(project.dir, "marts/paid_orders_view.sql"),
      "{{ config(materialized='view') }}\nselect order_id from {{ ref('events') }} where event_type = 'order_paid'\n",
    );
    // The project's marts are incremental (their first build is a CTAS too): a table model.
    await addTableModels(project.dir, ["daily_revenue"]);
    expect((await generate("2026-11-27T00:00:00Z", 4, 5)).code).toBe(0);
    expect((await project.sluice("sources", "register", "--target", "prod")).code).toBe(0);
  }, 60_000);
  afterAll(async () => project?.cleanup());

  it("table, view, seed, insert_overwrite and append each say what they did", async () => {
    const first = messages(
      await project.sluice("build", "--target", "prod", "--log-format", "json"),
    );
    expect(first.get("model.daily_revenue")).toBe(await created("ecommerce_marts.daily_revenue"));
    expect(first.get("model.funnel")).toBe(await created("ecommerce_marts.funnel"));
    expect(first.get("model.paid_orders_view")).toBe("created view");
    expect(first.get("seed.country_codes")).toBe(await created("ecommerce_seeds.country_codes"));
    expect(first.get("model.stg_events")).toBe(await created("ecommerce_staging.stg_events"));

    // Two new raw hours (and late files in the last one): insert_overwrite replaces the dt
    // partitions whose rows it wrote; rejected_events, switched to append, grows by what it says.
    const model = path.join(project.dir, "silver/rejected_events.sql");
    await writeFile(
      model,
      (await readFile(model, "utf8")).replace("'insert_overwrite'", "'append'"),
    );
    const staged = await count("ecommerce_staging.stg_events");
    const rejected = await count("ecommerce_silver.rejected_events");
    expect((await generate("2026-11-27T04:00:00Z", 2, 6)).code).toBe(0);
    const second = messages(
      await project.sluice(
        "build",
        "--target",
        "prod",
        "-s",
        "+rejected_events",
        "--log-format",
        "json",
      ),
    );
    const replaced = /^replaced (\d+) partitions?, ([\d,]+) rows?$/.exec(
      second.get("model.stg_events") ?? "",
    );
    expect(replaced, second.get("model.stg_events")).not.toBeNull();
    const windowRows = await athenaRows(
      project.endpoint.url,
      `select count(distinct dt), count(*) from ecommerce_staging.stg_events where dt >= '2026/11/27/01'`,
    );
    // The lookback window (3 hours before the watermark 03) starts at hour 01.
    expect([replaced![1], replaced![2]]).toEqual([windowRows[0]![0], n(Number(windowRows[0]![1]))]);
    expect(await count("ecommerce_staging.stg_events")).toBeGreaterThan(staged);
    const grown = (await count("ecommerce_silver.rejected_events")) - rejected;
    expect(grown).toBeGreaterThan(0);
    expect(second.get("model.rejected_events")).toBe(`inserted ${n(grown)} rows`);
  }, 240_000);
});
