import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModelsProject } from "../support/built-lake.js";
import { eventsWithNewColumn } from "../support/events-model.js";
import { openLakeReader } from "../support/lake-reader.js";
import { sluice } from "./incremental-fixture.js";

/**
 * silver.events takes a new column incrementally (on_schema_change='append_new_columns'): its
 * incremental branch UNIONs the window's rows with the rows kept from the table, which once was
 * `select * from {{ this }}` and failed on the column count as soon as the model had a column the
 * table had not. The first build holds Nov 25 20:00 to Nov 26 03:00; the next build reads two
 * more raw hours (Nov 26 04:00-05:00; an incremental build reads only raw hours that changed), so
 * it rewrites Nov 26 from them and from the rows of hours 00-03 kept from the table; Nov 25 is
 * not rewritten.
 */
let project: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  project = await builtModelsProject({
    generate: [
      "--events",
      "1200",
      "--start",
      "2026-11-25T20:00:00Z",
      "--hours",
      "8",
      "--seed",
      "5",
    ],
  });
});

afterAll(async () => project?.cleanup());

describe("silver.events takes a new column incrementally on the local lake", () => {
  it("the build succeeds; the rewritten day has the column on every row, the day not rewritten NULL", async () => {
    const { dir } = project;
    // The copy's raw hour folders are all new to the lake: one build reads them again first.
    const settled = await sluice(dir, ["build"]);
    expect(settled.code, settled.stdout + settled.stderr).toBe(0);
    const model = path.join(dir, "silver/events.sql");
    await writeFile(model, eventsWithNewColumn(await readFile(model, "utf8")));
    const raw = await sluice(dir, [
      ...["generate", "--events", "300", "--start", "2026-11-26T04:00:00Z", "--hours", "2"],
      ...["--seed", "6"],
    ]);
    expect(raw.code, raw.stderr).toBe(0);
    const run = await sluice(dir, ["build"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/OK +incremental silver\.events \.+ replaced 1 partition,/);

    const reader = await openLakeReader(dir);
    try {
      const days = await reader.query<Record<string, string | number>>(
        "select cast(event_date as varchar) as day, count(*) as n, count(channel_upper) as filled, " +
          "count(*) filter (where channel_upper is distinct from upper(channel)) as differing " +
          "from silver.events group by event_date order by event_date",
      );
      // Counted apart: the valid staged events of each day, once each.
      const staged = await reader.query<{ day: string; n: number }>(
        "select cast(cast(event_timestamp as date) as varchar) as day, count(distinct event_id) as n " +
          "from staging.stg_events where reject_reason is null group by 1 order by 1",
      );
      expect(days.map((d) => ({ day: d["day"], n: d["n"] }))).toEqual(staged);
      expect(days.map((d) => d["day"])).toEqual(["2026-11-25", "2026-11-26"]);
      const [nov25, nov26] = days;
      // Not rewritten: the old files, without the column.
      expect(nov25).toMatchObject({ filled: 0 });
      expect(Number(nov25!["n"])).toBeGreaterThan(0);
      // Rewritten: the window's rows and those kept from the table, all with upper(channel).
      expect(nov26).toMatchObject({ filled: nov26!["n"], differing: 0 });
    } finally {
      await reader.close();
    }
  }, 240_000);
});
