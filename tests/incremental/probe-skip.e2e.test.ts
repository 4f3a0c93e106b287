import { writeFile } from "node:fs/promises";
import path from "node:path";
import { openEngine } from "@sluice/engines";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryLake } from "../support/lake-reader.js";
import { fullLake, type FullLake } from "./incremental-fixture.js";
import { loadProject, runInProcess } from "./in-process.js";
import { expose } from "./lake-fixture.js";

/**
 * The lake's column probe (`SELECT * FROM (...) LIMIT 0` before an incremental write) is skipped
 * when the table state records that the SELECT's columns are the table's for the model, the
 * schemas of what it reads and its own schema as they are now. Checked on a lake whose state
 * table predates the record (it builds, probes, then records), and on an upstream whose columns
 * change earlier in the same run: the model reading it probes again and takes the new column.
 */
let lake: FullLake;

beforeAll(async () => {
  lake = await fullLake();
});

afterAll(async () => lake?.cleanup());

const up = (columns: string): string =>
  "{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['dt'], on_schema_change='append_new_columns') }}\n" +
  `select event_id, ${columns}, dt from {{ ref('stg_events') }} where reject_reason is null\n` +
  "{% if is_incremental() %} and dt >= sluice_incremental_from() {% endif %}\n";

const down =
  "{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['dt'], on_schema_change='append_new_columns') }}\n" +
  "select * from {{ ref('probe_up') }}\n" +
  "{% if is_incremental() %} where dt >= sluice_incremental_from() {% endif %}\n";

/** One in-process run of the two models and stg_events: the models each LIMIT 0 probe ran for. */
async function run(dir: string): Promise<string[]> {
  const probed: string[] = [];
  const results = await runInProcess(await loadProject(dir), ["+probe_down"], {
    onExecute: (sql, options) => {
      if (/\)\s+AS t LIMIT 0$/.test(sql.trim())) probed.push(options?.label ?? "?");
    },
  });
  const failed = results.results.filter((r) => !["success", "pass"].includes(r.status));
  expect(failed.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
  return probed.sort();
}

describe("the lake skips the column probe when the table records its SELECT's columns", () => {
  it("an old state table builds and records; an upstream's new column makes the reader probe", async () => {
    const { dir, hidden } = await lake.emptyProject("probe-skip");
    await writeFile(path.join(dir, "silver/probe_up.sql"), up("event_type"));
    await writeFile(path.join(dir, "silver/probe_down.sql"), down);
    const hours = lake.hours;
    await expose(hidden, dir, hours.slice(0, 4));
    expect(await run(dir)).toEqual([]);

    // A lake from before the record: its state table has neither column.
    const project = await loadProject(dir);
    const engine = await openEngine(project.config.targets["local"]!, dir);
    try {
      for (const column of ["schema_id", "select_record"])
        await engine.execute(`ALTER TABLE main.sluice_table_state DROP COLUMN ${column}`);
    } finally {
      await engine.close();
    }
    await expose(hidden, dir, hours.slice(4, 6));
    const ids = ["model.probe_down", "model.probe_up", "model.stg_events"];
    expect(await run(dir)).toEqual(ids);
    // Recorded: the next hour probes nothing (each reader's fingerprint took the schema ids its
    // upstreams published in the run before).
    await expose(hidden, dir, hours.slice(6, 8));
    expect(await run(dir)).toEqual([]);

    // probe_up gains a column: it probes (its SQL changed) and so does probe_down, whose SELECT
    // (`*`) has the column too; without its probe the new files would not be read as the table.
    await writeFile(
      path.join(dir, "silver/probe_up.sql"),
      up("event_type, upper(event_type) as added_col"),
    );
    await expose(hidden, dir, hours.slice(8, 10));
    expect(await run(dir)).toEqual(["model.probe_down", "model.probe_up"]);
    const counts = await queryLake<{ dt_new: boolean; n: number; filled: number }>(
      dir,
      `select dt >= '${hours[8]}' as dt_new, count(*)::int as n, count(added_col)::int as filled ` +
        "from silver.probe_down group by 1 order by 1",
    );
    const upRows = await queryLake<{ n: number }>(
      dir,
      "select count(*)::int as n from silver.probe_up",
    );
    expect(counts.map((c) => [c.dt_new, c.filled === (c.dt_new ? c.n : 0)])).toEqual([
      [false, true],
      [true, true],
    ]);
    expect(counts.reduce((sum, c) => sum + c.n, 0)).toBe(upRows[0]!.n);
  }, 240_000);
});
