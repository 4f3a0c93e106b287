import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  athenaRows,
  awsCall,
  callLog,
  fillRawZone,
  forgetParameter,
  glueTables,
} from "../support/athena-local.js";
import { eventsWithNewColumn } from "../support/events-model.js";
import { queriesPerModel } from "../support/query-counts.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

const EVENTS = "ecommerce_silver.events";

/** What a query of silver.events is, from its SQL as the endpoint received it. */
function kind(sql: string): string {
  if (/^CREATE TABLE /.test(sql)) return "ctas";
  if (/^ALTER TABLE /.test(sql)) return "alter";
  if (/LIMIT 0\s*$/i.test(sql)) return "probe";
  return sql.slice(0, 60);
}

/**
 * on_schema_change='append_new_columns' on Athena without a probe per build (issue #12's budget
 * of 1 query per table model), through the real CLI against `sluice athena-local`: silver.events
 * records with its version what its SELECT's columns were decided by (`sluice_select`); a build
 * probes only when that changed. Queries counted on the endpoint's call log.
 */
describe("silver.events: a new column in its model is probed and appended once", () => {
  let p: Project;
  /** silver.events' queries per build, as kinds in order. */
  const ran: Record<string, string[]> = {};
  let columnsAfterAlter: string[] = [];
  let checked: string[][] = [];

  const build = async (label: string, hour: string, seed: number) => {
    const raw = await fillRawZone(p, { events: 40, start: hour, hours: 1, seed });
    expect(raw.code, raw.stderr).toBe(0);
    await callLog(p.endpoint.url, true);
    const run = await p.sluice("build", "--target", "prod");
    expect(run.code, `${label}: ${run.stdout}${run.stderr}`).toBe(0);
    const log = await callLog(p.endpoint.url, true);
    const { perModel } = await queriesPerModel(log, p.dir, [EVENTS]);
    ran[label] = (perModel.get(EVENTS) ?? []).map(kind);
  };

  const eventsColumns = async (): Promise<string[]> => {
    const { body } = await awsCall<{
      Table: {
        StorageDescriptor: { Columns: { Name: string }[] };
        PartitionKeys: { Name: string }[];
      };
    }>(p.endpoint.url, "AWSGlue.GetTable", { DatabaseName: "ecommerce_silver", Name: "events" });
    return [...body.Table.StorageDescriptor.Columns, ...body.Table.PartitionKeys].map(
      (c) => c.Name,
    );
  };

  /** Remove `sluice_select` from silver.events' entry, as a table published by an older sluice. */
  const forgetSelectRecord = async () => {
    const had = await forgetParameter(
      p.endpoint.url,
      "ecommerce_silver",
      "events",
      "sluice_select",
    );
    expect(had).toMatch(/^sha256:/);
  };

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    const first = await fillRawZone(p, {
      events: 300,
      start: "2026-11-27T00:00:00Z",
      hours: 6,
      seed: 31,
    });
    expect(first.code, first.stderr).toBe(0);
    await callLog(p.endpoint.url, true);
    const run = await p.sluice("build", "--target", "prod");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await build("next hour", "2026-11-27T06:00:00Z", 32);
    const model = path.join(p.dir, "silver/events.sql");
    await writeFile(model, eventsWithNewColumn(await readFile(model, "utf8")));
    await build("new column", "2026-11-27T07:00:00Z", 33);
    columnsAfterAlter = await eventsColumns();
    checked = await athenaRows(
      p.endpoint.url,
      "SELECT count(*), count(channel_upper), count_if(channel_upper <> upper(channel)) " +
        `FROM ${EVENTS} WHERE dt = '2026/11/27/07'`,
    );
    await build("after the new column", "2026-11-27T08:00:00Z", 34);
    await forgetSelectRecord();
    await build("no record (older sluice)", "2026-11-27T09:00:00Z", 35);
    await build("after the probe", "2026-11-27T10:00:00Z", 36);
  }, 600_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("the next hour writes with its one query: no probe", () => {
    expect(ran["next hour"]).toEqual(["ctas"]);
  });

  it("the build after the model gains a column probes, adds it and writes it", () => {
    // The schema change costs this build 2 queries more than the budget's 1, as expected: the
    // LIMIT 0 probe that finds the new column and the ALTER TABLE ... ADD COLUMNS.
    expect(ran["new column"]).toEqual(["probe", "alter", "ctas"]);
    expect(columnsAfterAlter).toContain("channel_upper");
    expect(columnsAfterAlter.at(-1)).toBe("event_date");
    // The hour written after the ALTER has the column, upper(channel) on every row.
    const [[rows, filled, wrong]] = checked as [[string, string, string]];
    expect(Number(rows)).toBeGreaterThan(0);
    expect(filled).toBe(rows);
    expect(wrong).toBe("0");
  });

  it("the build after that is back to 1 query", () => {
    expect(ran["after the new column"]).toEqual(["ctas"]);
  });

  it("a table with no record (published by an older sluice) is probed once, as before", async () => {
    // Same columns: the probe finds no difference (no ALTER); its verdict is recorded.
    expect(ran["no record (older sluice)"]).toEqual(["probe", "ctas"]);
    expect(ran["after the probe"]).toEqual(["ctas"]);
    const entry = (await glueTables(p.endpoint.url, "ecommerce_silver")).find(
      (t) => t.Name === "events",
    );
    expect(entry?.Parameters?.["sluice_select"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
