import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice, readRunResults } from "../support/cli.js";
import { openLakeReader } from "../support/lake-reader.js";
import { loadProject, runInProcess } from "./in-process.js";
import { copyDir, expose, lakeState, rawHours, tableHashes } from "./lake-fixture.js";

const TABLES = [
  "silver.events",
  "silver.rejected_events",
  "silver.order_items",
  "marts.funnel",
  "marts.sales_by_country",
];
/** What the hourly runs build: silver.events and silver.rejected_events with everything upstream. */
const SILVER = ["+events", "+rejected_events"];
const chaos = ["--malformed-rate", "0.005", "--duplicate-rate", "0.02", "--late-rate", "0.05"];

let root: string;
let cleanup: () => Promise<void>;
let fullDir: string;
let fullHashes: Record<string, string>;
let hidden: string;
let hours: string[];

const sluice = (dir: string, args: string[], env?: Record<string, string>) =>
  runSluice(["--project-dir", dir, ...args], env ? { env } : {});

beforeAll(async () => {
  const project = await copyModelsProject();
  cleanup = project.cleanup;
  root = path.dirname(project.dir);
  fullDir = project.dir;
  const gen = await sluice(fullDir, [
    "generate",
    "--events",
    "3000",
    "--start",
    "2026-11-27T00:00:00Z",
    "--hours",
    "12",
    "--seed",
    "11",
    ...chaos,
  ]);
  expect(gen.code).toBe(0);
  hidden = path.join(root, "hidden-raw");
  await copyDir(path.join(fullDir, ".lake/raw/events"), hidden);
  hours = await rawHours(hidden);
  const full = await sluice(fullDir, ["build"]);
  expect(full.code, full.stderr).toBe(0);
  fullHashes = await tableHashes(fullDir, TABLES);
});

afterAll(async () => cleanup?.());

/** A project with no lake, ready to receive raw hours. */
async function emptyProject(name: string): Promise<{ dir: string; hidden: string }> {
  const dir = path.join(root, name);
  await copyDir(fullDir, dir);
  await rm(path.join(dir, ".lake"), { recursive: true, force: true });
  await rm(path.join(dir, "target"), { recursive: true, force: true });
  const own = path.join(root, `${name}-raw`);
  await copyDir(hidden, own);
  return { dir, hidden: own };
}

describe("incremental silver on the local lake", () => {
  it("three days hour by hour (72 runs) equal one full build, reconcile every run, and a re-run changes nothing", async () => {
    // The 72 hourly runs go through the libraries in this process (silver + its reconciliation);
    // the full build and the final re-run go through the CLI, marts included.
    const days = path.join(root, "days");
    await copyDir(fullDir, days);
    await rm(path.join(days, ".lake"), { recursive: true, force: true });
    const gen = await sluice(days, [
      "generate",
      "--events",
      "2880",
      "--start",
      "2026-11-24T00:00:00Z",
      "--hours",
      "72",
      "--seed",
      "7",
      ...chaos,
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const dayRaw = path.join(root, "days-raw");
    await copyDir(path.join(days, ".lake/raw/events"), dayRaw);
    const dayHours = await rawHours(dayRaw);
    expect(dayHours.length).toBeGreaterThanOrEqual(72);
    const full = await sluice(days, ["build"]);
    expect(full.code, full.stderr).toBe(0);
    const expected = await tableHashes(days, TABLES);

    const dir = path.join(root, "hourly");
    await copyDir(days, dir);
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
    await rm(path.join(dir, "target"), { recursive: true, force: true });
    const project = await loadProject(dir);
    expect(project.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    let balanced = 0;
    for (const hour of dayHours) {
      await expose(dayRaw, dir, [hour]);
      const r = await runInProcess(project, SILVER);
      const failed = r.results.filter((x) => !["success", "pass"].includes(x.status));
      expect(failed.map((x) => `${hour} ${x.id}: ${x.message}`)).toEqual([]);
      const check = r.results.find((x) => x.id === "reconcile.events");
      expect(check?.message, hour).toMatch(/^reconciled \d+ raw partitions from /);
      if (hour !== dayHours[0]) expect(check?.message, hour).not.toContain("from 0000/00/00/00");
      balanced += 1;
    }
    expect(balanced).toBe(dayHours.length);
    const silver = TABLES.filter((t) => t.startsWith("silver.") && t !== "silver.order_items");
    const pick = (h: Record<string, string>) => Object.fromEntries(silver.map((t) => [t, h[t]]));
    expect(pick(await tableHashes(dir, silver))).toEqual(pick(expected));

    // A CLI build with no new raw data: silver unchanged, marts built, everything equals the full build.
    const again = await sluice(dir, ["build"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).toMatch(/PASS\s+test reconcile_events .* reconciled \d+ raw partitions/);
    const state = await lakeState(dir, TABLES);
    expect(state.hashes).toEqual(expected);
    const results = (await readRunResults(dir)) as {
      results: { id: string; status: string; reconciliation?: unknown[] }[];
    };
    const check = results.results.find((r) => r.id === "reconcile.events");
    expect(check?.status).toBe("pass");
    // Nothing new and no late file: no raw hour is read again.
    expect(check?.reconciliation).toEqual([]);
    expect(state.leftovers).toEqual([]);
  }, 300_000);

  it("re-reads only what changed: a late file in an hour already read (within the lookback) is picked up; no new data reads nothing", async () => {
    const { dir, hidden: raw } = await emptyProject("late-file");
    const { readdir: list, rename: move } = await import("node:fs/promises");
    await expose(raw, dir, hours.slice(0, 8));
    // Firehose can deliver a file into an hour folder after that hour was processed.
    const lateHour = hours[5]!;
    const folder = path.join(dir, ".lake/raw/events", lateHour);
    const [lateFile] = (await list(folder)).sort().reverse();
    await move(path.join(folder, lateFile!), path.join(root, "late-file-held"));
    expect((await sluice(dir, ["build"])).code).toBe(0);

    const idle = await sluice(dir, ["run"]);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stderr).toMatch(/reconciled 0 raw partitions from \S+: raw 0 = silver 0/);

    await move(path.join(root, "late-file-held"), path.join(folder, lateFile!));
    const late = await sluice(dir, ["run"]);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).toContain(`reconciled 3 raw partitions from ${lateHour}:`);

    await expose(raw, dir, hours.slice(8));
    const rest = await sluice(dir, ["build"]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toContain(
      `reconciled ${hours.length - 8} raw partitions from ${hours[8]}:`,
    );
    expect(await tableHashes(dir, TABLES)).toEqual(fullHashes);
  }, 120_000);

  it("on_schema_change='append_new_columns': files with and without the new column read as one table, also after later runs", async () => {
    const { dir, hidden: raw } = await emptyProject("schema-change");
    const { writeFile } = await import("node:fs/promises");
    const model = path.join(dir, "silver", "test_inc.sql");
    const sql = (extra: string) =>
      "{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['dt'], on_schema_change='append_new_columns') }}\n" +
      `select event_id${extra}, dt from {{ ref('stg_events') }} where reject_reason is null\n` +
      "{% if is_incremental() %} and dt >= sluice_incremental_from() {% endif %}\n";
    await writeFile(model, sql(""));
    await expose(raw, dir, hours.slice(0, 4));
    expect((await sluice(dir, ["run", "--select", "+test_inc"])).code).toBe(0);
    await writeFile(model, sql(", 'x' as extra"));
    await expose(raw, dir, hours.slice(4, 6));
    const added = await sluice(dir, ["run", "--select", "+test_inc"]);
    expect(added.code, added.stderr).toBe(0);
    await expose(raw, dir, hours.slice(6, 8));
    const later = await sluice(dir, ["run", "--select", "+test_inc"]);
    expect(later.code, later.stderr).toBe(0);
    const lake = await openLakeReader(dir);
    const [row] = await lake.query<{ n: number; with_extra: number; hours: number }>(
      "select count(*) as n, count(extra) as with_extra, count(distinct dt) as hours from silver.test_inc",
    );
    const [expected] = await lake.query<{ n: number; late: number }>(
      "select count(*) as n, count(*) filter (where dt >= '" +
        hours[4] +
        "') as late from staging.stg_events where reject_reason is null",
    );
    await lake.close();
    expect(row).toEqual({ n: expected!.n, with_extra: expected!.late, hours: 8 });
  }, 120_000);

  it("a chaos full build balances exactly: duplicates and rejects are all accounted for", async () => {
    const r = await sluice(fullDir, ["build", "--full-refresh"]);
    const m =
      /reconciled \d+ raw partitions from 0000\/00\/00\/00: raw ([\d,]+) = silver ([\d,]+) \+ rejected ([\d,]+) \+ duplicates ([\d,]+)/.exec(
        r.stderr,
      );
    const n = (m ?? []).slice(1).map((x) => Number(x.replaceAll(",", "")));
    expect(n[0]).toBe(n[1]! + n[2]! + n[3]!);
    expect(n[2]).toBeGreaterThan(0);
    expect(n[3]).toBeGreaterThan(0);
    expect(await tableHashes(fullDir, TABLES)).toEqual(fullHashes);
  });

  it("survives SIGKILL at 20 points of an incremental build: the re-run equals a clean build, nothing left over", async () => {
    const { dir: base, hidden: raw } = await emptyProject("crash-base");
    await expose(raw, base, hours.slice(0, 8));
    expect((await sluice(base, ["build"])).code).toBe(0);
    await expose(raw, base, hours.slice(8));
    const points: Record<string, string>[] = [
      ...[1, 2, 3, 5, 8, 10, 12, 14, 16, 18, 20, 22, 25, 28, 32].map((n) => ({
        SLUICE_TEST_KILL_AFTER_STATEMENT: String(n),
      })),
      ...[4, 9, 13, 17, 21].map((n) => ({
        SLUICE_TEST_KILL_DURING_STATEMENT: String(n),
        SLUICE_TEST_KILL_DELAY_MS: "3",
      })),
    ];
    let killed = 0;
    for (const [i, env] of points.entries()) {
      const dir = path.join(root, `crash-${i}`);
      await copyDir(base, dir);
      const crashed = await sluice(dir, ["run"], env);
      if (crashed.code !== 0) killed += 1;
      const rerun = await sluice(dir, ["build"]);
      expect(rerun.code, `${JSON.stringify(env)}: ${rerun.stdout}${rerun.stderr}`).toBe(0);
      // Both checks from one query: one CLI start-up per crash point, not two.
      const state = await lakeState(dir, TABLES);
      expect(state.hashes, JSON.stringify(env)).toEqual(fullHashes);
      expect(state.leftovers, JSON.stringify(env)).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }
    expect(killed).toBeGreaterThanOrEqual(18);
  }, 600_000);

  it("a second build on the same lake fails fast naming the holder; a dead holder's lock is taken over", async () => {
    const { dir, hidden: raw } = await emptyProject("lock");
    await expose(raw, dir, hours.slice(0, 2));
    const { writeFile, mkdir } = await import("node:fs/promises");
    await mkdir(path.join(dir, ".lake"), { recursive: true });
    const lock = path.join(dir, ".lake/.sluice-build.lock.json");
    await writeFile(
      lock,
      JSON.stringify({ pid: process.pid, startedAt: "2026-11-27T10:00:00.000Z" }),
    );
    const busy = await sluice(dir, ["run"]);
    // One line, exit 2 (usage/environment), naming the holder.
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(
      `build in progress (started 2026-11-27T10:00:00.000Z, pid ${process.pid})`,
    );
    expect(busy.stderr.trim().split("\n")).toHaveLength(1);
    await writeFile(
      lock,
      JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: "2026-11-27T10:00:00.000Z" }),
    );
    const taken = await sluice(dir, ["build"]);
    expect(taken.code, taken.stdout + taken.stderr).toBe(0);
  }, 120_000);
});
