import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLakeReader } from "../support/lake-reader.js";
import { fullLake, sluice, TABLES, type FullLake } from "./incremental-fixture.js";
import { expose, tableHashes } from "./lake-fixture.js";

/**
 * Incremental silver on the local lake: late files, schema change, a chaos full refresh and the
 * build lock. The 72-hour run is in incremental-days.e2e.test.ts, the 20 crash points in
 * incremental-crash-early/-late.e2e.test.ts (files apart, so two workers run them side by side).
 */
let lake: FullLake;
let root: string;
let fullDir: string;
let hours: string[];
let fullHashes: Record<string, string>;
const emptyProject = (name: string) => lake.emptyProject(name);

beforeAll(async () => {
  lake = await fullLake();
  ({ root, fullDir, hours, fullHashes } = lake);
});

afterAll(async () => lake?.cleanup());

describe("incremental silver on the local lake", () => {
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
