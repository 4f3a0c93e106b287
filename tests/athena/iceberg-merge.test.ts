import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  awsCall,
  callLog,
  fillRawZone,
  glueTables,
} from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/** An incremental model merged by key into an Iceberg table: every run recounts every customer. */
const MODEL = `{{ config(materialized='incremental', incremental_strategy='merge',
    unique_key='customer_id', table_type='iceberg') }}
select customer_id, count(*) as events, max(event_timestamp) as last_seen
from {{ ref('events') }}
where customer_id is not null
group by customer_id
`;

/** The same figures, computed by hand from silver.events through the Athena API. */
const EXPECTED = `select cast(customer_id as varchar) as c, cast(count(*) as varchar) as n
  from ecommerce_silver.events where customer_id is not null group by customer_id`;
const ACTUAL = `select cast(customer_id as varchar) as c, cast(events as varchar) as n
  from ecommerce_silver.customer_activity`;

const sorted = (rows: string[][]) => rows.map((r) => r.join("|")).sort();

/**
 * Iceberg on `sluice athena-local`: the first run is a CTAS with table_type ICEBERG (a Glue
 * entry with `metadata_location`), the next a MERGE INTO on the unique key, committed as a new
 * snapshot (the Glue pointer moves; the old snapshot's files stay, as Iceberg keeps them).
 */
describe("incremental merge into an Iceberg table on athena-local", () => {
  let p: Project;
  const generate = (start: string, seed: number) =>
    fillRawZone(p, { events: 150, start, hours: 1, seed });

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    await writeFile(path.join(p.dir, "silver", "customer_activity.sql"), MODEL);
    expect((await generate("2026-11-27T00:00:00Z", 3)).code).toBe(0);
    expect((await p.sluice("sources", "register", "--target", "prod")).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  const entry = async () =>
    (await glueTables(p.endpoint.url, "ecommerce_silver")).find(
      (t) => t.Name === "customer_activity",
    );

  it("creates the table by CTAS as Iceberg, then merges new data by key", async () => {
    const first = await p.sluice("run", "--target", "prod", "-s", "+customer_activity");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const created = await entry();
    expect(created?.Parameters?.["table_type"]).toBe("ICEBERG");
    const firstSnapshot = created?.Parameters?.["metadata_location"];
    expect(firstSnapshot).toMatch(/^s3:\/\/sluice-lake\/.+\.metadata\.json$/);
    const before = sorted(await athenaRows(p.endpoint.url, ACTUAL));
    expect(before.length).toBeGreaterThan(0);
    expect(before).toEqual(sorted(await athenaRows(p.endpoint.url, EXPECTED)));

    // One more hour: existing customers' counts change (updates), new ones appear (inserts).
    expect((await generate("2026-11-27T01:00:00Z", 4)).code).toBe(0);
    await callLog(p.endpoint.url, true);
    const second = await p.sluice("run", "--target", "prod", "-s", "+customer_activity");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    // The row message names the strategy and the rows Athena reports the MERGE changed.
    expect(second.stdout + second.stderr).toMatch(/customer_activity \.+ merged \d[\d,]* rows?/);
    const merges = (await callLog(p.endpoint.url)).filter(
      (c) => c.api === "Athena.StartQueryExecution" && /^\s*MERGE INTO/i.test(c.resource),
    );
    expect(merges).toHaveLength(1);
    expect(merges[0]!.resource).toContain('"ecommerce_silver"."customer_activity"');
    const after = sorted(await athenaRows(p.endpoint.url, ACTUAL));
    expect(after).toEqual(sorted(await athenaRows(p.endpoint.url, EXPECTED)));
    expect(after).not.toEqual(before);
    const updated = before.filter((row) => !after.includes(row)).length;
    const inserted = after.length - before.length;
    expect(updated, "customers whose count changed").toBeGreaterThan(0);
    expect(inserted, "customers seen for the first time").toBeGreaterThan(0);
    const merged = await entry();
    expect(merged?.Parameters?.["metadata_location"]).not.toBe(firstSnapshot);
    expect(merged?.Parameters?.["previous_metadata_location"]).toBe(firstSnapshot);
  });

  it("refuses MERGE INTO a Hive table, as Athena does", async () => {
    const started = await awsCall<{ QueryExecutionId: string }>(
      p.endpoint.url,
      "AmazonAthena.StartQueryExecution",
      {
        QueryString:
          "MERGE INTO ecommerce_silver.events AS t USING (select 1 as x) AS s ON false WHEN NOT MATCHED THEN INSERT (event_id) VALUES ('x')",
        WorkGroup: "sluice",
        ResultConfiguration: { OutputLocation: "s3://sluice-athena-results/check/" },
      },
    );
    let state = "";
    let reason = "";
    for (let i = 0; i < 200 && !/FAILED|SUCCEEDED/.test(state); i++) {
      const { body } = await awsCall<{
        QueryExecution: { Status: { State: string; StateChangeReason?: string } };
      }>(p.endpoint.url, "AmazonAthena.GetQueryExecution", {
        QueryExecutionId: started.body.QueryExecutionId,
      });
      state = body.QueryExecution.Status.State;
      reason = body.QueryExecution.Status.StateChangeReason ?? "";
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(state).toBe("FAILED");
    expect(reason).toMatch(/NOT_SUPPORTED.*Iceberg/);
  });
});
