import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryError, type Engine } from "../engine.js";
import { EngineOpenError } from "../open-error.js";
import { openDuckdbEngine } from "./duckdb-engine.js";
import { LAKE_LOCK_FILE } from "./lake-lock.js";
import { processIdentity } from "../process-identity.js";

let lake: string;
let file: string;

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), "sluice-readonly-"));
  file = join(lake, "marts", "t", "v1", "data.parquet");
  const writer = await openDuckdbEngine({ lakeDir: lake });
  await writer.execute(`COPY (SELECT 42 AS x) TO '${file}' (FORMAT parquet)`);
  await writer.execute("CREATE SCHEMA marts");
  await writer.execute(`CREATE VIEW marts.t AS SELECT * FROM read_parquet('${file}')`);
  await writer.close();
});
afterAll(() => rm(lake, { recursive: true, force: true }));

describe("a read-only snapshot engine", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openDuckdbEngine({ lakeDir: lake, readOnly: true, snapshot: true });
  });
  afterAll(() => engine.close());

  it("a query that fails after millions of rows fails whole, never handed back cut short", async () => {
    // DuckDB's streamed chunks (connection.stream + fetchChunk, node-api 1.5) end the same way
    // at an error as at the end: an empty chunk after 8,873,984 of these rows, no error. Both
    // reads run the statement to its end before a row is handed over.
    const sql =
      "select case when range < 9000000 then range else error('boom at ' || range) end as x " +
      "from range(10000000)";
    await expect(engine.execute(sql)).rejects.toThrow(/boom at 9000000/);
    let handed = 0;
    const batches = engine.executeInBatches!(sql, (_c, batch) => {
      handed += batch.rowCount;
    });
    await expect(batches).rejects.toThrow(/boom at 9000000/);
    expect(handed).toBe(0);
  });

  it("hands a result over batch by batch: the columns first, then at most a chunk's rows each", async () => {
    const batches: number[] = [];
    const seen: unknown[] = [];
    const sql = "select range as i, 'x' || range as s from range(10000) order by i";
    const done = await engine.executeInBatches!(sql, (columns, batch) => {
      if (batches.length === 0) expect(columns.map((c) => c.name)).toEqual(["i", "s"]);
      batches.push(batch.rowCount);
      const rows = batch.rows();
      expect(rows.length).toBe(batch.rowCount);
      if (rows.length > 0) seen.push(rows[0]!["i"], rows.at(-1)!["i"]);
    });
    expect(batches[0]).toBe(0);
    expect(Math.max(...batches)).toBeLessThanOrEqual(2048);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(done.rowCount).toBe(10_000);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(9999);
    // The same rows execute gives, values converted the same way.
    const typed =
      "select x, 'a' as s, 1.50::decimal(5,2) as d, 2::hugeint as h, [1, null] as l, " +
      "{'k': 'v'} as st, null as n, date '2026-12-01' as dt, " +
      "timestamp '2026-12-01 10:00:00.5' as ts from marts.t";
    const whole = await engine.execute(typed);
    const batched: Record<string, unknown>[] = [];
    await engine.executeInBatches!(typed, (_c, batch) => batched.push(...batch.rows()));
    expect(batched).toEqual(whole.rows);
  });

  it("refuses to read a write in batches, as execute refuses it", async () => {
    const run = engine.executeInBatches!("create table marts.u (x int)", () => undefined);
    await expect(run).rejects.toBeInstanceOf(QueryError);
    await expect(run).rejects.toThrow(/refused, this connection only reads/);
  });

  it("reads views over lake files, with the Trino-compat layer", async () => {
    const { rows } = await engine.execute("select x, try_cast('a' as integer) as y from marts.t");
    expect(rows).toEqual([{ x: 42, y: null }]);
  });

  it.each([
    `copy (select 1 x) to '${"FILE"}' (format parquet)`,
    "select 1; drop view marts.t",
    "attach ':memory:' as other",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "create table marts.u (x int)",
    "explain analyze copy (select 1) to '/tmp/sluice-x.csv'",
  ])("refuses %s and writes nothing", async (sql) => {
    const before = await readFile(file);
    const run = engine.execute(sql.replace("FILE", file));
    await expect(run).rejects.toBeInstanceOf(QueryError);
    await expect(run).rejects.toThrow(/refused, this connection only reads/);
    expect(await readFile(file)).toEqual(before);
  });

  it("cannot read files outside the lake", async () => {
    await expect(engine.execute("select * from read_csv('/etc/hostname')")).rejects.toThrow(
      /disabled/,
    );
  });

  it("takes no lock: a writer opens the lake while the reader is open", async () => {
    const writer = await openDuckdbEngine({ lakeDir: lake });
    await writer.close();
  });

  it("removes its copy of the catalog on close", async () => {
    // A temp folder of its own: other processes on the machine (other test files, other
    // builds) make and remove sluice-catalog- copies in the shared one while this test counts.
    const own = await mkdtemp(join(tmpdir(), "sluice-snapshots-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    let other: Engine;
    try {
      other = await openDuckdbEngine({ lakeDir: lake, readOnly: true, snapshot: true });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    const copies = async () => (await readdir(own)).filter((f) => f.startsWith("sluice-catalog-"));
    expect(await copies()).toHaveLength(1);
    await other.close();
    expect(await copies()).toEqual([]);
    await rm(own, { recursive: true, force: true });
  });
});

describe("the lake lock", () => {
  let sleeper: ChildProcess;
  beforeAll(() => {
    sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
  });
  afterAll(() => {
    sleeper.kill();
  });
  const lock = (info: object) => writeFile(join(lake, LAKE_LOCK_FILE), JSON.stringify(info));

  it("a live holder (same pid, same start) makes a writer fail with one line", async () => {
    const identity = await processIdentity(sleeper.pid!);
    await lock({
      pid: sleeper.pid,
      startedAt: "2026-12-03T10:00:00.000Z",
      runId: "r1",
      ...identity,
    });
    const opening = openDuckdbEngine({ lakeDir: lake });
    await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
    await expect(opening).rejects.toThrow(
      /^build in progress \(run r1, started 2026-12-03T10:00:00.000Z, pid \d+\) on lake .*: wait/,
    );
  });

  it("a lock whose pid now belongs to another process is stale and taken over", async () => {
    const identity = await processIdentity(sleeper.pid!);
    if (!identity) return; // not Linux: the pid alone decides
    await lock({ pid: sleeper.pid, startedAt: "x", processStart: "1", bootId: identity.bootId });
    const writer = await openDuckdbEngine({ lakeDir: lake });
    const taken = JSON.parse(await readFile(join(lake, LAKE_LOCK_FILE), "utf8")) as { pid: number };
    expect(taken.pid).toBe(process.pid);
    await writer.close();
    await expect(readdir(lake)).resolves.not.toContain(LAKE_LOCK_FILE);
  });

  it("another process with the catalog open is named as such, not as a build", async () => {
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api";
         await DuckDBInstance.create(${JSON.stringify(join(lake, "catalog.duckdb"))});
         process.stdout.write("open\\n"); setTimeout(() => {}, 30000);`,
      ],
      { cwd: join(import.meta.dirname, ".."), stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise((resolve) => holder.stdout!.once("data", resolve));
      const opening = openDuckdbEngine({ lakeDir: lake });
      await expect(opening).rejects.toThrow(/^another process .*has the catalog of lake .* open/);
      // A reader does not mind: it reads a snapshot.
      const reader = await openDuckdbEngine({ lakeDir: lake, readOnly: true, snapshot: true });
      expect((await reader.execute("select x from marts.t")).rows).toEqual([{ x: 42 }]);
      await reader.close();
    } finally {
      holder.kill();
    }
  });
});

describe("a snapshot of a lake without a catalog", () => {
  it("is a one-line EngineOpenError that says how to create it", async () => {
    const empty = await mkdtemp(join(tmpdir(), "sluice-empty-"));
    try {
      const opening = openDuckdbEngine({ lakeDir: empty, readOnly: true, snapshot: true });
      await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
      await expect(opening).rejects.toThrow(
        /^the lake has no catalog yet: .* \(run `sluice build`/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
