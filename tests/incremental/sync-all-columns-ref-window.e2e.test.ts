import { readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeReader } from "../support/lake-reader.js";
import { fullLake, sluice, type FullLake } from "./incremental-fixture.js";
import { expose } from "./lake-fixture.js";
import { syncAllColumnsModel } from "./sync-all-columns-model.js";

/**
 * A model reading a sync_all_columns table through `ref_window()` on the lake: the window is read
 * from the partition files directly (the table's version was published in the same run), and the
 * carried files still hold the dropped column and the old type. Downstream must see exactly the
 * table's columns, as a read of the table itself (its view) does.
 */
let lake: FullLake;

beforeAll(async () => {
  lake = await fullLake();
});

afterAll(async () => lake?.cleanup());

const upstream = (columns: string): string =>
  syncAllColumnsModel("incremental_strategy='append', partitioned_by=['dt']", columns);

/**
 * Reads the upstream's window by `select *` (on_schema_change left at 'ignore'): once its columns
 * match the table's, nothing reorders its SELECT, which takes whatever columns the window gives.
 */
const downstream =
  "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['dt'], lookback=24) }}\n" +
  "select * from {{ ref_window('test_sync_up', 'dt') }}\n" +
  "{% if is_incremental() %} where dt >= sluice_incremental_from() {% endif %}\n";

describe("ref_window() of a table synced by on_schema_change='sync_all_columns' (lake)", () => {
  it("reads exactly the table's columns and types, not the carried files' dropped ones", async () => {
    const { dir, hidden: raw } = await lake.emptyProject("sync-ref-window");
    const up = path.join(dir, "silver", "test_sync_up.sql");
    const run = () => sluice(dir, ["run", "--select", "+test_sync_up+"]);
    await writeFile(
      up,
      upstream("event_type, 'gone' as dropped_col, cast(length(event_id) as integer) as n"),
    );
    await expose(raw, dir, lake.hours.slice(0, 8));
    // One file of hour 2 lands late (after the sync): within downstream's lookback (24 hours),
    // not the upstream's (3): the upstream's hour-2 file is carried, with dropped_col, and
    // downstream's window reads it through ref_window().
    const hour2 = path.join(dir, ".lake/raw/events", lake.hours[2]!);
    const [lateFile] = (await readdir(hour2)).sort();
    await rename(path.join(hour2, lateFile!), path.join(dir, "late.gz"));
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);

    await writeFile(
      up,
      upstream("event_type, cast(length(event_id) as bigint) as n, upper(event_type) as added_col"),
    );
    await expose(raw, dir, lake.hours.slice(8, 9));
    const synced = await run();
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    // Downstream is built in full from the synced table (its view), then incrementally when the
    // late file of hour 2 lands.
    await writeFile(path.join(dir, "silver", "test_sync_down.sql"), downstream);
    const built = await run();
    expect(built.code, built.stdout + built.stderr).toBe(0);
    await rename(path.join(dir, "late.gz"), path.join(hour2, lateFile!));
    const later = await run();
    expect(later.code, later.stdout + later.stderr).toBe(0);

    const reader = await openLakeReader(dir);
    try {
      const columnsOf = async (table: string) =>
        (
          await reader.query<{ column_name: string; data_type: string }>(
            "select column_name, data_type from information_schema.columns " +
              `where table_schema = 'silver' and table_name = '${table}' order by ordinal_position`,
          )
        ).map((c) => `${c.column_name} ${c.data_type}`);
      const expected = [
        "event_id VARCHAR",
        "event_type VARCHAR",
        "n BIGINT",
        "added_col VARCHAR",
        "dt VARCHAR",
      ];
      expect(await columnsOf("test_sync_up")).toEqual(expected);
      expect(await columnsOf("test_sync_down")).toEqual(expected);
      // Downstream holds the upstream's rows, counted from the upstream itself.
      const [counts] = await reader.query<{ up: number; down: number; missing: number }>(
        "select (select count(*) from silver.test_sync_up) as up, " +
          "(select count(*) from silver.test_sync_down) as down, " +
          "(select count(*) from silver.test_sync_up u where not exists (select 1 from silver.test_sync_down d " +
          "where d.event_id = u.event_id and d.dt = u.dt and d.n = u.n and d.added_col is not distinct from u.added_col)) as missing",
      );
      expect(counts!.missing).toBe(0);
      expect(counts!.down).toBe(counts!.up);
    } finally {
      await reader.close();
    }
  }, 240_000);
});
