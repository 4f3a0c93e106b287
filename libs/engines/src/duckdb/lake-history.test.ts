import { cp, mkdir, mkdtemp, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DuckDBConnection } from "@duckdb/node-api";
import { createDuckdbDialect, DUCKDB_TABLE_STATE } from "@sluice/dialects";
import type { Relation, TableWrite } from "@sluice/dialects";
import type { LakeEngine } from "../engine.js";
import { openDuckdbEngine } from "./duckdb-engine.js";
import { checkVersionFiles, listVersionFiles } from "./version-check.js";

const dialect = createDuckdbDialect();
const events: Relation = { schema: "silver", name: "events" };
let root: string;
let lake: string;
let engine: LakeEngine;

const run = async (e: LakeEngine, statements: { sql: string }[]) => {
  for (const s of statements) await e.execute(s.sql, { label: "test" });
};
const rows = `select * from (values (1, date '2026-11-27'), (2, date '2026-11-28')) as t(id, event_date)`;
const write = (version: string, writeId: string): TableWrite => ({
  relation: events,
  selectSql: rows,
  partitionedBy: ["event_date"],
  location: join(lake, "silver", "events", version),
  writeId,
});
/** What the runner does for a new table version: write it, then publish it with its files. */
async function build(e: LakeEngine, w: TableWrite): Promise<void> {
  await run(
    e,
    dialect.createTableAs(w).filter((s) => s.kind !== "create_view"),
  );
  const files = await e.versionFiles!(w.location);
  const state = { runId: w.writeId, uniformSchema: true, files };
  await run(e, dialect.publishTableVersion!(w.relation, w.location, state));
}
/** Record a version as being written (as a run does before writing it). */
const recordWriting = (location: string, runId: string, relation: Relation = events) =>
  run(engine, dialect.recordTableVersions!([{ relation, location }], runId));
const records = async (e: LakeEngine) =>
  (await e.execute("select version, status from main.sluice_versions order by version")).rows;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "sluice-history-"));
  lake = join(root, "a", ".lake");
  engine = await openDuckdbEngine({ lakeDir: lake });
  await run(engine, dialect.tableStateSetup!());
});
afterEach(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe("version records", () => {
  it("records a version as 'writing' before its files, then 'published' with each file's size", async () => {
    const [schema, record, copy, schemaFile] = dialect.createTableAs(write("v_1", "w1"));
    await run(engine, [schema!, record!]);
    expect(await records(engine)).toEqual([{ version: "v_1", status: "writing" }]);
    await run(engine, [copy!, schemaFile!]);
    const location = write("v_1", "w1").location;
    const listed = await engine.versionFiles!(location);
    const state = { runId: "w1", files: listed };
    await run(engine, dialect.publishTableVersion!(events, location, state));
    const {
      rows: [row],
    } = await engine.execute("select status, files from main.sluice_versions");
    expect(row!["status"]).toBe("published");
    const files = JSON.parse(String(row!["files"])) as Record<string, number>;
    expect(Object.keys(files).sort()).toEqual([
      "event_date=2026-11-27/part-w1-0.parquet",
      "event_date=2026-11-28/part-w1-0.parquet",
      "part-w1-schema.parquet",
    ]);
    expect(Object.values(files).every((n) => n > 100)).toBe(true);
    expect(files).toEqual(listed);
  });

  it("counts carried files in the new version's record, and marks the old version 'replaced'", async () => {
    await build(engine, write("v_1", "w1"));
    const to = join(lake, "silver", "events", "v_2");
    await recordWriting(to, "w2");
    await mkdir(to, { recursive: true });
    const carried = await engine.carryVersionFiles!(join(lake, "silver", "events", "v_1"), to, {
      skipWrittenPartitions: false,
    });
    expect(carried).toEqual({
      carried: 3,
      paths: expect.any(Object),
      writtenPartitions: 0,
      written: { columns: [], values: [] },
    });
    const files = await engine.versionFiles!(to);
    // Where each went: the new version's files, one per file of v_1.
    expect(Object.values(carried.paths!).sort()).toEqual(Object.keys(files).sort());
    expect(Object.keys(carried.paths!)).toHaveLength(3);
    await run(engine, dialect.publishTableVersion!(events, to, { runId: "w2", files }));
    expect(await records(engine)).toEqual([
      { version: "v_1", status: "replaced" },
      { version: "v_2", status: "published" },
    ]);
    const {
      rows: [row],
    } = await engine.execute("select files from main.sluice_versions where version = 'v_2'");
    expect(Object.keys(JSON.parse(String(row!["files"])) as object)).toHaveLength(3);
  });

  it("records a carried file at the size it was checked with, without a stat: as listed, and a file damaged since is found by the next check", async () => {
    await build(engine, write("v_1", "w1"));
    const v1 = join(lake, "silver", "events", "v_1");
    const v2 = join(lake, "silver", "events", "v_2");
    expect(await engine.checkTableVersion!(events, v1)).toEqual([]);
    await recordWriting(v2, "w2");
    const oneDay = { ...write("v_2", "w2"), selectSql: `${rows} where id = 2` };
    await run(
      engine,
      dialect.createTableAs(oneDay).filter((s) => s.kind === "copy"),
    );
    await engine.carryVersionFiles!(v1, v2, { skipWrittenPartitions: true });
    const statted = listVersionFiles(v2);
    expect(Object.keys(statted).sort()).toEqual([
      "event_date=2026-11-27~part-w1-0.parquet",
      "event_date=2026-11-28/part-w2-0.parquet",
      "part-w2-schema.parquet",
    ]);
    expect(await engine.versionFiles!(v2)).toEqual(statted);
    // Truncated after the carry: the record keeps the size checked, so the damage shows.
    const carried = Object.keys(statted).find((f) => f.includes("~"))!;
    await truncate(join(v2, carried), 10);
    const files = await engine.versionFiles!(v2);
    expect(files[carried]).toBe(statted[carried]);
    expect(checkVersionFiles("silver.events", v2, files).map((d) => d.problem)).toEqual([
      "size changed",
    ]);
  });

  it("cleanup removes recorded versions only (killed 'writing' ones too, not the one replaced version kept by default), forgets them, and leaves strays", async () => {
    const table = join(lake, "silver", "events");
    await build(engine, write("v_1", "w1"));
    await recordWriting(join(table, "v_killed"), "w2");
    await mkdir(join(table, "v_killed", "event_date=2026-11-27"), { recursive: true });
    await writeFile(join(table, "notes.txt"), "mine");
    await mkdir(join(table, "mine"));
    await writeFile(join(table, "mine", "x.parquet"), "not sluice's");
    await mkdir(join(table, "v_unrecorded"));
    await build(engine, write("v_3", "w3"));
    await engine.removeStaleLocations(events, join(table, "v_3"), { defer: true });
    const outcome = await engine.finishRun!();
    expect(outcome.objectsDeleted).toBe(1);
    expect(outcome.strays).toEqual(
      ["mine", "notes.txt", "v_unrecorded"].map((n) => join(table, n)),
    );
    // versions_to_keep defaults to 1: v_1, replaced by v_3, stays for queries that started on it.
    expect((await readdir(table)).sort()).toEqual([
      "mine",
      "notes.txt",
      "v_1",
      "v_3",
      "v_unrecorded",
    ]);
    expect(await records(engine)).toEqual([
      { version: "v_1", status: "replaced" },
      { version: "v_3", status: "published" },
    ]);
  });

  it("keeps the data of the versions_to_keep most recently replaced versions", async () => {
    const table = join(lake, "silver", "events");
    for (const [i, keep] of [
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 2],
    ] as const) {
      await build(engine, write(`v_${i}`, `w${i}`));
      await engine.removeStaleLocations(events, join(table, `v_${i}`), { versionsToKeep: keep });
    }
    expect((await readdir(table)).sort()).toEqual(["v_2", "v_3", "v_4"]);
    await build(engine, write("v_5", "w5"));
    await engine.removeStaleLocations(events, join(table, "v_5"), { versionsToKeep: 0 });
    expect(await readdir(table)).toEqual(["v_5"]);
    expect(await records(engine)).toEqual([{ version: "v_5", status: "published" }]);
  });

  it("adopts the published versions of a lake from before versions were recorded", async () => {
    const table = join(lake, "silver", "events");
    await build(engine, write("v_1", "w1"));
    await engine.execute("DROP TABLE main.sluice_versions");
    await run(engine, dialect.tableStateSetup!());
    expect(await records(engine)).toEqual([{ version: "v_1", status: "published" }]);
    expect(await engine.checkTableVersion!(events, join(table, "v_1"))).toEqual([]);
    await build(engine, write("v_2", "w2"));
    await engine.removeStaleLocations(events, join(table, "v_2"), { versionsToKeep: 0 });
    expect(await readdir(table)).toEqual(["v_2"]);
    expect(await records(engine)).toEqual([{ version: "v_2", status: "published" }]);
  });

  it("refuses to clean another table's folder", async () => {
    await expect(
      engine.removeStaleLocations(events, join(lake, "silver", "other", "v_1")),
    ).rejects.toThrow(/refusing/);
  });
});

describe("checking a version against its record", () => {
  it("finds nothing wrong in an intact version, and names a missing file, a changed size, a missing folder", async () => {
    await build(engine, write("v_1", "w1"));
    const v1 = join(lake, "silver", "events", "v_1");
    expect(await engine.checkTableVersion!(events, v1)).toEqual([]);
    await rm(join(v1, "event_date=2026-11-27", "part-w1-0.parquet"));
    await truncate(join(v1, "part-w1-schema.parquet"), 10);
    const damage = await engine.checkTableVersion!(events, v1);
    expect(damage.map((d) => [d.table, d.problem, d.path.slice(v1.length + 1)]).sort()).toEqual([
      ["silver.events", "missing file", "event_date=2026-11-27/part-w1-0.parquet"],
      ["silver.events", "size changed", "part-w1-schema.parquet"],
    ]);
    expect(damage.find((d) => d.problem === "size changed")?.actualBytes).toBe(10);
    expect((await engine.verifyLake!()).damage).toHaveLength(2);
    await rm(v1, { recursive: true });
    expect(await engine.checkTableVersion!(events, v1)).toEqual([
      { table: "silver.events", version: v1, path: v1, problem: "missing folder" },
    ]);
  });

  it("has nothing to check for a version never recorded (a lake from before)", async () => {
    expect(await engine.checkTableVersion!(events, join(lake, "silver", "events", "v_0"))).toEqual(
      [],
    );
  });

  it("verifies every current version for sluice debug, naming tables without a record", async () => {
    await build(engine, write("v_1", "w1"));
    await run(engine, dialect.createSchema("marts"));
    await engine.execute(`DELETE FROM main.sluice_versions`);
    expect(await engine.verifyLake!()).toEqual({
      checked: [],
      unrecorded: ["silver.events"],
      damage: [],
    });
    await build(engine, write("v_2", "w2"));
    expect(await engine.verifyLake!()).toEqual({
      checked: [
        { table: "silver.events", version: join(lake, "silver", "events", "v_2"), files: 3 },
      ],
      unrecorded: [],
      damage: [],
    });
  });
});

describe("one read of the version records per run", () => {
  const orders: Relation = { schema: "silver", name: "orders" };
  const writeOf = (relation: Relation, version: string, writeId: string): TableWrite => ({
    ...write(version, writeId),
    relation,
    location: join(lake, relation.schema, relation.name, version),
  });
  /** The SELECTs of sluice_versions the engine sends to DuckDB while `body` runs. */
  async function recordReads(body: () => Promise<void>): Promise<number> {
    const spy = vi.spyOn(DuckDBConnection.prototype, "runAndReadAll");
    try {
      await body();
      return spy.mock.calls.filter(([sql]) =>
        /^\s*select\b.*\bfrom main\.sluice_versions\b/is.test(String(sql)),
      ).length;
    } finally {
      spy.mockRestore();
    }
  }

  it("checks and cleans every table of a run from one read, with the same outcome as reading per table", async () => {
    for (const t of [events, orders]) await build(engine, writeOf(t, "v_1", "w1"));
    // A killed run's version of orders: recorded, a folder, never published.
    const killed = join(lake, "silver", "orders", "v_killed");
    await recordWriting(killed, "wk", orders);
    await mkdir(killed);
    await engine.finishRun!();
    const reads = await recordReads(async () => {
      // As a run: its versions recorded up front, upstream versions checked, then each table
      // written, published and cleaned.
      const v2 = (t: Relation) => join(lake, t.schema, t.name, "v_2");
      const ours = [events, orders].map((t) => ({ relation: t, location: v2(t) }));
      await run(engine, dialect.recordTableVersions!(ours, "w2"));
      for (const t of [events, orders])
        expect(await engine.checkTableVersion!(t, join(lake, t.schema, t.name, "v_1"))).toEqual([]);
      for (const t of [events, orders]) {
        await build(engine, writeOf(t, "v_2", "w2"));
        await engine.removeStaleLocations(t, v2(t), { defer: true });
      }
      await engine.finishRun!();
    });
    expect(reads).toBe(1);
    for (const t of [events, orders]) {
      expect((await readdir(join(lake, t.schema, t.name))).sort()).toEqual(["v_1", "v_2"]);
    }
    expect(
      (
        await engine.execute(
          "select table_name, version, status from main.sluice_versions " + "order by all",
        )
      ).rows,
    ).toEqual([
      { table_name: "events", version: "v_1", status: "replaced" },
      { table_name: "events", version: "v_2", status: "published" },
      { table_name: "orders", version: "v_1", status: "replaced" },
      { table_name: "orders", version: "v_2", status: "published" },
    ]);
  });

  it("reads again what the run's read cannot tell: a version published since, a table cleaned twice", async () => {
    const table = join(lake, "silver", "events");
    await build(engine, write("v_1", "w1"));
    // The run's read: v_2 is still being written.
    await recordWriting(join(table, "v_2"), "w2");
    expect(await engine.checkTableVersion!(events, join(table, "v_1"))).toEqual([]);
    await build(engine, write("v_2", "w2"));
    await engine.removeStaleLocations(events, join(table, "v_2"), { versionsToKeep: 1 });
    await rm(join(table, "v_2", "part-w2-schema.parquet"));
    expect(
      (await engine.checkTableVersion!(events, join(table, "v_2"))).map((d) => d.problem),
    ).toEqual(["missing file"]);
    await build(engine, write("v_3", "w3"));
    await engine.removeStaleLocations(events, join(table, "v_3"), { versionsToKeep: 0 });
    expect(await readdir(table)).toEqual(["v_3"]);
    expect(await records(engine)).toEqual([{ version: "v_3", status: "published" }]);
  });
});

describe("a moved lake", () => {
  const move = async (): Promise<string> => {
    await engine.close();
    const moved = join(root, "b", ".lake");
    await cp(lake, moved, { recursive: true });
    await rm(join(root, "a"), { recursive: true, force: true });
    return moved;
  };

  it("is relocated on open: views, their location comments and the table state point into the new root", async () => {
    await build(engine, write("v_1", "w1"));
    const moved = await move();
    engine = await openDuckdbEngine({ lakeDir: moved });
    expect((await engine.execute("select count(*) as n from silver.events")).rows).toEqual([
      { n: 2 },
    ]);
    const location = join(moved, "silver", "events", "v_1");
    expect((await engine.describeRelation(events)).location).toBe(location);
    expect((await engine.execute(`select location from ${DUCKDB_TABLE_STATE}`)).rows).toEqual([
      { location },
    ]);
    expect((await engine.execute("select root from main.sluice_lake")).rows).toEqual([
      { root: moved },
    ]);
    expect(await engine.checkTableVersion!(events, location)).toEqual([]);
    // Still one schema per file set: the view's options survived the rewrite.
    const {
      rows: [view],
    } = await engine.execute("select sql from duckdb_views() where view_name = 'events'");
    expect(String(view!["sql"])).not.toContain("union_by_name");
  });

  it("in folders whose names hold a glob's [ and a quote: built, moved, read writable and read-only", async () => {
    // DuckDB reads [old] in a glob as a character class: the views' globs escape it.
    const count = async (e: LakeEngine) =>
      (await e.execute("select count(*) as n from silver.events")).rows;
    await engine.close();
    lake = join(root, "shop [old] 'q'", ".lake");
    engine = await openDuckdbEngine({ lakeDir: lake });
    await run(engine, dialect.tableStateSetup!());
    await build(engine, write("v_1", "w1"));
    expect(await count(engine)).toEqual([{ n: 2 }]);
    await engine.close();
    const moved = join(root, "moved [new] 'r'", ".lake");
    await cp(lake, moved, { recursive: true });
    await rm(join(root, "shop [old] 'q'"), { recursive: true, force: true });
    engine = await openDuckdbEngine({ lakeDir: moved });
    expect(await count(engine)).toEqual([{ n: 2 }]);
    expect((await engine.describeRelation(events)).location).toBe(
      join(moved, "silver", "events", "v_1"),
    );
    await engine.close();
    // A reader's allowed folders: the lake's, as a path and as a glob's literal start.
    const reader = await openDuckdbEngine({ lakeDir: moved, readOnly: true, snapshot: true });
    expect(await count(reader)).toEqual([{ n: 2 }]);
    await reader.close();
    engine = await openDuckdbEngine({ lakeDir: moved });
  });

  it("opens even when a table's version folder is gone: its comment moves, a check names the new path", async () => {
    await build(engine, write("v_1", "w1"));
    await build(engine, {
      ...write("v_1", "w1"),
      relation: { schema: "silver", name: "kept" },
      location: join(lake, "silver", "kept", "v_1"),
    });
    const moved = await move();
    await rm(join(moved, "silver", "events", "v_1"), { recursive: true });
    engine = await openDuckdbEngine({ lakeDir: moved });
    const location = join(moved, "silver", "events", "v_1");
    expect((await engine.describeRelation(events)).location).toBe(location);
    expect((await engine.checkTableVersion!(events, location)).map((d) => d.problem)).toEqual([
      "missing folder",
    ]);
    expect((await engine.execute("select count(*) as n from silver.kept")).rows).toEqual([
      { n: 2 },
    ]);
  });

  it("works for a writable copy of the catalog elsewhere, keyed on the lake root", async () => {
    await build(engine, write("v_1", "w1"));
    await engine.close();
    const copy = join(root, "copy");
    await cp(lake, copy, { recursive: true });
    // Opening the copy as its own lake relocates the copy only; the original keeps its root.
    const other = await openDuckdbEngine({ lakeDir: copy });
    expect((await other.describeRelation(events)).location).toBe(
      join(copy, "silver", "events", "v_1"),
    );
    await other.close();
    engine = await openDuckdbEngine({ lakeDir: lake });
    expect((await engine.describeRelation(events)).location).toBe(
      join(lake, "silver", "events", "v_1"),
    );
  });

  it("moves a lake from before the root was recorded, by the root its views imply", async () => {
    await build(engine, write("v_1", "w1"));
    await engine.execute("drop table main.sluice_lake");
    const moved = await move();
    engine = await openDuckdbEngine({ lakeDir: moved });
    expect((await engine.execute("select count(*) as n from silver.events")).rows).toEqual([
      { n: 2 },
    ]);
    expect(existsSync(lake)).toBe(false);
  });

  it("leaves a catalog opened read-only as it is", async () => {
    await build(engine, write("v_1", "w1"));
    const moved = await move();
    const reader = await openDuckdbEngine({ lakeDir: moved, readOnly: true });
    expect((await reader.describeRelation(events)).location).toBe(
      join(lake, "silver", "events", "v_1"),
    );
    await reader.close();
    engine = await openDuckdbEngine({ lakeDir: moved });
  });
});
