import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeReader } from "../support/lake-reader.js";
import { fullLake, sluice, type FullLake } from "./incremental-fixture.js";
import { expose } from "./lake-fixture.js";
import { syncAllColumnsModel } from "./sync-all-columns-model.js";

/**
 * on_schema_change='sync_all_columns' with incremental_strategy='merge' on the local lake: the
 * merge rewrites the whole version from the current rows and the new ones; a dropped column must
 * be gone from the table afterwards, as with append.
 */
let lake: FullLake;

beforeAll(async () => {
  lake = await fullLake();
});

afterAll(async () => lake?.cleanup());

const model = (columns: string): string =>
  syncAllColumnsModel("incremental_strategy='merge', unique_key='event_id'", columns);

describe("on_schema_change='sync_all_columns' with merge (lake)", () => {
  it("drops a removed column from the table", async () => {
    const { dir, hidden: raw } = await lake.emptyProject("sync-merge");
    const file = path.join(dir, "silver", "test_sync_merge.sql");
    const run = () => sluice(dir, ["run", "--select", "+test_sync_merge"]);
    await writeFile(file, model("event_type, 'gone' as dropped_col"));
    await expose(raw, dir, lake.hours.slice(0, 4));
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await writeFile(file, model("event_type, upper(event_type) as added_col"));
    await expose(raw, dir, lake.hours.slice(4, 6));
    const synced = await run();
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);

    const reader = await openLakeReader(dir);
    try {
      const columns = await reader.query<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'silver' " +
          "and table_name = 'test_sync_merge' order by ordinal_position",
      );
      // The kept columns in the table's order, then the new one (no partition columns here).
      expect(columns.map((c) => c.column_name)).toEqual([
        "event_id",
        "event_type",
        "dt",
        "added_col",
      ]);
      // Counted independently: every valid staged event is there (the first, full build keeps
      // staging's duplicate rows: only later merges replace by event_id).
      const [got] = await reader.query<{ n: number }>(
        "select count(distinct event_id) as n from silver.test_sync_merge",
      );
      const [want] = await reader.query<{ n: number }>(
        "select count(distinct event_id) as n from staging.stg_events " +
          `where reject_reason is null and dt <= '${lake.hours[5]!}'`,
      );
      expect(got!.n).toBe(want!.n);
    } finally {
      await reader.close();
    }
  }, 180_000);
});
