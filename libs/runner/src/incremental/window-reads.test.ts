import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckdbDialect } from "@sluice/dialects";
import { isLakeEngine, openEngine, type LakeEngine } from "@sluice/engines";
import {
  emptyWindowRelation,
  tableWindowRelation,
  type PublishedVersions,
} from "./window-reads.js";

let dir: string;
let engine: LakeEngine;
const dialect = createDuckdbDialect();
const relation = '"silver"."synced"';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-window-reads-"));
  const opened = await openEngine({ engine: "duckdb", lake: "lake" } as never, dir);
  if (!isLakeEngine(opened)) throw new Error("not a lake engine");
  engine = opened;
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes one Parquet file of `select` into the partition folder of hour `dt`. */
async function partitionFile(location: string, dt: string, select: string): Promise<void> {
  const folder = path.join(location, `dt=${encodeURIComponent(dt)}`);
  await mkdir(folder, { recursive: true });
  await engine.execute(
    `COPY (${select}, '${dt}' AS dt) TO '${path.join(folder, "part-0.parquet")}' (FORMAT parquet)`,
  );
}

/** The window read of `relation` from hour 2026/11/27/02 on, as the run binds `ref_window()`. */
const windowFrom02 = (published: PublishedVersions) =>
  tableWindowRelation(engine, dialect, published, relation, "dt", "2026/11/27/02");

describe("a window read of a version published in the run (ref_window())", () => {
  it("gives exactly the table's recorded columns when its files differ (sync_all_columns)", async () => {
    const location = path.join(dir, "lake", "silver", "synced", "v_2");
    // A carried file from before the sync (dropped_col, n integer) and one written after it.
    await partitionFile(
      location,
      "2026/11/27/02",
      "SELECT 'a' AS event_id, 'gone' AS dropped_col, 1::INTEGER AS n",
    );
    await partitionFile(
      location,
      "2026/11/27/03",
      "SELECT 'b' AS event_id, 2::BIGINT AS n, 'B' AS added_col",
    );
    const columns = [
      { name: "event_id", type: "VARCHAR" },
      { name: "n", type: "BIGINT" },
      { name: "added_col", type: "VARCHAR" },
      { name: "dt", type: "VARCHAR" },
    ];
    const published: PublishedVersions = new Map([[relation, { location, columns }]]);
    const read = await windowFrom02(published);
    expect(read).toBeDefined();
    const { rows } = await engine.execute(`DESCRIBE SELECT * FROM ${read!}`);
    expect(rows.map((r) => `${String(r["column_name"])} ${String(r["column_type"])}`)).toEqual(
      columns.map((c) => `${c.name} ${c.type}`),
    );
    const { rows: values } = await engine.execute(`SELECT * FROM ${read!} ORDER BY event_id`);
    expect(values.map((r) => JSON.stringify(r))).toEqual([
      JSON.stringify({ event_id: "a", n: 1, added_col: null, dt: "2026/11/27/02" }),
      JSON.stringify({ event_id: "b", n: 2, added_col: "B", dt: "2026/11/27/03" }),
    ]);
  });

  it("reads every column of the files when the version records none", async () => {
    const location = path.join(dir, "lake", "silver", "plain", "v_1");
    await partitionFile(location, "2026/11/27/02", "SELECT 'a' AS event_id");
    const published: PublishedVersions = new Map([[relation, { location }]]);
    const read = await windowFrom02(published);
    const { rows } = await engine.execute(`SELECT * FROM ${read!}`);
    expect(rows).toEqual([{ event_id: "a", dt: "2026/11/27/02" }]);
  });
});

describe("a window read of a table this run did not publish (a reconciliation with no new data)", () => {
  const hourly = { schema: "silver", name: "hourly" };
  const rowsOf = async (from: string, read: string) =>
    (await engine.execute(`SELECT * FROM ${read} WHERE dt >= '${from}' ORDER BY ALL`)).rows;
  const columnsOf = async (read: string) =>
    (await engine.execute(`DESCRIBE SELECT * FROM ${read}`)).rows.map(
      (r) => `${String(r["column_name"])} ${String(r["column_type"])}`,
    );

  it("is no row only where the catalog's version has no file of the window: the same rows and columns as the table's view", async () => {
    const location = path.join(dir, "lake", "silver", "hourly", "v_1");
    await partitionFile(location, "2026/11/27/02", "SELECT 'a' AS event_id, 1 AS n");
    await partitionFile(location, "2026/11/27/03", "SELECT 'b' AS event_id, 2 AS n");
    for (const s of [
      ...dialect.createSchema("silver"),
      ...dialect.tableStateSetup(),
      ...dialect.publishTableVersion(hourly, location, { runId: "r1" }),
    ])
      await engine.execute(s.sql);
    const view = dialect.quoteRelation(hourly);
    let empty = 0;
    for (const from of ["2026/11/27/01", "2026/11/27/02", "2026/11/27/03", "2026/11/27/04"]) {
      const read = await emptyWindowRelation(engine, dialect, hourly, "dt", from);
      // From 04 on the version holds no file: no row, the view's columns; else the view itself.
      expect(read === undefined, from).toBe(from < "2026/11/27/04");
      if (read === undefined) continue;
      empty += 1;
      expect(await rowsOf(from, read), from).toEqual(await rowsOf(from, view));
      expect(await columnsOf(read), from).toEqual(await columnsOf(view));
    }
    expect(empty).toBe(1);
    expect(await rowsOf("2026/11/27/03", view)).toEqual([
      { event_id: "b", n: 2, dt: "2026/11/27/03" },
    ]);
  });

  it("is undefined for a relation that is no table version (a view, or none)", async () => {
    await engine.execute(`CREATE OR REPLACE VIEW "silver"."plain_view" AS SELECT 1 AS dt`);
    for (const name of ["plain_view", "missing"])
      expect(
        await emptyWindowRelation(
          engine,
          dialect,
          { schema: "silver", name },
          "dt",
          "2026/11/27/04",
        ),
      ).toBeUndefined();
  });
});
