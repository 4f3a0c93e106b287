import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeReader } from "../support/lake-reader.js";
import { fullLake, sluice, type FullLake } from "./incremental-fixture.js";
import { expose } from "./lake-fixture.js";
import { syncAllColumnsModel } from "./sync-all-columns-model.js";

/**
 * on_schema_change='sync_all_columns' on the local lake (dbt's and dbt-athena's policy): an
 * incremental model drops a column, adds one and widens one; the table then has exactly the
 * SELECT's columns, its old rows keep their values, and a later run keeps it so (the carried
 * Parquet files still hold the dropped column). A narrowing or cross-kind type change stops the
 * node with the reason.
 */
let lake: FullLake;

beforeAll(async () => {
  lake = await fullLake();
});

afterAll(async () => lake?.cleanup());

/** The model: `columns` between event_id and dt, appended by raw hour. */
const model = (columns: string): string =>
  syncAllColumnsModel("incremental_strategy='append', partitioned_by=['dt']", columns);

describe("on_schema_change='sync_all_columns' on the local lake", () => {
  it("drops a removed column, adds a new one, widens integer -> bigint; old rows keep their values", async () => {
    const { dir, hidden: raw } = await lake.emptyProject("sync-all");
    const file = path.join(dir, "silver", "test_sync.sql");
    const run = () => sluice(dir, ["run", "--select", "+test_sync"]);
    await writeFile(
      file,
      model("event_type, 'gone' as dropped_col, cast(length(event_id) as integer) as n"),
    );
    await expose(raw, dir, lake.hours.slice(0, 4));
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);

    await writeFile(
      file,
      model("event_type, cast(length(event_id) as bigint) as n, upper(event_type) as added_col"),
    );
    await expose(raw, dir, lake.hours.slice(4, 6));
    const synced = await run();
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    await expose(raw, dir, lake.hours.slice(6, 8));
    const later = await run();
    expect(later.code, later.stdout + later.stderr).toBe(0);

    const reader = await openLakeReader(dir);
    try {
      const columns = await reader.query<{ column_name: string; data_type: string }>(
        "select column_name, data_type from information_schema.columns " +
          "where table_schema = 'silver' and table_name = 'test_sync' order by ordinal_position",
      );
      expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
        "event_id VARCHAR",
        "event_type VARCHAR",
        "n BIGINT",
        "added_col VARCHAR",
        "dt VARCHAR",
      ]);
      // Each row's values as staged (staging may hold an event twice: chaos duplicates).
      const [got] = await reader.query<Record<string, number>>(
        "select count(*) as n, count(added_col) as with_added, " +
          "count(*) filter (where t.event_type is distinct from s.event_type or t.n <> length(s.event_id)) as differing, " +
          "count(*) filter (where added_col is distinct from upper(s.event_type) and t.dt >= '" +
          lake.hours[4] +
          "') as wrong_added, " +
          "count(*) filter (where added_col is not null and t.dt < '" +
          lake.hours[4] +
          "') as old_with_added " +
          "from silver.test_sync t join (select distinct event_id, event_type, dt from staging.stg_events) s " +
          "on s.event_id = t.event_id and s.dt = t.dt",
      );
      const [expected] = await reader.query<Record<string, number>>(
        "select count(*) as n, count(*) filter (where dt >= '" +
          lake.hours[4] +
          "') as late from staging.stg_events where reject_reason is null and dt <= '" +
          lake.hours[7] +
          "'",
      );
      expect(got).toEqual({
        n: got!["n"],
        with_added: got!["with_added"],
        differing: 0,
        wrong_added: 0,
        old_with_added: 0,
      });
      // Counted independently from staging: every row is there, the new column on the new ones.
      const [total] = await reader.query<{ n: number; with_added: number }>(
        "select count(*) as n, count(added_col) as with_added from silver.test_sync",
      );
      expect(total).toEqual({ n: expected!.n, with_added: expected!.late });
    } finally {
      await reader.close();
    }

    // A type the old files cannot be read as: the node stops, naming the column and the fix.
    await writeFile(
      file,
      model("event_type, cast(length(event_id) as varchar) as n, upper(event_type) as added_col"),
    );
    await expose(raw, dir, lake.hours.slice(8, 9));
    const narrowed = await run();
    expect(narrowed.code, narrowed.stdout + narrowed.stderr).toBe(1);
    expect(narrowed.stdout + narrowed.stderr).toMatch(
      /cannot change the type of n bigint -> varchar in silver\.test_sync \(on_schema_change='sync_all_columns'\): the version's Parquet files keep the old type; only these widen in place: .*--full-refresh/,
    );
  }, 180_000);
});
