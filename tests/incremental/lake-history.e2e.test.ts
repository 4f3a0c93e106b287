import { cp, readdir, rm, mkdir, stat, truncate, writeFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";
import { copyDir, expose, rawHours, tableHashes } from "./lake-fixture.js";
import { queryLake } from "../support/lake-reader.js";

/** Nothing lost, ever: a moved lake still builds; damaged history stops a build; strays stay. */
const TABLES = [
  "silver.events",
  "silver.rejected_events",
  "silver.order_items",
  "marts.funnel",
  "marts.sales_by_country",
];

let root: string;
let cleanup: () => Promise<void>;
let base: string;
let hidden: string;
let hours: string[];
let built: Record<string, string>;

const sluice = (dir: string, args: string[]) => runSluice(["--project-dir", dir, ...args]);
const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

async function count(dir: string, table: string): Promise<number> {
  const [row] = await queryLake<{ n: number }>(dir, `select count(*) as n from ${table}`);
  return Number(row!.n);
}

/** The one version folder of a table (absolute). */
async function versionOf(dir: string, table: string): Promise<string> {
  const tableDir = path.join(dir, ".lake", ...table.split("."));
  const versions = (await readdir(tableDir)).filter((n) => n.startsWith("v_"));
  expect(versions).toHaveLength(1);
  return path.join(tableDir, versions[0]!);
}

/** A copy of the built project (all raw hours but the last exposed). */
async function project(name: string): Promise<string> {
  const dir = path.join(root, name, "models");
  await copyDir(base, dir);
  return dir;
}

beforeAll(async () => {
  const p = await copyModelsProject();
  cleanup = p.cleanup;
  root = path.dirname(p.dir);
  base = p.dir;
  const gen = await sluice(base, [
    "generate",
    "--events",
    "2000",
    "--start",
    "2026-11-27T00:00:00Z",
    "--hours",
    "6",
    "--seed",
    "5",
  ]);
  expect(gen.code, gen.stderr).toBe(0);
  hidden = path.join(root, "hidden-raw");
  const raw = path.join(base, ".lake/raw/events");
  hours = await rawHours(raw);
  const last = hours.at(-1)!;
  await mkdir(path.dirname(path.join(hidden, last)), { recursive: true });
  await cp(path.join(raw, last), path.join(hidden, last), { recursive: true });
  await rm(path.join(raw, last), { recursive: true });
  const b = await sluice(base, ["build"]);
  expect(b.code, output(b)).toBe(0);
  built = await tableHashes(base, TABLES);
}, 300_000);

afterAll(async () => cleanup?.());

describe("the lake's history", () => {
  it("a moved project builds and queries as before, and builds a new hour incrementally", async () => {
    const before = await project("before-move");
    const events = await count(before, "silver.events");
    const moved = path.join(root, "moved", "models");
    await cp(path.dirname(before), path.dirname(moved), { recursive: true });
    await rm(path.dirname(before), { recursive: true, force: true });
    const b = await sluice(moved, ["build"]);
    expect(b.code, output(b)).toBe(0);
    expect(await count(moved, "silver.events")).toBe(events);
    expect(await tableHashes(moved, TABLES)).toEqual(built);
    await mkdir(path.join(moved, ".lake/raw/events"), { recursive: true });
    const own = path.join(root, "moved-raw");
    await copyDir(hidden, own);
    await expose(own, moved, [hours.at(-1)!]);
    const next = await sluice(moved, ["build"]);
    expect(next.code, output(next)).toBe(0);
    expect(output(next)).toMatch(/reconciled \d+ raw partitions/);
    expect(await count(moved, "silver.events")).toBeGreaterThan(events);
    // Nothing of the old place is read or written.
    expect(existsSync(path.dirname(before))).toBe(false);
  }, 300_000);

  it("a deleted version folder of stg_events stops the build (exit 1), naming it; --full-refresh recovers", async () => {
    const dir = await project("no-version");
    const version = await versionOf(dir, "staging.stg_events");
    await rm(version, { recursive: true });
    const b = await sluice(dir, ["build"]);
    expect(b.code).toBe(1);
    expect(output(b)).toContain(`missing folder ${version}`);
    expect(output(b)).toContain("sluice build --full-refresh --select stg_events+");
    expect(await tableHashes(dir, TABLES)).toEqual(built);
    const fixed = await sluice(dir, ["build", "--full-refresh", "--select", "stg_events+"]);
    expect(fixed.code, output(fixed)).toBe(0);
    expect(await tableHashes(dir, TABLES)).toEqual(built);
    expect((await sluice(dir, ["build"])).code).toBe(0);
  }, 300_000);

  it("a deleted Parquet file of silver.events stops the build and is listed by sluice debug", async () => {
    const dir = await project("no-file");
    const version = await versionOf(dir, "silver.events");
    const files = (await readdir(version, { recursive: true }))
      .filter((f) => f.endsWith(".parquet"))
      .sort();
    const victim = path.join(version, files.at(-1)!);
    await rm(victim);
    const b = await sluice(dir, ["build"]);
    expect(b.code).toBe(1);
    expect(output(b)).toContain(`missing file ${victim}`);
    expect(output(b)).toContain("--full-refresh --select events+");
    const debug = await sluice(dir, ["debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stdout).toContain(`FAIL lake files: silver.events: missing file ${victim}`);
    // The same checks as data, for a CI step or a monitor.
    const asJson = await sluice(dir, ["debug", "--format", "json"]);
    expect(asJson.code).toBe(1);
    const report = JSON.parse(asJson.stdout) as {
      engine: string;
      checks: { name: string; ok: boolean; detail: string }[];
      failed: number;
    };
    expect(report.engine).toBe("duckdb");
    expect(report.failed).toBe(report.checks.filter((c) => !c.ok).length);
    expect(report.checks.find((c) => !c.ok)).toEqual({
      name: "lake files",
      ok: false,
      detail: expect.stringContaining(`silver.events: missing file ${victim}`),
    });
    const fixed = await sluice(dir, ["build", "--full-refresh", "--select", "events+"]);
    expect(fixed.code, output(fixed)).toBe(0);
    expect(await tableHashes(dir, TABLES)).toEqual(built);
    const ok = await sluice(dir, ["debug"]);
    expect(ok.stdout, ok.stdout).toMatch(
      /OK {3}lake files: \d+ table versions, \d+ files as published/,
    );
  }, 300_000);

  /** A Parquet file of silver.events' newest version in `dir`, cut to half its size. */
  const cutShort = async (dir: string): Promise<string> => {
    const tableDir = path.join(dir, ".lake/silver/events");
    const newest = (await readdir(tableDir)).filter((n) => n.startsWith("v_")).sort();
    const version = path.join(tableDir, newest.at(-1)!);
    const files = (await readdir(version, { recursive: true }))
      .filter((f) => f.endsWith(".parquet"))
      .sort();
    const victim = path.join(version, files[0]!);
    await truncate(victim, (await stat(victim)).size >> 1);
    return victim;
  };

  /** The build stops naming the cut file; the fix it names gives the first build's tables. */
  const expectBuildNamesItAndRecovers = async (dir: string, victim: string): Promise<void> => {
    const b = await sluice(dir, ["build"]);
    expect(b.code).toBe(1);
    expect(output(b)).toContain(`size changed ${victim}`);
    const fixed = await sluice(dir, ["build", "--full-refresh", "--select", "events+"]);
    expect(fixed.code, output(fixed)).toBe(0);
    expect(await tableHashes(dir, TABLES)).toEqual(built);
  };

  it("a Parquet file of silver.events cut short in a moved lake: it still opens; query and build say which table, and the way back", async () => {
    // Cut before the first command moves the catalog's views: DuckDB binds each view it moves,
    // and this one failed the whole move ('could not move the catalog's tables', unexpected).
    const dir = await project("cut-before-move");
    const victim = await cutShort(dir);
    const q = await sluice(dir, ["query", "select count(*) from silver.events"]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain(`silver.events: its data in ${path.dirname(path.dirname(victim))}`);
    expect(q.stderr).toContain("`sluice build --full-refresh` builds the table again");
    // The other tables read as before.
    const items = await sluice(dir, ["query", "select count(*) as n from silver.order_items"]);
    expect(items.code, items.stderr).toBe(0);
    await expectBuildNamesItAndRecovers(dir, victim);
  }, 300_000);

  it("a Parquet file of silver.events cut short: query and build name it and the way back", async () => {
    const dir = await project("cut-file");
    // Its views moved first (a copy of the project): the cut file is then read where it is.
    expect((await sluice(dir, ["build"])).code).toBe(0);
    const victim = await cutShort(dir);
    const q = await sluice(dir, ["query", "select count(*) from silver.events"]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain(victim);
    expect(q.stderr).toContain(
      "hint: a data file of silver.events is damaged (cut short or overwritten): rebuild it and " +
        "what is built from it with `sluice build --full-refresh --select events+`",
    );
    await expectBuildNamesItAndRecovers(dir, victim);
  }, 300_000);

  it("a user's file and folder in a table folder survive builds and full refreshes", async () => {
    const dir = await project("strays");
    const table = path.join(dir, ".lake/silver/events");
    await writeFile(path.join(table, "notes.txt"), "keep me");
    await mkdir(path.join(table, "mine"));
    await writeFile(path.join(table, "mine", "x.parquet"), "not a table file");
    for (const args of [["build"], ["build", "--full-refresh"], ["build"]]) {
      const b = await sluice(dir, args);
      expect(b.code, output(b)).toBe(0);
    }
    const last = await sluice(dir, ["build"]);
    expect(last.stdout).toContain(`Warning: left alone in table folders (not created by sluice): `);
    expect(await readFile(path.join(table, "notes.txt"), "utf8")).toBe("keep me");
    expect(await readFile(path.join(table, "mine", "x.parquet"), "utf8")).toBe("not a table file");
    // The published version and the one it replaced (versions_to_keep defaults to 1).
    expect((await readdir(table)).filter((n) => n.startsWith("v_"))).toHaveLength(2);
    const results = (await readRunResults(dir)) as {
      cleanup?: { strays?: string[] };
    };
    expect(results.cleanup?.strays).toEqual([
      path.join(table, "mine"),
      path.join(table, "notes.txt"),
    ]);
    expect(await tableHashes(dir, TABLES)).toEqual(built);
  }, 300_000);
});
