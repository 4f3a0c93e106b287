import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckdbDialect } from "@sluice/dialects";
import type { Statement, TableWrite } from "@sluice/dialects";
import { QueryError, type LakeEngine } from "../engine.js";
import { openDuckdbEngine } from "./duckdb-engine.js";

const dialect = createDuckdbDialect();
let lake: string;
let engine: LakeEngine;

const run = async (statements: Statement[]) => {
  for (const s of statements) await engine.execute(s.sql, { label: "test" });
};

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), "sluice-duckdb-"));
  engine = await openDuckdbEngine({ lakeDir: lake });
  // What a run sets up before it publishes anything.
  await run(dialect.tableStateSetup!());
});
afterAll(async () => {
  await engine.close();
  await rm(lake, { recursive: true, force: true });
});

const events = { schema: "silver", name: "events" };
let writes = 0;
const write = (version: string, selectSql: string, partitionedBy = ["event_date"]): TableWrite => ({
  relation: events,
  selectSql,
  partitionedBy,
  location: join(lake, "silver", "events", version),
  writeId: `w${++writes}`,
});
/** A version folder a killed run left: recorded as 'writing', then (partly) written. */
async function killedVersion(...folders: string[]): Promise<void> {
  const version = folders[0]!.split("/")[0]!;
  const location = join(lake, "silver", "events", version);
  await run(dialect.recordTableVersions!([{ relation: events, location }], "killed"));
  for (const f of folders) await mkdir(join(lake, "silver", "events", f), { recursive: true });
}
const firstRows = `select * from (values (1, 'a''b', date '2026-11-27'), (2, null, date '2026-11-28'), (3, 'c', null))
  as t(id, note, event_date)`;

describe("DuckDB lake tables", () => {
  it("creates a partitioned table, appends to it and reads rows back with their types", async () => {
    await run(dialect.createTableAs(write("v_1", firstRows)));
    await run(
      dialect.insertInto(
        write("v_1", "select 4 as id, 'd' as note, date '2026-11-27' as event_date"),
      ),
    );
    const { rows, columns } = await engine.execute("select * from silver.events order by id");
    expect(rows).toEqual([
      { id: 1, note: "a'b", event_date: "2026-11-27" },
      { id: 2, note: null, event_date: "2026-11-28" },
      { id: 3, note: "c", event_date: null },
      { id: 4, note: "d", event_date: "2026-11-27" },
    ]);
    expect(columns).toEqual([
      { name: "id", type: "integer" },
      { name: "note", type: "varchar" },
      { name: "event_date", type: "date" },
    ]);
    const folders = (await readdir(join(lake, "silver", "events", "v_1"))).sort();
    expect(folders).toEqual([
      "event_date=2026-11-27",
      "event_date=2026-11-28",
      "event_date=__HIVE_DEFAULT_PARTITION__",
      "part-w1-schema.parquet",
    ]);
    expect(
      (await readdir(join(lake, "silver", "events", "v_1", "event_date=2026-11-27"))).sort(),
    ).toEqual(["part-w1-0.parquet", "part-w2-0.parquet"]);
  });

  it("sets a run up in one round trip, again on a lake already set up: schemas, state tables, versions recorded", async () => {
    const mart = { schema: "setup_marts", name: "m" };
    const setUp = (runId: string) =>
      dialect.inOneRoundTrip([
        ...dialect.createSchema("setup_marts"),
        ...dialect.createSchema("setup_staging"),
        ...dialect.tableStateSetup(),
        ...dialect.recordTableVersions(
          [{ relation: mart, location: join(lake, "setup_marts", "m", `v_${runId}`) }],
          runId,
        ),
      ]);
    expect(setUp("r1").sql.split(";\n")).toHaveLength(13);
    for (const runId of ["r1", "r2"]) await engine.execute(setUp(runId).sql, { label: "setup" });
    const schemas = await engine.execute(
      "select schema_name from duckdb_schemas() where schema_name like 'setup_%' order by 1",
    );
    expect(schemas.rows).toEqual([
      { schema_name: "setup_marts" },
      { schema_name: "setup_staging" },
    ]);
    const versions = await engine.execute(
      "select version, run_id, status from main.sluice_versions where schema_name = 'setup_marts' order by 1",
    );
    expect(versions.rows).toEqual([
      { version: "v_r1", run_id: "r1", status: "writing" },
      { version: "v_r2", run_id: "r2", status: "writing" },
    ]);
  });

  it("reports rows written by COPY", async () => {
    const [copy] = dialect.insertInto(
      write("v_1", "select 5 as id, 'e' as note, date '2026-11-29' as event_date"),
    );
    const result = await engine.execute(copy!.sql);
    expect(result.stats.rowsAffected).toBe(1);
    expect(result.stats.elapsedMs).toBeGreaterThan(0);
  });

  it("describes a table (location, columns) and a view, and a missing relation", async () => {
    const info = await engine.describeRelation(events);
    expect(info).toEqual({
      exists: true,
      kind: "table",
      location: join(lake, "silver", "events", "v_1"),
      columns: [
        { name: "id", type: "integer" },
        { name: "note", type: "varchar" },
        { name: "event_date", type: "date" },
      ],
    });
    await run(dialect.createSchema("marts"));
    await run(
      dialect.createView({ schema: "marts", name: "ids" }, "select id from silver.events;"),
    );
    expect(await engine.describeRelation({ schema: "marts", name: "ids" })).toMatchObject({
      exists: true,
      kind: "view",
    });
    expect(await engine.describeRelation({ schema: "marts", name: "nope" })).toEqual({
      exists: false,
    });
  });

  it("publishes a new version, removes the stale one, and drops the table", async () => {
    await killedVersion("v_crashed");
    await run(
      dialect.createTableAs(
        write("v_2", "select 9 as id, 'z' as note, date '2026-12-01' as event_date"),
      ),
    );
    await engine.removeStaleLocations(events, join(lake, "silver", "events", "v_2"), {
      versionsToKeep: 0,
    });
    expect(await readdir(join(lake, "silver", "events"))).toEqual(["v_2"]);
    expect((await engine.execute("select id from silver.events")).rows).toEqual([{ id: 9 }]);
    await run(dialect.dropTable(events));
    expect(await engine.describeRelation(events)).toEqual({ exists: false });
  });

  it("defers the removal of stale versions to finishRun (a worker thread), which reports how many it removed", async () => {
    await killedVersion("v_old1");
    await killedVersion("v_old2/d=1", "v_old2/d=2");
    await run(
      dialect.createTableAs(
        write("v_5", "select 5 as id, 'q' as note, date '2026-12-02' as event_date"),
      ),
    );
    await engine.removeStaleLocations(events, join(lake, "silver", "events", "v_5"), {
      defer: true,
      versionsToKeep: 0,
    });
    expect((await engine.execute("select id from silver.events")).rows).toEqual([{ id: 5 }]);
    expect(await engine.finishRun!()).toEqual({ tablesDropped: 0, objectsDeleted: 3 });
    expect(await readdir(join(lake, "silver", "events"))).toEqual(["v_5"]);
    expect(await engine.finishRun!()).toEqual({ tablesDropped: 0, objectsDeleted: 0 });
  });

  it("removes a full build's version (many partition folders) on the worker and small ones through the pool, in the same finishRun", async () => {
    await killedVersion(...Array.from({ length: 12 }, (_, d) => `v_full/d=${d}`));
    await killedVersion("v_small/d=1");
    await run(
      dialect.createTableAs(
        write("v_6", "select 6 as id, 'r' as note, date '2026-12-03' as event_date"),
      ),
    );
    await engine.removeStaleLocations(events, join(lake, "silver", "events", "v_6"), {
      defer: true,
      versionsToKeep: 0,
    });
    // v_full, v_small and the previous test's v_5.
    expect(await engine.finishRun!()).toEqual({ tablesDropped: 0, objectsDeleted: 3 });
    expect(await readdir(join(lake, "silver", "events"))).toEqual(["v_6"]);
  });

  it("creates a readable zero-row table, partitioned or not", async () => {
    const empty = "select 1 as id, 'x' as note, date '2026-11-27' as event_date where false";
    await run(dialect.createTableAs(write("v_3", empty)));
    expect((await engine.execute("select count(*) as n from silver.events")).rows).toEqual([
      { n: 0 },
    ]);
    expect((await engine.describeRelation(events)).columns?.map((c) => c.type)).toEqual([
      "integer",
      "varchar",
      "date",
    ]);
    await run(dialect.createTableAs(write("v_4", empty, [])));
    expect((await engine.execute("select count(*) as n from silver.events")).rows).toEqual([
      { n: 0 },
    ]);
    await run(
      dialect.insertInto(
        write("v_4", "select 7 as id, 'q' as note, date '2026-11-27' as event_date", []),
      ),
    );
    expect((await engine.execute("select id, note from silver.events")).rows).toEqual([
      { id: 7, note: "q" },
    ]);
  });

  it("runs a statement over new data on one thread, then one that may read history on every thread", async () => {
    const threads = async (newDataOnly?: boolean) =>
      Number(
        (
          await engine.execute("select current_setting('threads') as t", {
            ...(newDataOnly === undefined ? {} : { newDataOnly }),
          })
        ).rows[0]!["t"],
      );
    const all = await threads(false);
    expect(all).toBeGreaterThanOrEqual(1);
    expect(await threads(true)).toBe(1);
    expect(await threads()).toBe(1); // unset: as the statement before it
    expect(await threads(false)).toBe(all);
    expect(await threads()).toBe(all);
  });

  it("runs an assertion and a limit", async () => {
    const { rows } = await engine.execute(
      dialect.assertion("select * from range(5) t(i) where i > 1 -- trailing comment").sql,
    );
    expect(rows).toEqual([{ failures: 3 }]);
    expect(
      (await engine.execute(dialect.limit("select * from range(10) t(i) order by i", 2))).rows,
    ).toEqual([{ i: 0 }, { i: 1 }]);
  });

  it("fails with a QueryError naming the label, the SQL and the engine message", async () => {
    const error = await engine
      .execute("select * from nowhere.missing", { label: "model.shop.broken" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    const queryError = error as QueryError;
    expect(queryError.message).toMatch(/^model\.shop\.broken: .*missing/s);
    expect(queryError.details).toMatchObject({
      label: "model.shop.broken",
      sql: "select * from nowhere.missing",
    });
    expect(queryError.details.engineMessage).toMatch(/Catalog Error/);
    expect(queryError.cause).toBeInstanceOf(Error);
  });

  it("interrupts a running query when its signal aborts", async () => {
    const controller = new AbortController();
    const pending = engine.execute("select count(*) from range(10000000000) a", {
      signal: controller.signal,
      label: "slow",
    });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow(/slow: query aborted/);
    expect((await engine.execute("select 1 as ok")).rows).toEqual([{ ok: 1 }]);
  });

  it("returns plain JS values", async () => {
    const { rows } = await engine.execute(
      "select 9007199254740993::bigint as big, 42::bigint as small, 1.25::decimal(5,2) as dec, " +
        "1.50::decimal(5,2) as dec_zero, 123456789.123456789::decimal(38,9) as dec_exact, " +
        "timestamp '2026-11-27 10:00:00.123' as ts, timestamptz '2026-11-27 10:00:00+00' as tstz, [1, 2] as list",
    );
    expect(rows).toEqual([
      {
        big: 9007199254740993n,
        small: 42,
        dec: 1.25,
        dec_zero: 1.5,
        dec_exact: "123456789.123456789",
        ts: "2026-11-27T10:00:00.123",
        tstz: "2026-11-27T10:00:00Z",
        list: [1, 2],
      },
    ]);
  });
});

describe("raw source", () => {
  const hostile = [
    '{"event_id":"e1","note":"tab\\there"}',
    'not json, "quoted", with\ttab',
    'back\\slash \\" q',
    "",
    "emoji 🦆 ünï \u0001\u0007 ctrl",
    "   lead and trail   ",
    "NULL",
    '"""',
    "x,y;z|w",
  ];
  it("exposes each non-empty line of plain and gzipped Firehose files untouched, with dt from the folder", async () => {
    const raw = join(lake, "raw", "events");
    await mkdir(join(raw, "2026/11/27/10"), { recursive: true });
    await mkdir(join(raw, "2026/11/27/11"), { recursive: true });
    await writeFile(
      join(raw, "2026/11/27/10/events-1-2026-11-27-10-00-00-aaa.gz"),
      gzipSync(hostile.join("\n") + "\n"),
    );
    await writeFile(
      join(raw, "2026/11/27/11/events-1-2026-11-27-11-00-00-bbb"),
      hostile.join("\r\n"),
    );
    await run(
      dialect.rawSource({
        relation: { schema: "raw", name: "events" },
        location: raw,
        projectionStart: "2026/01/01/00",
      }),
    );
    const { rows, columns } = await engine.execute(
      "select line, dt from raw.events order by dt, line",
    );
    expect(columns).toEqual([
      { name: "line", type: "varchar" },
      { name: "dt", type: "varchar" },
    ]);
    const expected = hostile
      .filter((l) => l !== "")
      .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
    const got = (dt: string) => rows.filter((r) => r.dt === dt).map((r) => r.line);
    expect(got("2026/11/27/10")).toEqual(expected);
    expect(got("2026/11/27/11")).toEqual(expected);

    // The same lines, every one (empty ones too), read from the bytes into the run's raw table.
    const load = await engine.loadRawWindow!({ location: raw }, ["2026/11/27/11"], {
      name: "raw_t",
      createSql: dialect.rawLinesTable!("raw_t"),
    });
    expect(load.hours.get("2026/11/27/11")).toMatchObject({
      files: 1,
      records: hostile.length,
      quarantinedRecords: 0,
      quarantinedFiles: 0,
    });
    const lines = (
      await engine.execute(`select line from ${load.relation} order by line`)
    ).rows.map((r) => r.line);
    expect(lines).toEqual([...hostile].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
  });

  it("keeps its relation listing across a raw window load: the window's TEMP table is in no listing", async () => {
    const raw = join(lake, "raw", "listed");
    await mkdir(join(raw, "2026/11/27/10"), { recursive: true });
    await writeFile(join(raw, "2026/11/27/10", "e-1"), '{"a":1}\n');
    await run(
      dialect.rawSource({
        relation: { schema: "raw", name: "listed" },
        location: raw,
        projectionStart: "2026/01/01/00",
      }),
    );
    const relations = [
      { schema: "raw", name: "listed" },
      { schema: "main", name: "raw_listed" },
      { schema: "temp", name: "raw_listed" },
    ];
    const describeAll = () => Promise.all(relations.map((r) => engine.describeRelation(r)));
    const before = await describeAll();
    await engine.loadRawWindow!({ location: raw }, ["2026/11/27/10"], {
      name: "raw_listed",
      createSql: dialect.rawLinesTable!("raw_listed"),
    });
    const kept = await describeAll();
    // Any statement but one SELECT drops the listing: the next describes read it afresh.
    await engine.execute("CHECKPOINT");
    const fresh = await describeAll();
    expect(kept).toEqual(before);
    expect(fresh).toEqual(kept);
    expect(kept.map((r) => r.exists)).toEqual([true, false, false]);
  });

  it("reads a zone partitioned by event type (event_type=<t>/YYYY/MM/DD/HH/) and prunes on event_type", async () => {
    const raw = join(lake, "raw", "typed");
    const put = async (folder: string, name: string, body: Buffer) => {
      await mkdir(join(raw, folder), { recursive: true });
      await writeFile(join(raw, folder, name), body);
    };
    await put("event_type=order_paid/2026/11/27/10", "e-1.gz", gzipSync('{"a":1}\n{"a":2}\n'));
    await put("event_type=product_view/2026/11/27/11", "e-2.gz", gzipSync('{"v":1}\n'));
    // Not gzip at all: reading it fails, so a query that succeeds did not open it.
    await put("event_type=add_to_cart/2026/11/27/10", "broken.gz", Buffer.from("not gzip"));
    // An event type not declared is not read (Athena's enum projection does not list it).
    await put("event_type=refund/2026/11/27/10", "r.gz", gzipSync('{"r":1}\n'));
    await put("event_type=order_paid/2026/11/27/10", ".in-flight.tmp", Buffer.from("x\n"));
    await run(
      dialect.rawSource({
        relation: { schema: "raw", name: "typed" },
        location: raw,
        projectionStart: "2026/01/01/00",
        eventTypes: ["product_view", "add_to_cart", "order_paid"],
      }),
    );
    const pruned = await engine.execute(
      "select event_type, dt, line from raw.typed where event_type in ('order_paid', 'product_view') order by dt, line",
    );
    expect(pruned.columns.map((c) => c.name)).toEqual(["event_type", "dt", "line"]);
    expect(pruned.rows).toEqual([
      { event_type: "order_paid", dt: "2026/11/27/10", line: '{"a":1}' },
      { event_type: "order_paid", dt: "2026/11/27/10", line: '{"a":2}' },
      { event_type: "product_view", dt: "2026/11/27/11", line: '{"v":1}' },
    ]);
    const others = await engine.execute(
      "select count(*) as n from raw.typed where event_type <> 'add_to_cart'",
    );
    expect(Number(others.rows[0]!.n)).toBe(3); // refund/ is not read
    // Without the filter the broken object is read: the pruning above is what kept it out.
    await expect(engine.execute("select count(*) as n from raw.typed")).rejects.toThrow();
  });
});
